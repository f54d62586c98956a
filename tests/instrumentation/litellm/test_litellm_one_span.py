"""One inference span per model call with the OpenAI, Anthropic and Ollama instrumentations on
as well (those installed): LiteLLM calls the openai SDK on its OpenAI route up to 1.100
(through ``with_raw_response``) and its own HTTP handlers elsewhere; either way the call is
LiteLLM's span, the SDK call joins it, and tokens are counted once."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from litellm_support import ASYNC_LOOP, ROUTES, complete, points, read, usage
from opentelemetry.trace import SpanKind

pytestmark = ASYNC_LOOP

SCOPE = "opentelemetry.instrumentation.agentops.litellm"
# Instrumentation packages of SDKs LiteLLM may call, and the SDK each needs.
OTHERS = {
    "openai": ("opentelemetry.instrumentation.agentops.openai", "OpenAIInstrumentor"),
    "anthropic": ("opentelemetry.instrumentation.agentops.anthropic", "AnthropicInstrumentor"),
    "ollama": ("opentelemetry.instrumentation.agentops.ollama", "OllamaInstrumentor"),
}


def _available() -> list[Any]:
    instrumentors = []
    for sdk, (module, name) in OTHERS.items():
        try:
            importlib.import_module(sdk)
            package = importlib.import_module(module)
        except ImportError:
            continue  # the floor's compatibility run has the openai SDK and package only
        instrumentors.append(getattr(package, name)())
    return instrumentors


@pytest.fixture
def everything(telemetry, instrument) -> Iterator[list[str]]:
    others = _available()
    assert others, "the OpenAI package at least is installed wherever LiteLLM is tested"
    for instrumentor in others:
        instrumentor.instrument(
            tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
        )
    yield [type(i).__name__ for i in others]
    for instrumentor in others:
        instrumentor.uninstrument()


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
async def test_each_route_is_one_span(stream, route, asynchronous, telemetry, emulator, everything):
    result = await complete(asynchronous, **route.kwargs(stream=stream))
    if stream:
        await read(result, asynchronous)

    spans = telemetry.spans()
    assert [(s.instrumentation_scope.name, s.kind) for s in spans] == [(SCOPE, SpanKind.CLIENT)]
    requests = [r for r in emulator.requests if not r.path.endswith("/api/show")]
    assert len(requests) == 1
    traceparent = requests[0].headers.get("traceparent")
    if traceparent is not None:  # the SDK or LiteLLM propagated our span's context
        assert traceparent.split("-")[2] == format(spans[0].context.span_id, "016x")
    durations = points(telemetry, "gen_ai.client.operation.duration")
    assert [p.count for p in durations] == [1]
    tokens = points(telemetry, "gen_ai.client.token.usage")
    assert len(tokens) in (0, 2)  # a stream LiteLLM is not asked usage of reports none
    if not stream:
        assert sorted(p.sum for p in tokens) == sorted(usage(result))


async def test_the_openai_sdk_call_joins_litellms_span(
    asynchronous, telemetry, emulator, everything
):
    """Up to 1.100 LiteLLM calls ``chat.completions.with_raw_response.create``, which the
    OpenAI package traces: inside LiteLLM's call it joins that span instead."""
    route = ROUTES["openai"].at(emulator)
    result = await complete(asynchronous, **route.kwargs())
    (span,) = telemetry.spans()
    assert span.instrumentation_scope.name == SCOPE
    assert span.attributes["gen_ai.usage.input_tokens"] == result.usage.prompt_tokens
    assert "openai.api.type" not in span.attributes  # nothing of the OpenAI package's span
