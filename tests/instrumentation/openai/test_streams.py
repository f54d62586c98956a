"""Streamed calls: what the caller gets back, the usage the instrumentation asks for (and hides),
every way a stream can end, streaming metrics, context, SDK stream helpers and content capture.

Real openai SDK over HTTP to the provider emulator; real OpenTelemetry SDK pipelines. Expected
token counts come from what the emulator returns to an uninstrumented request, never from
constants. Features the installed SDK lacks are skipped with a reason naming its version.
"""

from __future__ import annotations

import gc
import importlib
import inspect
import json
import logging
import math
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from conformance.case import uninstrumented
from conformance.expect import DURATION, TIME_PER_CHUNK, TOKEN_USAGE, TTFC
from opentelemetry import trace
from opentelemetry.instrumentation.agentops.openai import OpenAIInstrumentor
from opentelemetry.instrumentation.utils import suppress_instrumentation
from opentelemetry.trace import StatusCode

API_KEY = "sk-test-secret-key-0123456789"
MODEL = "gpt-4o-mini"
LEGACY_MODEL = "gpt-3.5-turbo-instruct"
MESSAGES = [{"role": "user", "content": "please say hello to the whole world"}]
CHUNKS = 4  # content chunks the emulator is asked for (x-emulator-chunks)
HEADERS = {"x-emulator-chunks": str(CHUNKS)}
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}

TTFC_ATTRIBUTE = "gen_ai.response.time_to_first_chunk"
USAGE_REQUESTED = "agentops.stream.usage_requested"
ENDED_TWICE = "Calling end() on an ended span"

# --- what the installed SDK supports ---------------------------------------------------------

SDK = f"openai {openai.__version__}"
ChatCompletions = openai.resources.chat.completions.Completions
CHAT_CREATE_PARAMS = frozenset(inspect.signature(ChatCompletions.create).parameters)
HAS_STREAM_OPTIONS = "stream_options" in CHAT_CREATE_PARAMS
HAS_TOOLS = "tools" in CHAT_CREATE_PARAMS
HAS_CHAT_STREAM_HELPER = hasattr(ChatCompletions, "stream")
HAS_STREAM_CLOSE = hasattr(openai.Stream, "close")
HAS_ASYNC_STREAM_CLOSE = hasattr(openai.AsyncStream, "close")
HAS_STREAM_CM = hasattr(openai.Stream, "__enter__")
HAS_ASYNC_STREAM_CM = hasattr(openai.AsyncStream, "__aenter__")
try:
    Responses: Any = importlib.import_module("openai.resources.responses").Responses
except (ImportError, AttributeError):
    Responses = None
HAS_RESPONSES = Responses is not None
HAS_RESPONSES_STREAM_HELPER = HAS_RESPONSES and hasattr(Responses, "stream")

needs_stream_options = pytest.mark.skipif(
    not HAS_STREAM_OPTIONS, reason=f"{SDK}: chat.completions.create takes no stream_options"
)
needs_tools = pytest.mark.skipif(
    not HAS_TOOLS, reason=f"{SDK}: chat.completions.create takes no tools"
)
needs_chat_stream_helper = pytest.mark.skipif(
    not HAS_CHAT_STREAM_HELPER, reason=f"{SDK} has no chat.completions.stream helper"
)
needs_responses = pytest.mark.skipif(
    not HAS_RESPONSES, reason=f"{SDK} has no Responses API (openai.resources.responses)"
)
needs_responses_stream_helper = pytest.mark.skipif(
    not HAS_RESPONSES_STREAM_HELPER, reason=f"{SDK} has no responses.stream helper"
)
needs_stream_close = pytest.mark.skipif(
    not HAS_STREAM_CLOSE, reason=f"{SDK}: openai.Stream has no close()"
)
needs_async_stream_close = pytest.mark.skipif(
    not HAS_ASYNC_STREAM_CLOSE, reason=f"{SDK}: openai.AsyncStream has no close()"
)
needs_stream_cm = pytest.mark.skipif(
    not HAS_STREAM_CM, reason=f"{SDK}: openai.Stream is not a context manager"
)
needs_async_stream_cm = pytest.mark.skipif(
    not HAS_ASYNC_STREAM_CM, reason=f"{SDK}: openai.AsyncStream is not an async context manager"
)


def http_module() -> Any:
    """The HTTP library the installed SDK is built on (httpx2 on openai 3, httpx before)."""
    base_client = importlib.import_module("openai._base_client")
    return getattr(base_client, "httpx2", None) or base_client.httpx


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_span_ended_twice(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.WARNING)
    yield
    twice = [r.getMessage() for r in caplog.records if ENDED_TWICE in r.getMessage()]
    assert twice == []


@pytest.fixture
def capture_instrument(emulator, telemetry, monkeypatch) -> Iterator[OpenAIInstrumentor]:
    """An instrumentor built after content capture was switched on."""
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")
    instrumentor = OpenAIInstrumentor()
    instrumentor.instrument(
        tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
    )
    yield instrumentor
    instrumentor.uninstrument()


@pytest.fixture
def capture_client(emulator, capture_instrument) -> openai.OpenAI:
    return openai.OpenAI(api_key=API_KEY, base_url=emulator.openai_base_url, max_retries=0)


# --- helpers ---------------------------------------------------------------------------------


def dumps(chunks: list[Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Chunks as dicts (all fields, and only those the server set), without the id: the
    emulator derives it from the request body, which differs when usage was asked for."""
    dumped = [(chunk.model_dump(), chunk.model_dump(exclude_unset=True)) for chunk in chunks]
    for every, sent in dumped:
        every.pop("id", None)
        sent.pop("id", None)
    return dumped


def get(value: Any, name: str) -> Any:
    """A field of an SDK object, or of a dict (older SDKs keep unknown fields as dicts)."""
    return value.get(name) if isinstance(value, dict) else getattr(value, name, None)


def reference_usage(client: Any, **kwargs: Any) -> Any:
    """The usage the emulator reports for this request, read untraced from its usage chunk."""
    with suppress_instrumentation():
        chunks = list(
            client.chat.completions.create(
                stream=True, extra_body={"stream_options": {"include_usage": True}}, **kwargs
            )
        )
    assert chunks[-1].choices == []
    assert get(chunks[-1], "usage") is not None
    return get(chunks[-1], "usage")


def only_span(telemetry: Any) -> Any:
    spans = telemetry.spans()
    assert len(spans) == 1, [s.name for s in spans]
    return spans[0]


def ttfc_of(span: Any) -> float:
    ttfc = span.attributes[TTFC_ATTRIBUTE]
    assert isinstance(ttfc, float)
    assert 0.0 <= ttfc <= (span.end_time - span.start_time) / 1e9
    return ttfc


def request_attributes(
    emulator: Any, model: str = MODEL, operation: str = "chat", api_type: str | None = ""
) -> dict:
    attributes = {
        "gen_ai.operation.name": operation,
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": model,
        "server.address": "127.0.0.1",
        "server.port": emulator.port,
        "gen_ai.request.stream": True,
    }
    if api_type == "" and operation == "chat":
        api_type = "chat_completions"
    if api_type:
        attributes["openai.api.type"] = api_type
    return attributes


def chunk_attributes(first: Any) -> dict:
    """Response attributes a chat/completions stream's first chunk carries."""
    attributes = {"gen_ai.response.model": first.model, "gen_ai.response.id": first.id}
    fingerprint = getattr(first, "system_fingerprint", None)
    if fingerprint:
        attributes["openai.response.system_fingerprint"] = fingerprint
    tier = getattr(first, "service_tier", None)
    if tier:
        attributes["openai.response.service_tier"] = tier
    return attributes


def usage_attributes(usage: Any) -> dict:
    return {
        "gen_ai.usage.input_tokens": get(usage, "prompt_tokens"),
        "gen_ai.usage.output_tokens": get(usage, "completion_tokens"),
    }


def metric_attributes(emulator: Any, model: str = MODEL, operation: str = "chat") -> dict:
    attributes = request_attributes(emulator, model, operation, api_type=None)
    del attributes["gen_ai.request.stream"]
    return attributes


def single_point(telemetry: Any, name: str) -> Any:
    points = telemetry.metrics().get(name, [])
    assert len(points) == 1, (name, points)
    return points[0]


def assert_stream_metrics(
    telemetry: Any,
    emulator: Any,
    span: Any,
    delivered: int,
    usage: Any | None,
    *,
    model: str = MODEL,
    operation: str = "chat",
    response_model: str | None = MODEL,
) -> None:
    """One TTFC point equal to the span attribute, delivered-1 inter-chunk points, duration
    and token usage points with the exact attribute sets."""
    base = metric_attributes(emulator, model, operation)
    # The first chunk names the response model: every point carries it.
    finished = {**base, "gen_ai.response.model": response_model} if response_model else base
    ttfc = single_point(telemetry, TTFC)
    assert dict(ttfc.attributes) == finished
    assert ttfc.count == 1
    assert ttfc.sum == span.attributes[TTFC_ATTRIBUTE]
    points = telemetry.metrics()
    per_chunk = points.get(TIME_PER_CHUNK, [])
    if delivered > 1:
        assert len(per_chunk) == 1
        assert dict(per_chunk[0].attributes) == finished
        assert per_chunk[0].count == delivered - 1
    else:
        assert per_chunk == []
    duration = single_point(telemetry, DURATION)
    assert dict(duration.attributes) == finished
    assert duration.count == 1
    tokens = {p.attributes["gen_ai.token.type"]: p for p in points.get(TOKEN_USAGE, [])}
    if usage is None:
        assert tokens == {}
        return
    assert set(tokens) == {"input", "output"}
    assert dict(tokens["input"].attributes) == {**finished, "gen_ai.token.type": "input"}
    assert dict(tokens["output"].attributes) == {**finished, "gen_ai.token.type": "output"}
    assert (tokens["input"].count, tokens["input"].sum) == (1, get(usage, "prompt_tokens"))
    assert (tokens["output"].count, tokens["output"].sum) == (1, get(usage, "completion_tokens"))


def assert_resolves_to(error_type: str, error: BaseException) -> None:
    """``error.type`` is the public import path of the exception's class."""
    module, _, name = error_type.rpartition(".")
    found = getattr(importlib.import_module(module or "builtins"), name)
    assert found is type(error)


def chat(client: Any, **kwargs: Any) -> Any:
    return client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True, **kwargs)


def last_body(emulator: Any) -> dict:
    return emulator.requests[-1].body


def test_double_end_detector_sees_the_sdk_warning(telemetry, caplog):
    """The autouse check above would notice a span ended twice."""
    span = telemetry.tracer_provider.get_tracer("check").start_span("twice")
    span.end()
    span.end()
    assert any(ENDED_TWICE in r.getMessage() for r in caplog.records)
    caplog.clear()


# === 1. What the caller gets ===================================================================


def test_sync_stream_is_the_sdk_stream(client, emulator, telemetry):
    stream = chat(client, extra_headers=HEADERS)

    assert isinstance(stream, openai.Stream)
    assert isinstance(stream.response, http_module().Response)
    assert stream.response.status_code == 200
    assert telemetry.spans() == []  # the span follows the stream, not the create() call
    chunks = list(stream)
    assert len(chunks) == CHUNKS + 2  # role, content pieces, finish; usage chunk hidden
    assert all(isinstance(c, openai.types.chat.ChatCompletionChunk) for c in chunks)
    assert len([c for c in chunks if c.choices[0].delta.content]) == CHUNKS
    assert only_span(telemetry).status.status_code is StatusCode.UNSET


@needs_stream_cm
def test_sync_stream_with_block_and_close(client, emulator, telemetry):
    with chat(client, extra_headers=HEADERS) as stream:
        assert isinstance(stream, openai.Stream)
        chunks = list(stream)
    assert len(chunks) == CHUNKS + 2
    span = only_span(telemetry)
    assert span.status.status_code is StatusCode.UNSET
    assert span.attributes["gen_ai.response.finish_reasons"] == ("stop",)
    stream.close()  # closing an ended stream again is harmless
    assert len(telemetry.spans()) == 1


async def test_async_stream_is_the_sdk_async_stream(async_client, emulator, telemetry):
    stream = await chat(async_client, extra_headers=HEADERS)

    assert isinstance(stream, openai.AsyncStream)
    assert isinstance(stream.response, http_module().Response)
    assert stream.response.status_code == 200
    chunks = [chunk async for chunk in stream]
    assert len(chunks) == CHUNKS + 2
    span = only_span(telemetry)
    assert span.status.status_code is StatusCode.UNSET
    assert span.attributes["gen_ai.response.finish_reasons"] == ("stop",)


@needs_async_stream_cm
@needs_async_stream_close
async def test_async_stream_async_with_and_close(async_client, emulator, telemetry):
    async with await chat(async_client, extra_headers=HEADERS) as stream:
        assert isinstance(stream, openai.AsyncStream)
        chunks = [chunk async for chunk in stream]
    assert len(chunks) == CHUNKS + 2
    assert only_span(telemetry).status.status_code is StatusCode.UNSET
    await stream.close()
    assert len(telemetry.spans()) == 1


def test_sync_proxy_has_close_only_if_sdk_stream_has(client, emulator, telemetry):
    stream = chat(client)
    assert hasattr(stream, "close") == HAS_STREAM_CLOSE
    list(stream)


# === 2. Usage the caller did not ask for ======================================================


def test_usage_requested_and_hidden_sync(client, instrument, emulator, telemetry):
    usage = reference_usage(client, model=MODEL, messages=MESSAGES, extra_headers=HEADERS)
    with uninstrumented(instrument, telemetry):
        expected = list(chat(client, extra_headers=HEADERS))
    assert "stream_options" not in last_body(emulator)
    emulator.clear_requests()

    chunks = list(chat(client, extra_headers=HEADERS))

    assert last_body(emulator) == {
        "model": MODEL,
        "messages": MESSAGES,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    assert dumps(chunks) == dumps(expected)
    assert all(c.choices for c in chunks)  # the usage-only chunk is not delivered
    span = only_span(telemetry)
    assert span.name == f"chat {MODEL}"
    assert span.kind is trace.SpanKind.CLIENT
    assert span.status.status_code is StatusCode.UNSET
    assert dict(span.attributes) == {
        **request_attributes(emulator),
        **chunk_attributes(chunks[0]),
        **usage_attributes(usage),
        "gen_ai.response.finish_reasons": ("stop",),
        TTFC_ATTRIBUTE: ttfc_of(span),
        USAGE_REQUESTED: True,
    }
    assert_stream_metrics(telemetry, emulator, span, len(chunks), usage)


async def test_usage_requested_and_hidden_async(
    async_client, client, instrument, emulator, telemetry
):
    usage = reference_usage(client, model=MODEL, messages=MESSAGES, extra_headers=HEADERS)
    with uninstrumented(instrument, telemetry):
        expected = [c async for c in await chat(async_client, extra_headers=HEADERS)]
    emulator.clear_requests()

    chunks = [c async for c in await chat(async_client, extra_headers=HEADERS)]

    assert last_body(emulator)["stream_options"] == {"include_usage": True}
    assert dumps(chunks) == dumps(expected)
    assert all(c.choices for c in chunks)
    span = only_span(telemetry)
    assert dict(span.attributes) == {
        **request_attributes(emulator),
        **chunk_attributes(chunks[0]),
        **usage_attributes(usage),
        "gen_ai.response.finish_reasons": ("stop",),
        TTFC_ATTRIBUTE: ttfc_of(span),
        USAGE_REQUESTED: True,
    }
    assert_stream_metrics(telemetry, emulator, span, len(chunks), usage)


@needs_stream_options
def test_caller_stream_options_without_include_usage_get_it_added(client, emulator, telemetry):
    list(chat(client, stream_options={}))
    assert last_body(emulator)["stream_options"] == {"include_usage": True}
    assert only_span(telemetry).attributes[USAGE_REQUESTED] is True


def _assert_caller_usage_delivered(emulator, telemetry, chunks: list[Any]) -> None:
    usage_chunk = chunks[-1]
    usage = get(usage_chunk, "usage")
    assert usage_chunk.choices == []
    assert usage is not None
    assert all(c.choices for c in chunks[:-1])
    span = only_span(telemetry)
    assert dict(span.attributes) == {
        **request_attributes(emulator),
        **chunk_attributes(chunks[0]),
        **usage_attributes(usage),
        "gen_ai.response.finish_reasons": ("stop",),
        TTFC_ATTRIBUTE: ttfc_of(span),
    }
    # The delivered usage chunk is a chunk like the others: it is timed.
    assert_stream_metrics(telemetry, emulator, span, len(chunks), usage)


@needs_stream_options
def test_caller_asked_for_usage_gets_usage_chunk(client, emulator, telemetry):
    chunks = list(chat(client, stream_options={"include_usage": True}, extra_headers=HEADERS))
    assert last_body(emulator)["stream_options"] == {"include_usage": True}
    assert "extra_body" not in last_body(emulator)
    assert len(chunks) == CHUNKS + 3
    _assert_caller_usage_delivered(emulator, telemetry, chunks)


@needs_stream_options
async def test_caller_asked_for_usage_gets_usage_chunk_async(async_client, emulator, telemetry):
    stream = await chat(async_client, stream_options={"include_usage": True}, extra_headers=HEADERS)
    chunks = [c async for c in stream]
    assert len(chunks) == CHUNKS + 3
    _assert_caller_usage_delivered(emulator, telemetry, chunks)


def test_caller_asked_for_usage_through_extra_body(client, emulator, telemetry):
    chunks = list(
        chat(client, extra_body={"stream_options": {"include_usage": True}}, extra_headers=HEADERS)
    )
    assert last_body(emulator)["stream_options"] == {"include_usage": True}
    _assert_caller_usage_delivered(emulator, telemetry, chunks)


def _assert_no_usage(emulator, telemetry, chunks: list[Any]) -> None:
    assert all(c.choices for c in chunks)
    assert all(get(c, "usage") is None for c in chunks)
    span = only_span(telemetry)
    assert dict(span.attributes) == {
        **request_attributes(emulator),
        **chunk_attributes(chunks[0]),
        "gen_ai.response.finish_reasons": ("stop",),
        TTFC_ATTRIBUTE: ttfc_of(span),
    }
    assert_stream_metrics(telemetry, emulator, span, len(chunks), None)


@needs_stream_options
def test_caller_declined_usage_nothing_injected(client, emulator, telemetry):
    chunks = list(chat(client, stream_options={"include_usage": False}, extra_headers=HEADERS))
    assert last_body(emulator)["stream_options"] == {"include_usage": False}
    assert len(chunks) == CHUNKS + 2
    _assert_no_usage(emulator, telemetry, chunks)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("AGENTOPS_STREAM_USAGE", "false"),
        ("AGENTOPS_STREAM_USAGE", "0"),
        ("AGENTOPS_STREAM_USAGE", " OFF "),
        ("AGENTOPS_OPENAI_STREAM_USAGE", "false"),  # the earlier name still works
    ],
)
def test_env_switch_stops_usage_request(
    client, instrument, emulator, telemetry, monkeypatch, variable, value
):
    monkeypatch.setenv(variable, value)
    # Settings are read once, when instrumenting.
    instrument.uninstrument()
    instrument.instrument(
        tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
    )
    chunks = list(chat(client, extra_headers=HEADERS))
    assert last_body(emulator) == {"model": MODEL, "messages": MESSAGES, "stream": True}
    assert len(chunks) == CHUNKS + 2
    _assert_no_usage(emulator, telemetry, chunks)


# === 3. Every way a stream ends: one span, ended once =========================================


def estimated_usage(received: list[Any], messages: list[dict] = MESSAGES) -> dict:
    """A stream left before its usage chunk is estimated (four characters a token) from the
    prompt's text and the text received, and marked as an estimate."""
    prompt = sum(len(m["content"]) for m in messages)
    text = "".join(c.choices[0].delta.content or "" for c in received if c.choices)
    return {
        "agentops.usage.estimated": True,
        "agentops.usage.estimated_input_tokens": math.ceil(prompt / 4),
        "agentops.usage.estimated_output_tokens": math.ceil(len(text) / 4),
    }


def _first_chunk_only_attributes(emulator, span, first: Any) -> dict:
    return {
        **request_attributes(emulator),
        **chunk_attributes(first),
        TTFC_ATTRIBUTE: ttfc_of(span),
        USAGE_REQUESTED: True,
        **estimated_usage([first]),
    }


@needs_stream_close
def test_break_then_close_sync(client, emulator, telemetry):
    stream = chat(client, extra_headers=HEADERS)
    for chunk in stream:
        first = chunk
        break
    assert telemetry.spans() == []
    stream.close()
    span = only_span(telemetry)
    assert span.status.status_code is StatusCode.UNSET
    assert dict(span.attributes) == _first_chunk_only_attributes(emulator, span, first)
    assert_stream_metrics(telemetry, emulator, span, 1, None)
    stream.close()
    assert len(telemetry.spans()) == 1


@needs_async_stream_close
async def test_break_then_close_async(async_client, emulator, telemetry):
    stream = await chat(async_client, extra_headers=HEADERS)
    async for chunk in stream:
        first = chunk
        break
    assert telemetry.spans() == []
    await stream.close()
    span = only_span(telemetry)
    assert span.status.status_code is StatusCode.UNSET
    assert dict(span.attributes) == _first_chunk_only_attributes(emulator, span, first)


def test_break_then_dropped_is_abandoned_not_failed_sync(client, emulator, telemetry):
    stream = chat(client, extra_headers=HEADERS)
    for chunk in stream:
        first = chunk
        break
    assert telemetry.spans() == []
    del stream
    gc.collect()
    span = only_span(telemetry)
    assert span.status.status_code is StatusCode.UNSET
    assert span.status.description is None
    assert dict(span.attributes) == _first_chunk_only_attributes(emulator, span, first)
    assert_stream_metrics(telemetry, emulator, span, 1, None)


async def test_break_then_dropped_is_abandoned_not_failed_async(async_client, emulator, telemetry):
    stream = await chat(async_client, extra_headers=HEADERS)
    async for chunk in stream:
        first = chunk
        break
    del stream
    gc.collect()
    span = only_span(telemetry)
    assert span.status.status_code is StatusCode.UNSET
    assert dict(span.attributes) == _first_chunk_only_attributes(emulator, span, first)


@needs_stream_cm
def test_with_block_left_early_sync(client, emulator, telemetry):
    with chat(client, extra_headers=HEADERS) as stream:
        for chunk in stream:
            first = chunk
            break
    span = only_span(telemetry)  # right after the block, no garbage collection needed
    assert span.status.status_code is StatusCode.UNSET
    assert dict(span.attributes) == _first_chunk_only_attributes(emulator, span, first)


@needs_async_stream_cm
async def test_with_block_left_early_async(async_client, emulator, telemetry):
    async with await chat(async_client, extra_headers=HEADERS) as stream:
        async for chunk in stream:
            first = chunk
            break
    span = only_span(telemetry)
    assert span.status.status_code is StatusCode.UNSET
    assert dict(span.attributes) == _first_chunk_only_attributes(emulator, span, first)


def _assert_caller_error_span(emulator, telemetry, first: Any) -> None:
    """An exception in the caller's own code inside ``with`` is not a failure of the call: the
    span ends with what was received, without error."""
    span = only_span(telemetry)
    assert span.status.status_code is StatusCode.UNSET
    assert span.status.description is None
    assert dict(span.attributes) == {
        **request_attributes(emulator),
        **chunk_attributes(first),
        TTFC_ATTRIBUTE: ttfc_of(span),
        USAGE_REQUESTED: True,
        **estimated_usage([first]),
    }
    duration = single_point(telemetry, DURATION)
    assert dict(duration.attributes) == {
        **metric_attributes(emulator),
        "gen_ai.response.model": first.model,
    }
    assert telemetry.metrics().get(TOKEN_USAGE, []) == []


@needs_stream_cm
def test_caller_exception_inside_with_sync(client, emulator, telemetry):
    with pytest.raises(ValueError, match="caller gave up"), chat(client) as stream:
        for chunk in stream:
            first = chunk
            raise ValueError("caller gave up")
    _assert_caller_error_span(emulator, telemetry, first)


@needs_async_stream_cm
async def test_caller_exception_inside_with_async(async_client, emulator, telemetry):
    with pytest.raises(ValueError, match="caller gave up"):
        async with await chat(async_client) as stream:
            async for chunk in stream:
                first = chunk
                raise ValueError("caller gave up")
    _assert_caller_error_span(emulator, telemetry, first)


def _assert_cut_span(emulator, telemetry, error: BaseException, first: Any) -> None:
    span = only_span(telemetry)
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description == str(error)
    error_type = span.attributes["error.type"]
    assert_resolves_to(error_type, error)
    assert dict(span.attributes) == {
        **request_attributes(emulator),
        "gen_ai.response.model": first.model,
        TTFC_ATTRIBUTE: ttfc_of(span),
        USAGE_REQUESTED: True,
        "error.type": error_type,
    }
    duration = single_point(telemetry, DURATION)
    assert dict(duration.attributes) == {
        **metric_attributes(emulator),
        "gen_ai.response.model": first.model,
        "error.type": error_type,
    }
    assert telemetry.metrics().get(TOKEN_USAGE, []) == []


CUT = {"x-emulator-fault": "stream-cut", **HEADERS}


def test_stream_cut_sync(client, emulator, telemetry):
    with suppress_instrumentation(), pytest.raises(Exception) as reference:
        list(chat(client, extra_headers=CUT))
    received: list[Any] = []
    with pytest.raises(type(reference.value)) as raised:
        for chunk in chat(client, extra_headers=CUT):
            received.append(chunk)
    assert type(raised.value) is type(reference.value)
    assert str(raised.value) == str(reference.value)
    assert received  # the cut comes mid-stream, after some chunks
    _assert_cut_span(emulator, telemetry, raised.value, received[0])


async def test_stream_cut_async(async_client, emulator, telemetry):
    with suppress_instrumentation(), pytest.raises(Exception) as reference:
        [c async for c in await chat(async_client, extra_headers=CUT)]
    received: list[Any] = []
    with pytest.raises(type(reference.value)) as raised:
        async for chunk in await chat(async_client, extra_headers=CUT):
            received.append(chunk)
    assert type(raised.value) is type(reference.value)
    assert received
    _assert_cut_span(emulator, telemetry, raised.value, received[0])


def _assert_http_500_span(emulator, telemetry) -> None:
    span = only_span(telemetry)
    assert span.status.status_code is StatusCode.ERROR
    assert dict(span.attributes) == {
        **request_attributes(emulator),
        USAGE_REQUESTED: True,
        "error.type": "openai.InternalServerError",
    }
    metrics = telemetry.metrics()
    assert metrics.get(TTFC, []) == []
    assert metrics.get(TIME_PER_CHUNK, []) == []
    assert dict(single_point(telemetry, DURATION).attributes) == {
        **metric_attributes(emulator),
        "error.type": "openai.InternalServerError",
    }


def test_http_500_before_any_chunk_sync(client, emulator, telemetry):
    with pytest.raises(openai.InternalServerError):
        chat(client, extra_headers={"x-emulator-fault": "http-500"})
    _assert_http_500_span(emulator, telemetry)


async def test_http_500_before_any_chunk_async(async_client, emulator, telemetry):
    with pytest.raises(openai.InternalServerError):
        await chat(async_client, extra_headers={"x-emulator-fault": "http-500"})
    _assert_http_500_span(emulator, telemetry)


# === 4. Streaming metrics ======================================================================

SLOW = {"x-emulator-fault": "slow-first-chunk", "x-emulator-delay-ms": "200"}


def _assert_slow_first_chunk(telemetry, chunks: list[Any]) -> None:
    span = only_span(telemetry)
    assert span.attributes["gen_ai.request.stream"] is True
    assert span.attributes[TTFC_ATTRIBUTE] >= 0.2
    ttfc = single_point(telemetry, TTFC)
    assert ttfc.count == 1
    assert ttfc.sum >= 0.2
    assert ttfc.sum == span.attributes[TTFC_ATTRIBUTE]
    per_chunk = single_point(telemetry, TIME_PER_CHUNK)
    assert per_chunk.count == len(chunks) - 1
    assert per_chunk.sum < ttfc.sum  # only the first chunk was slow


def test_slow_first_chunk_sync(client, telemetry):
    _assert_slow_first_chunk(telemetry, list(chat(client, extra_headers=SLOW)))


async def test_slow_first_chunk_async(async_client, telemetry):
    chunks = [c async for c in await chat(async_client, extra_headers=SLOW)]
    _assert_slow_first_chunk(telemetry, chunks)


# === 5. Context =================================================================================


def _assert_context(telemetry, outer_name: str = "caller") -> None:
    spans = {s.name: s for s in telemetry.spans()}
    assert len(telemetry.spans()) == 3, [s.name for s in telemetry.spans()]
    outer, between, llm = spans[outer_name], spans["between chunks"], spans[f"chat {MODEL}"]
    assert llm.parent is not None
    assert llm.parent.span_id == outer.context.span_id
    assert between.parent is not None
    assert between.parent.span_id == outer.context.span_id
    assert llm.context.trace_id == outer.context.trace_id


def test_caller_spans_between_chunks_are_not_children_sync(client, telemetry):
    tracer = telemetry.tracer_provider.get_tracer("caller")
    with tracer.start_as_current_span("caller") as outer:
        stream = chat(client)
        assert trace.get_current_span() is outer
        for index, _chunk in enumerate(stream):
            if index == 1:
                with tracer.start_as_current_span("between chunks"):
                    pass
            assert trace.get_current_span() is outer
    assert trace.get_current_span() is trace.INVALID_SPAN
    _assert_context(telemetry)


async def test_caller_spans_between_chunks_are_not_children_async(async_client, telemetry):
    tracer = telemetry.tracer_provider.get_tracer("caller")
    with tracer.start_as_current_span("caller") as outer:
        stream = await chat(async_client)
        assert trace.get_current_span() is outer
        index = 0
        async for _chunk in stream:
            if index == 1:
                with tracer.start_as_current_span("between chunks"):
                    pass
            assert trace.get_current_span() is outer
            index += 1
    assert trace.get_current_span() is trace.INVALID_SPAN
    _assert_context(telemetry)


def test_raw_response_does_not_leave_llm_span_current(client, telemetry):
    tracer = telemetry.tracer_provider.get_tracer("caller")
    with tracer.start_as_current_span("caller") as outer:
        raw = client.chat.completions.with_raw_response.create(
            model=MODEL, messages=MESSAGES, stream=True
        )
        try:
            with tracer.start_as_current_span("between chunks"):
                pass
            assert trace.get_current_span() is outer
        finally:
            list(raw.parse())
    _assert_context(telemetry)


# === 6. SDK helpers and other stream kinds =====================================================


@needs_chat_stream_helper
def test_chat_stream_helper(client, instrument, emulator, telemetry):
    usage = reference_usage(client, model=MODEL, messages=MESSAGES, extra_headers=HEADERS)
    with (
        uninstrumented(instrument, telemetry),
        client.chat.completions.stream(
            model=MODEL, messages=MESSAGES, extra_headers=HEADERS
        ) as stream,
    ):
        expected_events = [event.type for event in stream]
        expected_final = stream.get_final_completion()
    emulator.clear_requests()

    with client.chat.completions.stream(
        model=MODEL, messages=MESSAGES, extra_headers=HEADERS
    ) as stream:
        events = list(stream)
        final = stream.get_final_completion()

    assert last_body(emulator)["stream_options"] == {"include_usage": True}
    assert [e.type for e in events] == expected_events
    deltas = "".join(e.delta for e in events if e.type == "content.delta")
    done = [e.content for e in events if e.type == "content.done"]
    assert done == [deltas]
    assert final.choices[0].message.content == deltas
    assert final.choices[0].message.content == expected_final.choices[0].message.content
    assert final.usage is None  # the caller did not ask; the hidden chunk stays hidden
    assert final.usage == expected_final.usage
    span = only_span(telemetry)
    assert span.status.status_code is StatusCode.UNSET
    assert dict(span.attributes) == {
        **request_attributes(emulator),
        "gen_ai.response.model": final.model,
        "gen_ai.response.id": final.id,
        "openai.response.system_fingerprint": final.system_fingerprint,
        "openai.response.service_tier": final.service_tier,
        **usage_attributes(usage),
        "gen_ai.response.finish_reasons": ("stop",),
        TTFC_ATTRIBUTE: ttfc_of(span),
        USAGE_REQUESTED: True,
    }
    chunk_events = [e for e in events if e.type == "chunk"]
    assert_stream_metrics(telemetry, emulator, span, len(chunk_events), usage)


@needs_chat_stream_helper
def test_chat_stream_helper_left_after_first_event(client, emulator, telemetry):
    with client.chat.completions.stream(model=MODEL, messages=MESSAGES) as stream:
        for event in stream:
            assert event.type == "chunk"
            break
        assert telemetry.spans() == []
    span = only_span(telemetry)  # right after the block, not at garbage collection
    assert span.status.status_code is StatusCode.UNSET
    assert dict(span.attributes) == _first_chunk_only_attributes(emulator, span, event.chunk)


@needs_chat_stream_helper
async def test_chat_stream_helper_async(async_client, client, emulator, telemetry):
    usage = reference_usage(client, model=MODEL, messages=MESSAGES, extra_headers=HEADERS)
    async with async_client.chat.completions.stream(
        model=MODEL, messages=MESSAGES, extra_headers=HEADERS
    ) as stream:
        events = [event async for event in stream]
        final = await stream.get_final_completion()
    deltas = "".join(e.delta for e in events if e.type == "content.delta")
    assert final.choices[0].message.content == deltas
    assert final.usage is None
    span = only_span(telemetry)
    assert span.attributes["gen_ai.usage.input_tokens"] == get(usage, "prompt_tokens")
    assert span.attributes["gen_ai.usage.output_tokens"] == get(usage, "completion_tokens")
    assert span.attributes["gen_ai.response.finish_reasons"] == ("stop",)

    telemetry.span_exporter.clear()
    async with async_client.chat.completions.stream(model=MODEL, messages=MESSAGES) as stream:
        async for chunk_event in stream:
            event = chunk_event
            break
    span = only_span(telemetry)
    assert span.status.status_code is StatusCode.UNSET
    assert dict(span.attributes) == _first_chunk_only_attributes(emulator, span, event.chunk)


def _responses_usage_attributes(usage: Any) -> dict:
    return {
        "gen_ai.usage.input_tokens": usage.input_tokens,
        "gen_ai.usage.output_tokens": usage.output_tokens,
    }


def _assert_responses_span(emulator, telemetry, final: Any, events: list[Any]) -> None:
    assert final.status == "completed"
    span = only_span(telemetry)
    assert span.name == f"chat {MODEL}"
    assert span.status.status_code is StatusCode.UNSET
    assert dict(span.attributes) == {
        **request_attributes(emulator, api_type="responses"),
        "gen_ai.response.model": final.model,
        "gen_ai.response.id": final.id,
        "openai.response.service_tier": final.service_tier,
        **_responses_usage_attributes(final.usage),
        "gen_ai.response.finish_reasons": ("stop",),
        TTFC_ATTRIBUTE: ttfc_of(span),
    }
    points = telemetry.metrics()
    assert single_point(telemetry, TIME_PER_CHUNK).count == len(events) - 1
    tokens = {p.attributes["gen_ai.token.type"]: p.sum for p in points[TOKEN_USAGE]}
    assert tokens == {"input": final.usage.input_tokens, "output": final.usage.output_tokens}


@needs_responses
def test_responses_create_stream(client, emulator, telemetry):
    stream = client.responses.create(model=MODEL, input="say hello to the world", stream=True)
    assert isinstance(stream, openai.Stream)
    events = list(stream)
    assert "stream_options" not in last_body(emulator)
    assert events[-1].type == "response.completed"
    _assert_responses_span(emulator, telemetry, events[-1].response, events)


@needs_responses
async def test_responses_create_stream_async(async_client, emulator, telemetry):
    stream = await async_client.responses.create(
        model=MODEL, input="say hello to the world", stream=True
    )
    assert isinstance(stream, openai.AsyncStream)
    events = [event async for event in stream]
    assert events[-1].type == "response.completed"
    _assert_responses_span(emulator, telemetry, events[-1].response, events)


@needs_responses_stream_helper
def test_responses_stream_helper(client, emulator, telemetry):
    with client.responses.stream(model=MODEL, input="say hello to the world") as stream:
        events = list(stream)
        final = stream.get_final_response()
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert final.output_text == text
    _assert_responses_span(emulator, telemetry, final, events)


@needs_responses_stream_helper
async def test_responses_stream_helper_async(async_client, emulator, telemetry):
    async with async_client.responses.stream(model=MODEL, input="say hello to the world") as stream:
        events = [event async for event in stream]
        final = await stream.get_final_response()
    _assert_responses_span(emulator, telemetry, final, events)


@needs_responses_stream_helper
def test_responses_stream_helper_left_early(client, emulator, telemetry):
    with client.responses.stream(model=MODEL, input="say hello to the world") as stream:
        for event in stream:
            assert event.type == "response.created"
            break
    span = only_span(telemetry)
    assert span.status.status_code is StatusCode.UNSET
    created = event.response
    # What response.created said: no usage, no finish reason yet; usage is estimated from
    # the input (no output text was received).
    assert dict(span.attributes) == {
        **request_attributes(emulator, api_type="responses"),
        "gen_ai.response.model": created.model,
        "gen_ai.response.id": created.id,
        "openai.response.service_tier": created.service_tier,
        TTFC_ATTRIBUTE: ttfc_of(span),
        "agentops.usage.estimated": True,
        "agentops.usage.estimated_input_tokens": math.ceil(len("say hello to the world") / 4),
        "agentops.usage.estimated_output_tokens": 0,
    }


def test_with_raw_response_stream(client, emulator, telemetry):
    usage = reference_usage(client, model=MODEL, messages=MESSAGES)
    raw = client.chat.completions.with_raw_response.create(
        model=MODEL, messages=MESSAGES, stream=True
    )
    stream = raw.parse()
    assert isinstance(stream, openai.Stream)
    assert telemetry.spans() == []
    chunks = list(stream)
    assert all(c.choices for c in chunks)
    span = only_span(telemetry)
    assert dict(span.attributes) == {
        **request_attributes(emulator),
        **chunk_attributes(chunks[0]),
        **usage_attributes(usage),
        "gen_ai.response.finish_reasons": ("stop",),
        TTFC_ATTRIBUTE: ttfc_of(span),
        USAGE_REQUESTED: True,
    }


async def test_with_raw_response_stream_async(async_client, client, emulator, telemetry):
    usage = reference_usage(client, model=MODEL, messages=MESSAGES)
    raw = await async_client.chat.completions.with_raw_response.create(
        model=MODEL, messages=MESSAGES, stream=True
    )
    stream = raw.parse()
    if inspect.isawaitable(stream):
        stream = await stream
    assert isinstance(stream, openai.AsyncStream)
    chunks = [c async for c in stream]
    span = only_span(telemetry)
    assert dict(span.attributes) == {
        **request_attributes(emulator),
        **chunk_attributes(chunks[0]),
        **usage_attributes(usage),
        "gen_ai.response.finish_reasons": ("stop",),
        TTFC_ATTRIBUTE: ttfc_of(span),
        USAGE_REQUESTED: True,
    }


def test_legacy_completions_stream(client, instrument, emulator, telemetry):
    kwargs = {"model": LEGACY_MODEL, "prompt": "say hello", "stream": True}
    with uninstrumented(instrument, telemetry):
        expected = list(client.completions.create(**kwargs))
        reference = list(
            client.completions.create(
                **kwargs, extra_body={"stream_options": {"include_usage": True}}
            )
        )
    usage = get(reference[-1], "usage")
    assert reference[-1].choices == []
    emulator.clear_requests()

    stream = client.completions.create(**kwargs)
    assert isinstance(stream, openai.Stream)
    chunks = list(stream)

    assert last_body(emulator)["stream_options"] == {"include_usage": True}
    assert dumps(chunks) == dumps(expected)
    span = only_span(telemetry)
    assert span.name == f"text_completion {LEGACY_MODEL}"
    assert dict(span.attributes) == {
        **request_attributes(emulator, LEGACY_MODEL, "text_completion"),
        **chunk_attributes(chunks[0]),
        **usage_attributes(usage),
        "gen_ai.response.finish_reasons": ("stop",),
        TTFC_ATTRIBUTE: ttfc_of(span),
        USAGE_REQUESTED: True,
    }
    assert_stream_metrics(
        telemetry,
        emulator,
        span,
        len(chunks),
        usage,
        model=LEGACY_MODEL,
        operation="text_completion",
        response_model=LEGACY_MODEL,
    )


@needs_tools
def test_tool_call_stream(client, emulator, telemetry):
    kwargs = {"model": MODEL, "messages": MESSAGES, "tools": [WEATHER_TOOL]}
    usage = reference_usage(client, **kwargs)
    chunks = list(client.chat.completions.create(stream=True, **kwargs))
    arguments = "".join(
        call.function.arguments or ""
        for c in chunks
        for call in c.choices[0].delta.tool_calls or ()
    )
    assert json.loads(arguments) == {"city": "example"}
    span = only_span(telemetry)
    assert dict(span.attributes) == {
        **request_attributes(emulator),
        **chunk_attributes(chunks[0]),
        **usage_attributes(usage),
        "gen_ai.response.finish_reasons": ("tool_calls",),
        TTFC_ATTRIBUTE: ttfc_of(span),
        USAGE_REQUESTED: True,
    }


# === 7. Content capture =======================================================================


def test_captured_streamed_text_is_reassembled(capture_client, emulator, telemetry):
    chunks = list(chat(capture_client, extra_headers=HEADERS))
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert len([c for c in chunks if c.choices[0].delta.content]) == CHUNKS
    span = only_span(telemetry)
    assert json.loads(span.attributes["gen_ai.input.messages"]) == [
        {
            "role": "user",
            "parts": [{"type": "text", "content": MESSAGES[0]["content"]}],
            "name": None,
        }
    ]
    assert json.loads(span.attributes["gen_ai.output.messages"]) == [
        {
            "role": "assistant",
            "parts": [{"type": "text", "content": text}],
            "finish_reason": "stop",
            "name": None,
        }
    ]


@needs_tools
def test_captured_streamed_tool_call_is_reassembled(capture_client, emulator, telemetry):
    stream = capture_client.chat.completions.create(
        model=MODEL,
        messages=MESSAGES,
        tools=[WEATHER_TOOL],
        stream=True,
        extra_headers={"x-emulator-chunks": "3"},
    )
    chunks = list(stream)
    calls = [call for c in chunks for call in c.choices[0].delta.tool_calls or ()]
    pieces = [call.function.arguments for call in calls if call.function.arguments]
    assert len(pieces) == 3  # the arguments really arrived in pieces
    span = only_span(telemetry)
    assert span.attributes["gen_ai.response.finish_reasons"] == ("tool_calls",)
    assert json.loads(span.attributes["gen_ai.output.messages"]) == [
        {
            "role": "assistant",
            "parts": [
                {
                    "type": "tool_call",
                    "id": calls[0].id,
                    "name": "get_weather",
                    "arguments": json.loads("".join(pieces)),
                }
            ],
            "finish_reason": "tool_call",
            "name": None,
        }
    ]
    assert json.loads(span.attributes["gen_ai.tool.definitions"]) == [
        {
            "type": "function",
            "name": "get_weather",
            "description": None,
            "parameters": WEATHER_TOOL["function"]["parameters"],
        }
    ]
