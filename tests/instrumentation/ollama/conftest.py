"""Ollama fixtures: the instrumentor bound to the test's telemetry, and SDK clients pointed at
the emulator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from ollama_support import make_client
from opentelemetry.instrumentation.agentops.ollama import OllamaInstrumentor


@pytest.fixture
def instrument(telemetry) -> Iterator[OllamaInstrumentor]:
    instrumentor = OllamaInstrumentor()
    instrumentor.instrument(
        tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
    )
    yield instrumentor
    instrumentor.uninstrument()


@pytest.fixture(params=["sync", "async"])
def sdk(request, emulator, instrument) -> Any:
    """A sync or an async client: each test using it runs with both."""
    return make_client(emulator, asynchronous=request.param == "async")


@pytest.fixture
def client(emulator, instrument) -> Any:
    return make_client(emulator)
