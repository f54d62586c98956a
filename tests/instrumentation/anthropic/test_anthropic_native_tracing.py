"""The SDK's own spans (anthropic >= 1.14 traces every call when a tracer provider exists).

With the instrumentation on, every call gives exactly one GenAI span, ours, for clients built
before and after instrumenting; the SDK's requests still carry our span's context where the
SDK propagates it. Uninstrumented, the SDK's spans come back. On an SDK without tracing of its
own, the same calls give our span alone, and nothing uninstrumented.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from anthropic_expected import HAS_NATIVE_TRACING, MODEL, SCOPE, SDK, arguments, make_client
from conformance.case import drain, resolve
from opentelemetry import trace
from opentelemetry.instrumentation.agentops.anthropic import AnthropicInstrumentor

SDK_SPAN = ("anthropic.messages.create", "com.anthropic.sdk.python")
OURS = (f"chat {MODEL}", SCOPE)


@pytest.fixture
def global_provider(telemetry, monkeypatch) -> Iterator[Any]:
    """The test's tracer provider as the global one (what the SDK's own tracing uses)."""
    monkeypatch.delenv("ANTHROPIC_OPEN_TELEMETRY", raising=False)
    monkeypatch.setattr(trace, "_TRACER_PROVIDER", None)
    monkeypatch.setattr(trace, "_TRACER_PROVIDER_SET_ONCE", trace.Once())
    trace.set_tracer_provider(telemetry.tracer_provider)
    yield telemetry.tracer_provider


async def calls(client: Any, asynchronous: bool) -> None:
    """A plain call, a raw stream and a ``stream()``: three calls."""
    await resolve(client.messages.create(**arguments()))
    await drain(await resolve(client.messages.create(**arguments(stream=True))))
    if asynchronous:
        async with client.messages.stream(**arguments()) as stream:
            await stream.until_done()
    else:
        with client.messages.stream(**arguments()) as stream:
            stream.until_done()


def spans_of(telemetry: Any) -> list[tuple[str, str]]:
    found = [(span.name, span.instrumentation_scope.name) for span in telemetry.spans()]
    telemetry.span_exporter.clear()
    return found


async def test_one_genai_span_per_call(telemetry, emulator, global_provider, asynchronous):
    before = make_client(emulator, asynchronous)  # built before instrumenting
    await calls(before, asynchronous)
    # Uninstrumented: the SDK's own spans where it has them, nothing where it has not.
    assert spans_of(telemetry) == ([SDK_SPAN] * 3 if HAS_NATIVE_TRACING else [])

    instrumentor = AnthropicInstrumentor()
    instrumentor.instrument()  # the global provider
    try:
        assert os.environ["ANTHROPIC_OPEN_TELEMETRY"] == "false"
        after = make_client(emulator, asynchronous)
        for client in (before, after):
            emulator.clear_requests()
            await calls(client, asynchronous)
            spans = telemetry.spans()
            assert spans_of(telemetry) == [OURS] * 3
            for sent, span in zip(emulator.requests, spans, strict=True):
                traceparent = sent.headers.get("traceparent")
                if HAS_NATIVE_TRACING and client is before:
                    # The SDK's span is switched off, not its propagation: our span's context.
                    assert traceparent is not None
                    assert traceparent.split("-")[2] == f"{span.context.span_id:016x}"
                else:
                    assert traceparent is None  # no tracing in the SDK (off, or none at all)
    finally:
        instrumentor.uninstrument()

    assert "ANTHROPIC_OPEN_TELEMETRY" not in os.environ
    await calls(before, asynchronous)
    assert spans_of(telemetry) == ([SDK_SPAN] * 3 if HAS_NATIVE_TRACING else [])


@pytest.mark.skipif(not HAS_NATIVE_TRACING, reason=f"{SDK} has no tracing of its own")
async def test_a_user_switch_left_on_is_respected_and_said(
    telemetry, emulator, global_provider, monkeypatch, caplog
):
    monkeypatch.setenv("ANTHROPIC_OPEN_TELEMETRY", "true")
    caplog.set_level("INFO", logger="opentelemetry.instrumentation.agentops.core")
    instrumentor = AnthropicInstrumentor()
    instrumentor.instrument()
    try:
        assert os.environ["ANTHROPIC_OPEN_TELEMETRY"] == "true"  # the user's, untouched
        await calls(make_client(emulator, False), False)
    finally:
        instrumentor.uninstrument()
    # The SDK's scope is still switched off on this provider: one span per call, ours.
    assert spans_of(telemetry) == [OURS] * 3
    assert any("ANTHROPIC_OPEN_TELEMETRY=true" in r.getMessage() for r in caplog.records)
