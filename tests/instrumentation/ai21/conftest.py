"""AI21 fixtures: the instrumentor bound to the test's telemetry, and the assertion helpers'
module registered for pytest's assertion rewriting."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.register_assert_rewrite("ai21_expected")

from ai21_expected import HAS_ASYNC, NO_ASYNC  # noqa: E402
from opentelemetry.instrumentation.agentops.ai21 import AI21Instrumentor  # noqa: E402

CAPTURE = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"


@pytest.fixture
def instrument(telemetry) -> Iterator[AI21Instrumentor]:
    instrumentor = AI21Instrumentor()
    instrumentor.instrument(
        tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
    )
    yield instrumentor
    instrumentor.uninstrument()


@pytest.fixture
def instrument_with_content(telemetry, monkeypatch) -> Iterator[AI21Instrumentor]:
    """Instrumented with content capture on (the switch is read when instrumenting)."""
    monkeypatch.setenv(CAPTURE, "true")
    instrumentor = AI21Instrumentor()
    instrumentor.instrument(
        tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
    )
    yield instrumentor
    instrumentor.uninstrument()


@pytest.fixture(params=[False, True], ids=["sync", "async"])
def asynchronous(request: pytest.FixtureRequest) -> bool:
    """Sync and async clients; async is skipped where the SDK has no AsyncAI21Client."""
    if request.param and not HAS_ASYNC:
        pytest.skip(NO_ASYNC)
    return bool(request.param)
