"""Plain calls of every traced kind, sync and async: the exact span attributes and metric points
against the real SDK talking HTTP to the emulator, and results unchanged by the
instrumentation."""

from __future__ import annotations

import gc

import pytest
from anthropic_expected import (
    COUNT_TOKENS_OWNER,
    HAS_COMPLETIONS,
    HAS_PARSE,
    MODEL,
    NO_COMPLETIONS,
    NO_COUNT_TOKENS,
    NO_PARSE,
    SAMPLING_ARGUMENTS,
    WEATHER_TOOL,
    BetaMessages,
    arguments,
    assert_call,
    assert_metrics,
    assert_span,
    message_attributes,
    metric_attributes,
    only_span,
    request_attributes,
    uninstrumented,
)
from conformance.case import resolve
from pydantic import BaseModel


async def test_create(sdk, telemetry, emulator, instrument):
    with uninstrumented(instrument, telemetry):
        baseline = await resolve(sdk.messages.create(**arguments()))
    message = await resolve(sdk.messages.create(**arguments()))

    assert type(message) is type(baseline)
    assert message.model_dump() == baseline.model_dump()
    expected = assert_call(telemetry, emulator, message)
    assert expected["gen_ai.response.finish_reasons"] == ("stop",)


@pytest.mark.parametrize("passed", ["as-arguments", "in-extra-body"])
async def test_request_parameters(sdk, telemetry, emulator, passed):
    sampling = {"temperature": 1, "top_p": 0.5, "top_k": 5}
    if passed == "in-extra-body" or not SAMPLING_ARGUMENTS:
        # Newer SDKs take sampling parameters only this way.
        given = arguments(stop_sequences=["THE END", "FIN"], extra_body=sampling)
    else:
        given = arguments(stop_sequences=["THE END", "FIN"], **sampling)
    message = await resolve(sdk.messages.create(**given))
    (sent,) = emulator.requests
    assert (sent.body["temperature"], sent.body["top_k"]) == (1, 5)
    span = only_span(telemetry)
    expected = (
        request_attributes(emulator)
        | {
            # Given as ints, recorded as the registry's doubles.
            "gen_ai.request.temperature": 1.0,
            "gen_ai.request.top_p": 0.5,
            "gen_ai.request.top_k": 5.0,
            "gen_ai.request.stop_sequences": ("THE END", "FIN"),
        }
        | message_attributes(message)
    )
    assert_span(span, f"chat {MODEL}", expected)
    assert isinstance(span.attributes["gen_ai.request.temperature"], float)


async def test_prompt_caching_counts_cached_tokens_as_input(sdk, telemetry, emulator):
    headers = {"x-emulator-cached-tokens": "40", "x-emulator-cache-write-tokens": "25"}
    message = await resolve(sdk.messages.create(**arguments(extra_headers=headers)))

    usage = message.usage
    assert (usage.cache_read_input_tokens, usage.cache_creation_input_tokens) == (40, 25)
    expected = assert_call(telemetry, emulator, message)
    # The conventions' input count includes both cache counts; Anthropic's excludes them.
    assert expected["gen_ai.usage.input_tokens"] == usage.input_tokens + 40 + 25
    assert expected["gen_ai.usage.cache_read.input_tokens"] == 40
    assert expected["gen_ai.usage.cache_creation.input_tokens"] == 25


@pytest.mark.parametrize(
    ("extra", "stop_reason", "finish_reason"),
    [
        ({"max_tokens": 3}, "max_tokens", "length"),
        ({"stop_sequences": ["short"]}, "stop_sequence", "stop"),
        ({"tools": [WEATHER_TOOL]}, "tool_use", "tool_call"),
    ],
    ids=["max_tokens", "stop_sequence", "tool_use"],
)
async def test_stop_reasons_are_the_conventions_finish_reasons(
    sdk, telemetry, emulator, extra, stop_reason, finish_reason
):
    message = await resolve(sdk.messages.create(**arguments(**extra)))

    assert message.stop_reason == stop_reason
    span = only_span(telemetry)
    assert span.attributes["gen_ai.response.finish_reasons"] == (finish_reason,)
    request = {"max_tokens": extra.get("max_tokens", arguments()["max_tokens"])}
    expected = request_attributes(emulator, **request) | message_attributes(message)
    if "stop_sequences" in extra:
        expected["gen_ai.request.stop_sequences"] = ("short",)
    assert_span(span, f"chat {MODEL}", expected)


class Person(BaseModel):
    name: str
    age: int


@pytest.mark.skipif(not HAS_PARSE, reason=NO_PARSE)
async def test_parse(sdk, telemetry, emulator, instrument):
    with uninstrumented(instrument, telemetry):
        baseline = await resolve(sdk.messages.parse(**arguments(output_format=Person)))
    parsed = await resolve(sdk.messages.parse(**arguments(output_format=Person)))

    assert parsed.parsed_output == baseline.parsed_output == Person(name="example", age=0)
    assert parsed.model_dump() == baseline.model_dump()
    span = only_span(telemetry)
    expected = (
        request_attributes(emulator) | {"gen_ai.output.type": "json"} | message_attributes(parsed)
    )
    assert_span(span, f"chat {MODEL}", expected)


@pytest.mark.parametrize("read", [True, False], ids=["parsed", "never-parsed"])
async def test_with_raw_response(sdk, telemetry, emulator, read):
    raw = await resolve(sdk.messages.with_raw_response.create(**arguments()))
    assert raw.http_response.status_code == 200
    assert telemetry.spans() == []  # finished by parse()
    expected = request_attributes(emulator)
    if read:
        message = await resolve(raw.parse())
        expected |= message_attributes(message)
    else:
        del raw
        gc.collect()
    span = only_span(telemetry)
    assert_span(span, f"chat {MODEL}", expected)


@pytest.mark.parametrize("read", [True, False], ids=["parsed", "closed-unread"])
async def test_with_streaming_response(sdk, telemetry, emulator, asynchronous, read):
    manager = sdk.messages.with_streaming_response.create(**arguments())
    message = None
    if asynchronous:
        async with manager as response:
            assert telemetry.spans() == []
            if read:
                message = await response.parse()
    else:
        with manager as response:
            assert telemetry.spans() == []
            if read:
                message = response.parse()
    span = only_span(telemetry)
    expected = request_attributes(emulator)
    if message is not None:
        expected |= message_attributes(message)
    assert_span(span, f"chat {MODEL}", expected)


@pytest.mark.skipif(COUNT_TOKENS_OWNER is None, reason=NO_COUNT_TOKENS)
async def test_count_tokens_is_not_an_inference_call(sdk, telemetry, emulator):
    resource = sdk.messages if COUNT_TOKENS_OWNER is not BetaMessages else sdk.beta.messages
    counted = await resolve(resource.count_tokens(model=MODEL, messages=arguments()["messages"]))
    message = await resolve(sdk.messages.create(**arguments()))

    assert counted.input_tokens == message.usage.input_tokens
    # Only the model call is traced.
    assert only_span(telemetry).attributes["gen_ai.response.id"] == message.id


COMPLETION_PROMPT = "\n\nHuman: tell me a short story\n\nAssistant:"


@pytest.mark.skipif(not HAS_COMPLETIONS, reason=NO_COMPLETIONS)
async def test_legacy_completions(sdk, telemetry, emulator, instrument):
    call = {"model": "claude-2.1", "max_tokens_to_sample": 50, "prompt": COMPLETION_PROMPT}
    with uninstrumented(instrument, telemetry):
        baseline = await resolve(sdk.completions.create(**call))
    completion = await resolve(sdk.completions.create(**call, temperature=0.5))

    assert completion.completion == baseline.completion
    span = only_span(telemetry)
    expected = request_attributes(
        emulator, operation="text_completion", model="claude-2.1", max_tokens=50
    ) | {
        "gen_ai.request.temperature": 0.5,
        "gen_ai.response.id": completion.id,
        "gen_ai.response.model": completion.model,
        "gen_ai.response.finish_reasons": ("stop",),
    }
    assert completion.stop_reason == "stop_sequence"
    assert_span(span, "text_completion claude-2.1", expected)
    # The API reports no usage for text completions: no token points.
    assert_metrics(telemetry, metric_attributes(expected), span=span)
