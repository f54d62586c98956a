"""Cohere fixtures: the instrumentor bound to the test's telemetry, and clients of both
generations pointed at the emulator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.instrumentation.agentops.cohere import CohereInstrumentor

pytest.register_assert_rewrite("cohere_helpers")

from cohere_helpers import make_client  # noqa: E402


@pytest.fixture
def instrument(telemetry) -> Iterator[CohereInstrumentor]:
    instrumentor = CohereInstrumentor()
    instrumentor.instrument(
        tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
    )
    yield instrumentor
    instrumentor.uninstrument()


@pytest.fixture
def capture(monkeypatch) -> None:
    """Content capture on; request it before ``instrument`` (settings are read then)."""
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")


@pytest.fixture(params=[False, True], ids=["sync", "async"])
def asynchronous(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture
def v1(emulator, asynchronous) -> Any:
    """A v1 client, sync or async (the SDK binds its methods to the instance in __init__:
    tests that list it before ``instrument`` use a client built before instrumenting)."""
    return make_client(emulator, "v1", asynchronous)


@pytest.fixture
def v2(emulator, asynchronous) -> Any:
    return make_client(emulator, "v2", asynchronous)
