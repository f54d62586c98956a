"""Streams, sync and async: ``create(stream=True)`` and every way of reading ``messages.stream()``,
each one span with the full usage, ended once, with what the caller reads unchanged."""

from __future__ import annotations

import gc
import math
from typing import Any

import anthropic
import pytest
from anthropic_expected import (
    HAS_COMPLETIONS,
    MODEL,
    NO_COMPLETIONS,
    STREAM_ISINSTANCE,
    arguments,
    assert_metrics,
    assert_span,
    assert_streamed,
    complete,
    events_attributes,
    message_attributes,
    metric_attributes,
    only_span,
    request_attributes,
    ttfc_of,
    uninstrumented,
    usage_counts,
    use_helper,
)
from conformance.case import close, drain, resolve
from opentelemetry.trace import StatusCode

HELPERS = ["iterate", "text_stream", "get_final_message", "get_final_text", "until_done"]


# -- create(stream=True) ------------------------------------------------------------------------


async def test_create_stream(sdk, telemetry, emulator, instrument, asynchronous):
    with uninstrumented(instrument, telemetry):
        baseline = await drain(await resolve(sdk.messages.create(**arguments(stream=True))))
    stream = await resolve(sdk.messages.create(**arguments(stream=True)))

    sdk_class = anthropic.AsyncStream if asynchronous else anthropic.Stream
    assert stream.__class__ is sdk_class
    assert isinstance(stream, sdk_class) is STREAM_ISINSTANCE
    assert telemetry.spans() == []
    events = await drain(stream)
    assert [event.model_dump() for event in events] == [event.model_dump() for event in baseline]
    # The SDK drops the ping events itself.
    assert {"message_start", "content_block_delta", "message_stop"} <= {
        event.type for event in events
    }
    assert_streamed(telemetry, emulator, events_attributes(events), chunks=len(events))


async def test_create_stream_usage_matches_the_plain_call(sdk, telemetry, emulator):
    headers = {"x-emulator-cached-tokens": "12", "x-emulator-cache-write-tokens": "7"}
    plain = await resolve(sdk.messages.create(**arguments(extra_headers=headers)))
    await drain(await resolve(sdk.messages.create(**arguments(stream=True, extra_headers=headers))))

    first, streamed = telemetry.spans()
    for key, value in usage_counts(plain.usage).items():
        assert first.attributes[key] == streamed.attributes[key] == value
    assert streamed.attributes["gen_ai.usage.cache_read.input_tokens"] == 12
    assert streamed.attributes["gen_ai.usage.cache_creation.input_tokens"] == 7


async def test_a_stream_closed_before_any_event_is_estimated_from_its_text(
    sdk, telemetry, emulator
):
    image = {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo" * 40}
    messages = [
        {"role": "user", "content": [{"type": "text", "text": "tell me a short story"}]},
        {"role": "assistant", "content": "Once upon a time"},
        {"role": "user", "content": [{"type": "image", "source": image}]},
    ]
    call = arguments(stream=True, system="be brief", messages=messages)
    await close(await resolve(sdk.messages.create(**call)))

    span = only_span(telemetry)
    # Text is counted at four characters a token; the image is not text.
    chars = len("be brief") + len("tell me a short story") + len("Once upon a time")
    expected = request_attributes(emulator, stream=True) | {
        "agentops.usage.estimated": True,
        "agentops.usage.estimated_input_tokens": math.ceil(chars / 4),
        "agentops.usage.estimated_output_tokens": 0,
    }
    assert_span(span, f"chat {MODEL}", expected)


async def test_with_raw_response_stream(sdk, telemetry, emulator):
    raw = await resolve(sdk.messages.with_raw_response.create(**arguments(stream=True)))
    assert telemetry.spans() == []
    events = await drain(await resolve(raw.parse()))

    assert_streamed(telemetry, emulator, events_attributes(events), chunks=len(events))


# -- messages.stream() --------------------------------------------------------------------------


@pytest.mark.parametrize("helper", HELPERS)
async def test_stream_helper(sdk, telemetry, emulator, instrument, asynchronous, helper):
    with uninstrumented(instrument, telemetry):
        baseline, baseline_final, _ = await use_helper(
            sdk.messages, helper, asynchronous, telemetry
        )
        iterated, _, _ = await use_helper(sdk.messages, "iterate", asynchronous, telemetry)
    read, final, ended = await use_helper(sdk.messages, helper, asynchronous, telemetry)

    assert read == baseline
    assert final.model_dump() == baseline_final.model_dump()
    assert ended == 1  # the helper read the stream to its end: the span ended then
    # Every event the SDK stream yields passed through the proxy, whichever helper read it.
    assert_streamed(telemetry, emulator, message_attributes(final), chunks=len(iterated))


async def test_stream_helper_returns_the_sdk_stream(sdk, telemetry, asynchronous):
    manager = sdk.messages.stream(**arguments())
    if asynchronous:
        async with manager as stream:
            assert isinstance(stream, anthropic.AsyncMessageStream)
            await stream.until_done()
    else:
        with manager as stream:
            assert isinstance(stream, anthropic.MessageStream)
            assert stream.response.status_code == 200
            stream.until_done()
    only_span(telemetry)


# The async SDK makes its request coroutine when stream() is called; never entered, it is
# never awaited, instrumented or not.
@pytest.mark.filterwarnings("ignore:coroutine .* was never awaited:RuntimeWarning")
async def test_stream_helper_never_entered_opens_no_span(sdk, telemetry, emulator):
    manager = sdk.messages.stream(**arguments())
    del manager
    gc.collect()
    assert telemetry.spans() == []
    assert emulator.requests == []


async def test_stream_helper_left_early_ends_on_exit(sdk, telemetry, emulator, asynchronous):
    manager = sdk.messages.stream(**arguments())
    if asynchronous:
        async with manager as stream:
            async for event in stream:
                if event.type == "content_block_delta":
                    break
            snapshot = stream.current_message_snapshot.model_copy(deep=True)
            assert telemetry.spans() == []
    else:
        with manager as stream:
            for event in stream:
                if event.type == "content_block_delta":
                    break
            snapshot = stream.current_message_snapshot.model_copy(deep=True)
            assert telemetry.spans() == []

    span = only_span(telemetry)
    # Left early: not an error; the usage is what the SDK's message said when it was left.
    assert snapshot.stop_reason is None
    expected = (
        request_attributes(emulator, stream=True)
        | {"gen_ai.response.id": snapshot.id, "gen_ai.response.model": snapshot.model}
        | usage_counts(snapshot.usage)
    )
    expected["gen_ai.response.time_to_first_chunk"] = ttfc_of(span)
    assert_span(span, f"chat {MODEL}", expected)


async def test_stream_helper_with_prompt_caching(sdk, telemetry, asynchronous):
    headers = {"x-emulator-cached-tokens": "30", "x-emulator-cache-write-tokens": "5"}
    manager = sdk.messages.stream(**arguments(extra_headers=headers))
    if asynchronous:
        async with manager as stream:
            final = await stream.get_final_message()
    else:
        with manager as stream:
            final = stream.get_final_message()
    span = only_span(telemetry)
    counts = usage_counts(final.usage)
    assert counts["gen_ai.usage.input_tokens"] == final.usage.input_tokens + 35
    assert {key: span.attributes[key] for key in counts} == counts


async def test_slow_first_chunk_is_the_time_to_first_chunk(sdk, telemetry, asynchronous):
    headers = {"x-emulator-fault": "slow-first-chunk", "x-emulator-delay-ms": "150"}
    manager = sdk.messages.stream(**arguments(extra_headers=headers))
    if asynchronous:
        async with manager as stream:
            await stream.until_done()
    else:
        with manager as stream:
            stream.until_done()
    assert ttfc_of(only_span(telemetry)) >= 0.15


# -- failures in the middle of a stream ---------------------------------------------------------


async def _failing_stream(sdk: Any, how: str, fault: str, asynchronous: bool) -> BaseException:
    with pytest.raises(Exception) as raised:  # the SDK's own classes, checked below
        await complete(sdk, how, asynchronous, extra_headers={"x-emulator-fault": fault})
    return raised.value


@pytest.mark.parametrize("how", ["create-stream", "stream-helper"])
async def test_error_event_mid_stream(sdk, telemetry, emulator, asynchronous, how):
    error = await _failing_stream(sdk, how, "stream-error", asynchronous)

    assert type(error) is anthropic.APIStatusError
    assert "overloaded" in str(error).lower()
    span = only_span(telemetry)
    expected = request_attributes(emulator, stream=True) | {
        "error.type": "anthropic.APIStatusError",
        "gen_ai.response.model": MODEL,
        "gen_ai.response.time_to_first_chunk": ttfc_of(span),
    }
    assert_span(span, f"chat {MODEL}", expected, error=error)
    points = telemetry.metrics()
    (duration,) = points["gen_ai.client.operation.duration"]
    assert dict(duration.attributes) == metric_attributes(expected, "anthropic.APIStatusError")
    assert "gen_ai.client.token.usage" not in points  # a failed call reports no usage


@pytest.mark.parametrize("how", ["create-stream", "stream-helper"])
async def test_stream_cut_mid_way(sdk, telemetry, asynchronous, how):
    error = await _failing_stream(sdk, how, "stream-cut", asynchronous)

    span = only_span(telemetry)
    assert span.status.status_code is StatusCode.ERROR
    module = span.attributes["error.type"].rpartition(".")[0]
    assert span.attributes["error.type"].endswith(type(error).__name__)
    assert not any(part.startswith("_") for part in module.split("."))


# -- legacy text completions --------------------------------------------------------------------

COMPLETION = {
    "model": "claude-2.1",
    "max_tokens_to_sample": 50,
    "prompt": "\n\nHuman: tell me a short story\n\nAssistant:",
}


@pytest.mark.skipif(not HAS_COMPLETIONS, reason=NO_COMPLETIONS)
async def test_legacy_completions_stream(sdk, telemetry, emulator, instrument):
    with uninstrumented(instrument, telemetry):
        baseline = await drain(await resolve(sdk.completions.create(**COMPLETION, stream=True)))
    events = await drain(await resolve(sdk.completions.create(**COMPLETION, stream=True)))

    assert [event.model_dump() for event in events] == [event.model_dump() for event in baseline]
    pieces = [event for event in events if getattr(event, "completion", None) is not None]
    span = only_span(telemetry)
    expected = request_attributes(
        emulator, operation="text_completion", model="claude-2.1", max_tokens=50, stream=True
    ) | {
        "gen_ai.response.id": pieces[0].id,
        "gen_ai.response.model": pieces[0].model,
        "gen_ai.response.finish_reasons": ("stop",),
        "gen_ai.response.time_to_first_chunk": ttfc_of(span),
    }
    assert pieces[-1].stop_reason == "stop_sequence"
    assert_span(span, "text_completion claude-2.1", expected)
    assert_metrics(telemetry, metric_attributes(expected), chunks=len(events), span=span)
