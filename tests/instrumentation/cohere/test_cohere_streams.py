"""v1 (NDJSON) and v2 (SSE) chat streams, sync and async: the SDK's own generators, a lazy
first read inside the span's context, usage from the final event, tool calls, in-band errors."""

from __future__ import annotations

import inspect
import json
import math
from typing import Any

import cohere
import httpx
import pytest
from cohere_helpers import (
    API_KEY,
    V1_MODEL,
    V1_TOOL,
    V2_MODEL,
    V2_TOOL,
    assert_call,
    base_url,
    drain,
    dump,
    get,
    make_client,
    only_span,
    options,
    output,
    reasoning,
    start_attributes,
    text,
    tool_call,
    uninstrumented,
    usage_attributes,
)
from opentelemetry import propagate
from opentelemetry.trace import StatusCode

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

USER = "Write one sentence about the sea please"


def user() -> list[dict[str, Any]]:
    return [{"role": "user", "content": USER}]


def v1_stream(client: Any, **kwargs: Any) -> Any:
    return client.chat_stream(message=USER, model=V1_MODEL, **kwargs)


def v2_stream(client: Any, **kwargs: Any) -> Any:
    return client.chat_stream(model=V2_MODEL, messages=user(), **kwargs)


async def test_v1_stream(v1, instrument, telemetry, emulator, asynchronous):
    baseline = await uninstrumented(instrument, telemetry, lambda: drain(v1_stream(v1)))
    stream = v1_stream(v1)
    # The SDK's own generator, untouched: nothing is sent before the first read.
    kind = inspect.isasyncgen if asynchronous else inspect.isgenerator
    assert kind(stream)
    assert len(emulator.requests) == 1
    chunks = await drain(stream)

    assert [dump(c) for c in chunks] == [dump(c) for c in baseline]
    end = chunks[-1]
    assert end.event_type == "stream-end"
    expected = {
        **start_attributes(emulator, "chat", V1_MODEL, stream=True),
        "gen_ai.response.id": end.response.response_id,
        "gen_ai.response.finish_reasons": ("stop",),
        **usage_attributes(end.response.meta),
    }
    assert_call(telemetry, f"chat {V1_MODEL}", expected)


async def test_v2_stream(v2, instrument, telemetry, emulator, asynchronous):
    baseline = await uninstrumented(instrument, telemetry, lambda: drain(v2_stream(v2)))
    stream = v2_stream(v2)
    kind = inspect.isasyncgen if asynchronous else inspect.isgenerator
    assert kind(stream)
    chunks = await drain(stream)

    assert [dump(c) for c in chunks] == [dump(c) for c in baseline]
    end = chunks[-1]
    assert end.type == "message-end"
    expected = {
        **start_attributes(emulator, "chat", V2_MODEL, stream=True),
        "gen_ai.response.id": end.id,
        "gen_ai.response.finish_reasons": ("stop",),
        **usage_attributes(end.delta.usage),
    }
    assert_call(telemetry, f"chat {V2_MODEL}", expected)


# -- the lazy first read runs in the span's context ----------------------------------------------


def _propagating_client(emulator: Any, version: str, asynchronous: bool) -> Any:
    """A client whose HTTP client injects the current context, as an HTTP instrumentation
    (opentelemetry-instrumentation-httpx) would: what it sends shows the span it ran in."""

    def inject(request: httpx.Request) -> None:
        propagate.inject(request.headers)

    async def inject_async(request: httpx.Request) -> None:
        inject(request)

    if asynchronous:
        http: Any = httpx.AsyncClient(event_hooks={"request": [inject_async]})
    else:
        http = httpx.Client(event_hooks={"request": [inject]})
    make_client(emulator, version, asynchronous)  # skips v2 where the SDK has none
    names = {"v1": ("Client", "AsyncClient"), "v2": ("ClientV2", "AsyncClientV2")}
    kind = getattr(cohere, names[version][asynchronous])
    return kind(api_key=API_KEY, base_url=base_url(emulator), httpx_client=http)


@pytest.mark.parametrize("version", ["v1", "v2"])
async def test_the_request_of_a_lazy_stream_runs_in_the_span(
    instrument, telemetry, emulator, asynchronous, version
):
    client = _propagating_client(emulator, version, asynchronous)
    stream = v1_stream(client) if version == "v1" else v2_stream(client)
    assert emulator.requests == []  # calling chat_stream sends nothing
    await drain(stream)

    span = only_span(telemetry)
    (sent,) = emulator.requests
    _version, trace_id, span_id, _flags = sent.headers["traceparent"].split("-")
    assert int(trace_id, 16) == span.context.trace_id
    assert int(span_id, 16) == span.context.span_id


# -- tool calls ------------------------------------------------------------------------------


async def test_v2_stream_tool_calls(v2, capture, instrument, telemetry):
    chunks = await drain(v2_stream(v2, tools=[V2_TOOL]))

    def deltas(kind: str) -> list[Any]:
        return [get(c, "delta", "message") for c in chunks if c.type == kind]

    plan = "".join(get(m, "tool_plan") for m in deltas("tool-plan-delta"))
    (call,) = [get(m, "tool_calls") for m in deltas("tool-call-start")]
    arguments = "".join(
        get(m, "tool_calls", "function", "arguments") for m in deltas("tool-call-delta")
    )
    span = only_span(telemetry)
    assert span.attributes["gen_ai.response.finish_reasons"] == ("tool_call",)
    assert json.loads(span.attributes["gen_ai.output.messages"]) == output(
        reasoning(plan),
        tool_call(get(call, "function", "name"), get(call, "id"), json.loads(arguments)),
        finish_reason="tool_call",
    )


async def test_v1_stream_tool_calls(v1, capture, instrument, telemetry):
    chunks = await drain(v1_stream(v1, tools=[V1_TOOL]))
    generated = next(c for c in chunks if c.event_type == "tool-calls-generation")
    (call,) = generated.tool_calls
    end = chunks[-1]
    span = only_span(telemetry)
    assert json.loads(span.attributes["gen_ai.output.messages"]) == output(
        text(end.response.text), tool_call(call.name, None, call.parameters), finish_reason="stop"
    )
    assert span.attributes["gen_ai.usage.output_tokens"] == int(
        end.response.meta.billed_units.output_tokens
    )


async def test_streamed_text_is_the_output_message(v2, capture, instrument, telemetry):
    chunks = await drain(v2_stream(v2))
    streamed = "".join(c.delta.message.content.text for c in chunks if c.type == "content-delta")
    span = only_span(telemetry)
    assert json.loads(span.attributes["gen_ai.output.messages"]) == output(
        text(streamed), finish_reason="stop"
    )


# -- in-band errors and cut streams ------------------------------------------------------------


async def test_an_error_event_ends_the_stream_with_the_error_finish_reason(
    v1, v2, instrument, telemetry
):
    faulty = options(**{"x-emulator-fault": "stream-error"})
    v1_chunks = await drain(v1_stream(v1, request_options=faulty))
    v2_chunks = await drain(v2_stream(v2, request_options=faulty))
    # The SDKs yield the error events rather than raise.
    assert v1_chunks[-1].finish_reason == "ERROR"
    assert v2_chunks[-1].delta.finish_reason == "ERROR"
    spans = telemetry.spans()
    assert [s.attributes["gen_ai.response.finish_reasons"] for s in spans] == [("error",)] * 2


@pytest.mark.parametrize("version", ["v1", "v2"])
async def test_a_cut_stream_fails_with_the_transport_error(
    instrument, telemetry, emulator, asynchronous, version
):
    client = make_client(emulator, version, asynchronous)
    cut = options(**{"x-emulator-fault": "stream-cut"})
    stream = (
        v1_stream(client, request_options=cut)
        if version == "v1"
        else v2_stream(client, request_options=cut)
    )
    with pytest.raises(httpx.RemoteProtocolError):
        await drain(stream)
    span = only_span(telemetry)
    assert span.attributes["error.type"] == "httpx.RemoteProtocolError"


async def test_a_stream_refused_on_its_first_read_is_an_error(v2, instrument, telemetry):
    faulty = options(**{"x-emulator-fault": "http-503"})
    with pytest.raises(cohere.ServiceUnavailableError):
        await drain(v2_stream(v2, request_options=faulty))
    span = only_span(telemetry)
    assert span.attributes["error.type"] == "cohere.ServiceUnavailableError"
    assert "gen_ai.response.time_to_first_chunk" not in span.attributes


async def test_closing_a_stream_early_ends_its_span_with_an_estimate(
    v1, instrument, telemetry, asynchronous
):
    stream = v1_stream(v1, request_options=options(**{"x-emulator-chunks": "20"}))
    if asynchronous:
        async for first in stream:
            if first.event_type == "text-generation":
                break
        await stream.aclose()
    else:
        for first in stream:
            if first.event_type == "text-generation":
                break
        stream.close()
    span = only_span(telemetry)
    # Left early: no error, and the usage that never came is estimated, marked as such.
    assert span.status.status_code is StatusCode.UNSET
    assert "error.type" not in span.attributes
    assert "gen_ai.usage.input_tokens" not in span.attributes
    assert span.attributes["agentops.usage.estimated"] is True
    # About four characters a token (AGENTOPS_USAGE_ESTIMATED), of the text received and sent.
    assert span.attributes["agentops.usage.estimated_output_tokens"] == math.ceil(
        len(first.text) / 4
    )
    assert span.attributes["agentops.usage.estimated_input_tokens"] == math.ceil(len(USER) / 4)
