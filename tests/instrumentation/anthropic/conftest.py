"""Anthropic fixtures: the instrumentor bound to the test's telemetry, and SDK clients pointed
at the emulator (no retries, so an injected fault is seen once)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.register_assert_rewrite("anthropic_expected")

from anthropic_expected import make_client  # noqa: E402
from opentelemetry.instrumentation.agentops.anthropic import AnthropicInstrumentor  # noqa: E402


def instrumented(telemetry: Any) -> AnthropicInstrumentor:
    instrumentor = AnthropicInstrumentor()
    instrumentor.instrument(
        tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
    )
    return instrumentor


@pytest.fixture
def instrument(telemetry) -> Iterator[AnthropicInstrumentor]:
    instrumentor = instrumented(telemetry)
    yield instrumentor
    instrumentor.uninstrument()


@pytest.fixture(params=[False, True], ids=["sync", "async"])
def asynchronous(request) -> bool:
    return bool(request.param)


@pytest.fixture
def sdk(emulator, instrument, asynchronous) -> Any:
    """A sync or an async client of the instrumented SDK."""
    return make_client(emulator, asynchronous)


@pytest.fixture
def content_sdk(emulator, telemetry, monkeypatch, asynchronous) -> Iterator[Any]:
    """As ``sdk``, with message content captured on the span."""
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")
    instrumentor = instrumented(telemetry)
    yield make_client(emulator, asynchronous)
    instrumentor.uninstrument()
