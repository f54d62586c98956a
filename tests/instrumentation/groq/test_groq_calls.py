"""Groq calls that succeed, sync and async: the exact span attributes (server timings
included) and metric points, results unchanged against an uninstrumented run, and requests
sent exactly as the caller made them."""

from __future__ import annotations

import json
import math

import groq
import pytest
from conformance.case import drain, resolve
from conformance.expect import CHAT_PARAMETER_ATTRIBUTES, CHAT_PARAMETERS
from groq_expected import (
    CREATE_PARAMS,
    SDK,
    TOOL,
    TTFC,
    WEATHER,
    assert_span,
    create,
    dumped,
    expected_points,
    expected_result,
    expected_stream,
    only_span,
    points,
    read_stream,
    start_attributes,
)

# --- plain calls ---------------------------------------------------------------------------


async def test_plain_call(sdk, telemetry, emulator, instrumented):
    with instrumented.paused():
        baseline = await resolve(create(sdk.chat.completions))
        sent_uninstrumented = emulator.requests[-1].body

    result = await resolve(create(sdk.chat.completions))

    assert type(result) is type(baseline)
    assert dumped(result) == dumped(baseline)
    assert emulator.requests[-1].body == sent_uninstrumented
    expected = expected_result(emulator, result)
    # Groq's own timings (the emulator's are fixed per token): a queue and a total.
    assert expected["agentops.server.queue_time"] == result.usage.queue_time > 0
    assert math.isclose(
        expected["agentops.server.total_time"],
        result.usage.prompt_time + result.usage.completion_time,
    )
    assert_span(only_span(telemetry), expected)
    assert points(telemetry) == expected_points(expected)


async def test_request_parameters(sdk, telemetry, emulator):
    sent, recorded = CHAT_PARAMETERS, CHAT_PARAMETER_ATTRIBUTES
    result = await resolve(create(sdk.chat.completions, **sent))

    span = only_span(telemetry)
    assert_span(span, expected_result(emulator, result, recorded))
    assert isinstance(span.attributes["gen_ai.request.temperature"], float)


@pytest.mark.skipif(
    "max_completion_tokens" not in CREATE_PARAMS, reason=f"{SDK} has no max_completion_tokens"
)
async def test_max_completion_tokens(sdk, telemetry, emulator):
    result = await resolve(create(sdk.chat.completions, max_completion_tokens=3))

    assert result.choices[0].finish_reason == "length"
    recorded = {"gen_ai.request.max_tokens": 3}
    assert_span(only_span(telemetry), expected_result(emulator, result, recorded))


async def test_tool_call(sdk, telemetry, emulator):
    result = await resolve(create(sdk.chat.completions, WEATHER, tools=[TOOL]))

    assert result.choices[0].message.tool_calls[0].function.name == "get_weather"
    expected = expected_result(emulator, result)
    assert expected["gen_ai.response.finish_reasons"] == ("tool_calls",)
    assert_span(only_span(telemetry), expected)
    assert points(telemetry) == expected_points(expected)


async def test_cached_tokens(sdk, telemetry, emulator):
    headers = {"x-emulator-cached-tokens": "4"}
    result = await resolve(create(sdk.chat.completions, extra_headers=headers))

    expected = expected_result(emulator, result)
    assert expected["gen_ai.usage.cache_read.input_tokens"] == 4
    assert_span(only_span(telemetry), expected)


# --- streams -------------------------------------------------------------------------------


async def test_stream(sdk, telemetry, emulator, instrumented):
    headers = {"x-emulator-chunks": "6"}
    with instrumented.paused():
        baseline = await read_stream(sdk.chat.completions, extra_headers=headers)
        sent_uninstrumented = emulator.requests[-1].body

    stream = await resolve(create(sdk.chat.completions, stream=True, extra_headers=headers))
    assert isinstance(stream, groq.AsyncStream if hasattr(stream, "__aiter__") else groq.Stream)
    assert stream.response.status_code == 200
    chunks = await drain(stream)

    # No stream_options were added: the body, and so every chunk, is the uninstrumented one.
    assert emulator.requests[-1].body == sent_uninstrumented
    assert "stream_options" not in sent_uninstrumented
    assert [dumped(c) for c in chunks] == [dumped(c) for c in baseline]
    span = only_span(telemetry)
    expected = expected_stream(emulator, span, chunks)
    assert_span(span, expected)
    assert points(telemetry) == expected_points(expected, chunks=len(chunks))
    (first,) = telemetry.metrics()[TTFC]
    assert math.isclose(first.sum, expected["gen_ai.response.time_to_first_chunk"])


async def test_stream_usage_matches_the_plain_call(sdk, telemetry):
    plain = await resolve(create(sdk.chat.completions))
    chunks = await read_stream(sdk.chat.completions)

    plain_span, stream_span = telemetry.spans()
    for key in ("gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens"):
        assert stream_span.attributes[key] == plain_span.attributes[key]
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == plain.choices[0].message.content


async def test_stream_usage_the_caller_asked_for(sdk, telemetry, emulator):
    # groq has no stream_options argument; callers send it in extra_body. The usage-only
    # chunk it causes is theirs and reaches them.
    options = {"stream_options": {"include_usage": True}}
    chunks = await read_stream(sdk.chat.completions, extra_body=options)

    assert emulator.requests[-1].body["stream_options"] == {"include_usage": True}
    assert chunks[-1].choices == []
    x_groq_usage = dumped(chunks[-1])["x_groq"]["usage"]
    assert chunks[-1].usage.completion_tokens == x_groq_usage["completion_tokens"]
    span = only_span(telemetry)
    expected = expected_stream(emulator, span, chunks)
    assert_span(span, expected)
    assert points(telemetry) == expected_points(expected, chunks=len(chunks))


async def test_stream_tool_call(sdk, telemetry, emulator):
    chunks = await read_stream(sdk.chat.completions, messages=WEATHER, tools=[TOOL])

    (deltas,) = [c.choices[0].delta.tool_calls for c in chunks if c.choices[0].delta.tool_calls]
    assert json.loads(deltas[0].function.arguments) == {"city": "example"}
    span = only_span(telemetry)
    expected = expected_stream(emulator, span, chunks)
    assert expected["gen_ai.response.finish_reasons"] == ("tool_calls",)
    assert_span(span, expected)


# --- raw responses -------------------------------------------------------------------------


async def test_with_raw_response(sdk, telemetry, emulator):
    raw = await resolve(create(sdk.chat.completions.with_raw_response))

    assert raw.http_response.status_code == 200
    assert telemetry.spans() == []  # ends when the caller reads the body
    result = await resolve(raw.parse())
    assert raw.headers["x-request-id"] == dumped(result)["x_groq"]["id"]
    expected = expected_result(emulator, result)
    assert_span(only_span(telemetry), expected)
    assert points(telemetry) == expected_points(expected)


async def test_with_raw_response_stream(sdk, telemetry, emulator):
    raw = await resolve(create(sdk.chat.completions.with_raw_response, stream=True))
    stream = await resolve(raw.parse())
    assert telemetry.spans() == []
    chunks = await drain(stream)

    span = only_span(telemetry)
    assert_span(span, expected_stream(emulator, span, chunks))


@pytest.mark.parametrize("read", [True, False], ids=["parsed", "closed-unread"])
async def test_with_streaming_response(sdk, telemetry, emulator, read):
    manager = create(sdk.chat.completions.with_streaming_response)
    result = None
    if isinstance(sdk, groq.AsyncGroq):
        async with manager as response:
            assert telemetry.spans() == []
            if read:
                result = await response.parse()
    else:
        with manager as response:
            assert telemetry.spans() == []
            if read:
                result = response.parse()

    span = only_span(telemetry)
    # Closed without reading: ended on close with what was known, and no usage.
    expected = expected_result(emulator, result) if read else start_attributes(emulator)
    assert_span(span, expected)
    assert points(telemetry) == expected_points(expected)
