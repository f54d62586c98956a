"""Streams: chat, FIM, tool calls and parse_stream, sync and async, with exact attributes and
metric points; the caller keeps the SDK's own stream (its type and protocols) and its events;
failures of the stream are errors of the type the SDK raises."""

from __future__ import annotations

import pytest
from conformance.expect import drain, only_span, resolve, uninstrumented
from mistral_expected import (
    FIM_MODEL,
    HAS_PARSE,
    MODEL,
    NO_PARSE,
    assert_call,
    assert_span,
    base_attributes,
    dump,
    error_type,
    make_client,
    method,
    stream_attributes,
    text_of,
    user,
)
from opentelemetry.trace import StatusCode
from test_mistral_calls import WEATHER_TOOL

_PROTOCOLS = ("__iter__", "__aiter__", "__enter__", "__aenter__", "close", "aclose", "response")


def _protocols(stream: object) -> set[str]:
    return {name for name in _PROTOCOLS if hasattr(stream, name)}


async def test_chat_stream(client, telemetry, emulator, instrument, asynchronous):
    stream_call = method(client.chat, "stream", asynchronous)
    with uninstrumented(instrument, telemetry):
        plain = await resolve(stream_call(model=MODEL, messages=user()))
        expected_protocols = _protocols(plain)
        baseline = await drain(plain)
    stream = await resolve(stream_call(model=MODEL, messages=user()))

    assert isinstance(stream, type(plain))  # the SDK's own type (generators on 1.0.x)
    assert _protocols(stream) == expected_protocols
    assert telemetry.spans() == []  # not ended before the caller has read it
    events = await drain(stream)
    assert [dump(e) for e in events] == [dump(e) for e in baseline]
    last = events[-1].data
    assert last.usage is not None  # Mistral's usage comes in the last chunk
    assert_call(
        telemetry,
        f"chat {MODEL}",
        lambda span: base_attributes(emulator) | stream_attributes(events, span),
        input_tokens=last.usage.prompt_tokens,
        output_tokens=last.usage.completion_tokens,
        streamed=True,
    )


async def test_chat_stream_of_n_content_chunks(emulator, telemetry, instrument):
    client = make_client(emulator.mistral_server_url, headers={"x-emulator-chunks": "5"})
    events = list(client.chat.stream(model=MODEL, messages=user()))

    assert len([e for e in events if text_of(e)]) == 5
    points = telemetry.metrics()
    (per_chunk,) = points["gen_ai.client.operation.time_per_output_chunk"]
    assert per_chunk.count == len(events) - 1  # the time between consecutive events


async def test_tool_call_stream(client, telemetry, emulator, asynchronous):
    events = await drain(
        await resolve(
            method(client.chat, "stream", asynchronous)(
                model=MODEL, messages=user("weather in Paris?"), tools=[WEATHER_TOOL]
            )
        )
    )

    (call,) = [c for e in events for c in (e.data.choices[0].delta.tool_calls or [])]
    assert call.function.name == "get_weather"
    span = only_span(telemetry)
    expected = base_attributes(emulator) | stream_attributes(events, span)
    assert expected["gen_ai.response.finish_reasons"] == ("tool_calls",)
    assert_span(span, f"chat {MODEL}", expected)


async def test_fim_stream(client, telemetry, emulator, instrument, asynchronous):
    stream_call = method(client.fim, "stream", asynchronous)
    kwargs = {"model": FIM_MODEL, "prompt": "def add(a, b):", "max_tokens": 30}
    with uninstrumented(instrument, telemetry):
        baseline = await drain(await resolve(stream_call(**kwargs)))
    events = await drain(await resolve(stream_call(**kwargs)))

    assert [dump(e) for e in events] == [dump(e) for e in baseline]
    start = base_attributes(emulator, model=FIM_MODEL, operation="text_completion")
    assert_call(
        telemetry,
        f"text_completion {FIM_MODEL}",
        lambda span: start | {"gen_ai.request.max_tokens": 30} | stream_attributes(events, span),
        input_tokens=3,
        output_tokens=events[-1].data.usage.completion_tokens,
        streamed=True,
    )


@pytest.mark.skipif(not HAS_PARSE, reason=NO_PARSE)
async def test_parse_stream_is_one_span(client, telemetry, emulator, instrument, asynchronous):
    from pydantic import BaseModel

    class City(BaseModel):
        name: str

    parse_stream = method(client.chat, "parse_stream", asynchronous)
    with uninstrumented(instrument, telemetry):
        baseline = await drain(
            await resolve(parse_stream(response_format=City, model=MODEL, messages=user()))
        )
    events = await drain(
        await resolve(parse_stream(response_format=City, model=MODEL, messages=user()))
    )

    assert [dump(e) for e in events] == [dump(e) for e in baseline]
    assert City.model_validate_json("".join(text_of(e) for e in events)).name == "example"
    span = only_span(telemetry)  # parse_stream calls stream: one span
    expected = (
        base_attributes(emulator) | {"gen_ai.output.type": "json"} | stream_attributes(events, span)
    )
    assert_span(span, f"chat {MODEL}", expected)


async def _failure(stream_call, received: list) -> BaseException:
    with pytest.raises(Exception) as raised:  # the SDK's own class, which varies by version
        stream = await resolve(stream_call(model=MODEL, messages=user()))
        if hasattr(stream, "__aiter__"):
            async for event in stream:
                received.append(event)
        else:
            received.extend(stream)
    return raised.value


@pytest.mark.parametrize("fault", ["stream-error", "http-500"])
async def test_a_failing_stream_is_an_error_of_the_sdks_type(
    emulator, telemetry, instrument, asynchronous, fault
):
    # stream-error: an error object mid-stream, which the SDK fails to read as a chunk;
    # http-500: the stream's request fails (1.0.x cannot even read the error's body).
    headers = {"x-emulator-fault": fault, "x-emulator-chunks": "10"}
    client = make_client(emulator.mistral_server_url, headers=headers)
    stream_call = method(client.chat, "stream", asynchronous)
    before: list = []
    with uninstrumented(instrument, telemetry):
        expected = await _failure(stream_call, before)
    received: list = []
    error = await _failure(stream_call, received)

    assert type(error) is type(expected)
    assert [dump(e) for e in received] == [dump(e) for e in before]
    span = only_span(telemetry)
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["error.type"] == error_type(type(error))
    (duration,) = telemetry.metrics()["gen_ai.client.operation.duration"]
    assert duration.attributes["error.type"] == error_type(type(error))
    assert "gen_ai.client.token.usage" not in telemetry.metrics()
