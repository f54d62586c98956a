"""Mistral fixtures: the instrumentor bound to the test's telemetry, a client of the emulator,
and each test body run with the sync and the async methods."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.register_assert_rewrite("mistral_expected")

from mistral_expected import make_client  # noqa: E402
from opentelemetry.instrumentation.agentops.mistral import MistralInstrumentor  # noqa: E402


@pytest.fixture
def instrument(telemetry) -> Iterator[MistralInstrumentor]:
    instrumentor = MistralInstrumentor()
    instrumentor.instrument(
        tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
    )
    yield instrumentor
    instrumentor.uninstrument()


@pytest.fixture
def client(emulator, instrument) -> Any:
    return make_client(emulator.mistral_server_url)


@pytest.fixture(params=[False, True], ids=["sync", "async"])
def asynchronous(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)
