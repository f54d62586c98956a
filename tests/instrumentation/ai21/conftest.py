"""AI21 fixtures: the instrumentor bound to the test's telemetry, and the assertion helpers'
module registered for pytest's assertion rewriting."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.register_assert_rewrite("ai21_expected")

from opentelemetry.instrumentation.agentops.ai21 import AI21Instrumentor  # noqa: E402


@pytest.fixture
def instrument(telemetry) -> Iterator[AI21Instrumentor]:
    instrumentor = AI21Instrumentor()
    instrumentor.instrument(
        tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
    )
    yield instrumentor
    instrumentor.uninstrument()


@pytest.fixture(params=[False, True], ids=["sync", "async"])
def asynchronous(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)
