"""LiteLLM calls on each provider route, sync and async: exact span attributes and metric
points, results and requests unchanged against an uninstrumented run."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

import litellm
import pytest
from conformance.case import uninstrumented
from conformance.expect import CHAT_PARAMETER_ATTRIBUTES, CHAT_PARAMETERS
from conformance.metrics import metric_attributes

# Imported by name before any test instruments: still traced (the function is traced in place).
from litellm import completion as completion_imported_early
from litellm_support import (
    API_KEY,
    ASYNC_LOOP,
    MESSAGES,
    ROUTES,
    complete,
    dump,
    points,
    read,
    token_points,
    usage,
)
from opentelemetry.instrumentation.agentops.litellm._compat import stream_usage_hidden
from opentelemetry.trace import SpanKind, StatusCode

pytestmark = ASYNC_LOOP


def sent_body(emulator):
    """The last model call sent (LiteLLM also asks Ollama for model details, ``/api/show``)."""
    return [r for r in emulator.requests if not r.path.endswith("/api/show")][-1].body


def only_span(telemetry):
    spans = telemetry.spans()
    assert len(spans) == 1, [s.name for s in spans]
    span = spans[0]
    assert span.kind is SpanKind.CLIENT
    assert span.instrumentation_scope.name == "opentelemetry.instrumentation.agentops.litellm"
    return span


def server_timings(result):
    """Groq's timings, which LiteLLM passes on in its usage, as the Groq package names them."""
    names = ("queue_time", "prompt_time", "completion_time", "total_time")
    return {
        f"agentops.server.{name}": getattr(result.usage, name)
        for name in names
        if isinstance(getattr(result.usage, name, None), float)
    }


def replied(route, result):
    """The span of a successful plain chat call on ``route``, from LiteLLM's own result."""
    input_tokens, output_tokens = usage(result)
    return {
        **server_timings(result),
        **route.start(),
        "gen_ai.response.id": result.id,
        "gen_ai.response.model": route.provider_model,
        "gen_ai.response.finish_reasons": ("stop",),
        "gen_ai.usage.input_tokens": input_tokens,
        "gen_ai.usage.output_tokens": output_tokens,
    }


def assert_points(telemetry, attributes, input_tokens, output_tokens):
    (duration,) = points(telemetry, "gen_ai.client.operation.duration")
    assert duration.count == 1
    assert dict(duration.attributes) == metric_attributes(attributes)
    tokens = points(telemetry, "gen_ai.client.token.usage")
    assert {p.attributes["gen_ai.token.type"]: dict(p.attributes) for p in tokens} == {
        kind: {**metric_attributes(attributes), "gen_ai.token.type": kind}
        for kind in ("input", "output")
    }
    assert token_points(telemetry) == {"input": input_tokens, "output": output_tokens}


async def test_plain_call(route, asynchronous, telemetry, emulator, instrument):
    with uninstrumented(instrument, telemetry):
        baseline = await complete(asynchronous, **route.kwargs())
        sent_uninstrumented = sent_body(emulator)
    emulator.clear_requests()

    result = await complete(asynchronous, **route.kwargs())

    assert type(result) is type(baseline)
    assert dump(result) == dump(baseline)
    assert sent_body(emulator) == sent_uninstrumented
    span = only_span(telemetry)
    assert span.name == f"chat {route.provider_model}"
    assert span.status.status_code is StatusCode.UNSET
    assert dict(span.attributes) == replied(route, result)
    if route.provider == "groq":  # its server timings, under the Groq package's names
        assert len(server_timings(result)) == 4
    assert_points(telemetry, span.attributes, *usage(result))


async def test_request_parameters(asynchronous, telemetry, emulator, instrument):
    route = ROUTES["openai"].at(emulator)
    sent = CHAT_PARAMETERS
    result = await complete(asynchronous, **route.kwargs(**sent))
    span = only_span(telemetry)
    assert dict(span.attributes) == {**replied(route, result), **CHAT_PARAMETER_ATTRIBUTES}
    assert isinstance(span.attributes["gen_ai.request.temperature"], float)


async def test_stream(route, asynchronous, telemetry, emulator, instrument):
    """Usage is recorded though the caller did not ask for it; the caller sees no extra chunk."""
    with uninstrumented(instrument, telemetry):
        uninstrumented_stream = await complete(asynchronous, **route.kwargs(stream=True))
        baseline = await read(uninstrumented_stream, asynchronous)
        sent_uninstrumented = sent_body(emulator)
        plain = await complete(asynchronous, **route.kwargs())
    emulator.clear_requests()

    stream = await complete(asynchronous, **route.kwargs(stream=True))
    # LiteLLM's stream wrapper (a generator for Ollama before 1.55), proxied.
    assert isinstance(stream, type(uninstrumented_stream))
    assert telemetry.spans() == []
    chunks = await read(stream, asynchronous)

    assert [dump(c) for c in chunks] == [dump(c) for c in baseline]
    sent = dict(sent_body(emulator))
    asked = stream_usage_hidden(route.model.partition("/")[0])
    if asked and route.provider in ("openai", "groq"):  # LiteLLM passes it on to these APIs
        assert sent.pop("stream_options") == {"include_usage": True}
    assert sent == sent_uninstrumented
    span = only_span(telemetry)
    ttfc = span.attributes["gen_ai.response.time_to_first_chunk"]
    assert 0 <= ttfc <= (span.end_time - span.start_time) / 1e9
    input_tokens, output_tokens = usage(plain)
    reported = {
        "agentops.stream.usage_requested": True,
        "gen_ai.usage.input_tokens": input_tokens,
        "gen_ai.usage.output_tokens": output_tokens,
    }
    assert dict(span.attributes) == {
        **route.start(),
        "gen_ai.request.stream": True,
        "gen_ai.response.id": chunks[0].id,
        "gen_ai.response.model": route.provider_model,
        "gen_ai.response.finish_reasons": ("stop",),
        "gen_ai.response.time_to_first_chunk": ttfc,
        **(reported if asked else {}),
    }
    if asked:
        assert_points(telemetry, span.attributes, input_tokens, output_tokens)
    else:
        assert token_points(telemetry) == {}
    (first,) = points(telemetry, "gen_ai.client.operation.time_to_first_chunk")
    assert first.count == 1
    assert dict(first.attributes) == metric_attributes(span.attributes)


async def test_stream_usage_the_caller_asked_for(asynchronous, telemetry, emulator, instrument):
    route = ROUTES["anthropic"].at(emulator)
    asked = {"stream": True, "stream_options": {"include_usage": True}}
    with uninstrumented(instrument, telemetry):
        baseline = await read(await complete(asynchronous, **route.kwargs(**asked)), asynchronous)

    chunks = await read(await complete(asynchronous, **route.kwargs(**asked)), asynchronous)

    assert [dump(c) for c in chunks] == [dump(c) for c in baseline]
    assert chunks[-1].usage.completion_tokens > 0  # the caller's own usage chunk, kept
    span = only_span(telemetry)
    assert "agentops.stream.usage_requested" not in span.attributes
    assert span.attributes["gen_ai.usage.output_tokens"] == chunks[-1].usage.completion_tokens


@pytest.mark.parametrize("name", ["openai", "ollama"])
async def test_embedding(name, asynchronous, telemetry, emulator, instrument):
    route = ROUTES[name].at(emulator)
    model = route.model.replace("gpt-4o-mini", "text-embedding-3-small").replace(
        "ollama_chat/", "ollama/"
    )
    provider_model = model.partition("/")[2]
    kwargs = {**route.kwargs(model=model), "input": ["first text", "second text here"]}
    kwargs.pop("num_retries")

    async def embed():
        if asynchronous:
            return await litellm.aembedding(**kwargs)
        # LiteLLM 1.53 embeds with Ollama through asyncio.run(): not inside a running loop.
        return await asyncio.to_thread(litellm.embedding, **kwargs)

    with uninstrumented(instrument, telemetry):
        baseline = await embed()

    result = await embed()

    assert dump(result) == dump(baseline)
    span = only_span(telemetry)
    assert span.name == f"embeddings {provider_model}"
    assert dict(span.attributes) == {
        **route.start("embeddings"),
        "gen_ai.request.model": provider_model,
        "agentops.embeddings.input_count": 2,
        "gen_ai.response.model": result.model.removeprefix("ollama/"),
        "gen_ai.embeddings.dimension.count": len(result.data[0]["embedding"]),
        "gen_ai.usage.input_tokens": result.usage.prompt_tokens,
    }
    tokens = points(telemetry, "gen_ai.client.token.usage")
    assert token_points(telemetry) == {"input": result.usage.prompt_tokens}
    assert len(tokens) == 1


async def test_a_failed_call(asynchronous, telemetry, emulator, instrument):
    route = ROUTES["anthropic"].at(emulator)
    kwargs = route.kwargs(extra_headers={"x-emulator-fault": "http-429"})
    with pytest.raises(litellm.RateLimitError):
        await complete(asynchronous, **kwargs)
    span = only_span(telemetry)
    assert span.status.status_code is StatusCode.ERROR
    assert dict(span.attributes) == {**route.start(), "error.type": "litellm.RateLimitError"}
    (duration,) = points(telemetry, "gen_ai.client.operation.duration")
    assert dict(duration.attributes) == metric_attributes(
        span.attributes, error_type="litellm.RateLimitError"
    )
    assert token_points(telemetry) == {}


def test_a_function_imported_by_name_before_instrumenting(telemetry, emulator, instrument):
    route = ROUTES["openai"].at(emulator)
    result = completion_imported_early(messages=MESSAGES, **route.kwargs())
    assert dict(only_span(telemetry).attributes) == replied(route, result)


async def test_content_is_captured_only_when_asked(telemetry, emulator, monkeypatch):
    from opentelemetry.instrumentation.agentops.litellm import LiteLLMInstrumentor

    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")
    instrumentor = LiteLLMInstrumentor()
    instrumentor.instrument(tracer_provider=telemetry.tracer_provider)
    try:
        route = ROUTES["ollama"].at(emulator)
        result = litellm.completion(messages=MESSAGES, **route.kwargs())
    finally:
        instrumentor.uninstrument()
    attributes = only_span(telemetry).attributes
    (sent,) = json.loads(attributes["gen_ai.input.messages"])
    assert sent["role"] == "user"
    assert sent["parts"] == [{"type": "text", "content": MESSAGES[0]["content"]}]
    (output,) = json.loads(attributes["gen_ai.output.messages"])
    assert output["parts"] == [{"type": "text", "content": result.choices[0].message.content}]
    assert API_KEY not in json.dumps(dict(attributes))


def test_instrumenting_does_not_import_litellm():
    """Importing LiteLLM takes seconds: an app that never does must not pay for it."""
    code = (
        "import sys\n"
        "from opentelemetry.instrumentation.agentops.litellm import LiteLLMInstrumentor\n"
        "LiteLLMInstrumentor().instrument()\n"
        "assert 'litellm' not in sys.modules, 'instrumenting imported litellm'\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "OTEL_PYTHON_DISABLED_INSTRUMENTATIONS": ""},
        check=False,
    )
    assert result.stdout.strip() == "ok", result.stderr
