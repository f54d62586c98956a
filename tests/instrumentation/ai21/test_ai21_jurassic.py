"""Jurassic-2: ``completion.create`` (the seed's "text generation", custom models included)
and the J2 ``chat.create`` (its "fast generation"), on every release that has them."""

from __future__ import annotations

import json
from typing import Any

import ai21
import pytest
from ai21_expected import (
    assert_points,
    assert_span,
    dump,
    j2_messages,
    j2_usage,
    make_client,
    needs,
    only_span,
    resolve,
    start_attributes,
)
from conformance.expect import error_type

completion_only = needs("j2_completion")
PROMPT = "Once upon a time in a quiet village"


def completion_attributes(response: Any) -> dict[str, Any]:
    input_tokens, output_tokens = j2_usage(response)
    return {
        "gen_ai.response.id": str(response.id),
        "gen_ai.response.finish_reasons": tuple(
            c.finish_reason.reason for c in response.completions
        ),
        "gen_ai.usage.input_tokens": input_tokens,
        "gen_ai.usage.output_tokens": output_tokens,
    }


def parsed(span: Any, name: str) -> Any:
    return json.loads(span.attributes[name])


# --- completion ------------------------------------------------------------------------------


@completion_only
async def test_completion_changes_nothing_and_counts_the_token_lists(
    emulator, telemetry, instrument, asynchronous
):
    client = make_client(emulator, asynchronous)
    instrument.uninstrument()
    baseline = await resolve(client.completion.create(model="j2-mid", prompt=PROMPT))
    instrument.instrument(
        tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
    )

    response = await resolve(client.completion.create(model="j2-mid", prompt=PROMPT))

    assert type(response) is type(baseline) and dump(response) == dump(baseline)
    # One token per word (the emulator's rule), as the token lists say.
    (completion,) = response.completions
    assert j2_usage(response) == (len(PROMPT.split()), len(completion.data.text.split()))
    span = only_span(telemetry)
    expected = start_attributes(emulator, "j2-mid", "text_completion")
    expected |= completion_attributes(response)
    assert expected["gen_ai.response.finish_reasons"] == ("endoftext",)
    assert_span(span, expected)
    assert_points(telemetry, span, tokens=j2_usage(response))


@completion_only
async def test_completion_parameters(emulator, telemetry, instrument, asynchronous):
    from ai21.models import Penalty

    client = make_client(emulator, asynchronous)
    response = await resolve(
        client.completion.create(
            model="j2-ultra",
            prompt=PROMPT,
            max_tokens=5,
            num_results=2,
            temperature=0,
            top_p=0.5,
            top_k_return=3,  # how many alternatives to return per token: no sampling setting
            stop_sequences=["END"],
            frequency_penalty=Penalty(scale=1),
            presence_penalty=Penalty(scale=0.5),
        )
    )

    (sent,) = emulator.requests
    assert sent.body["maxTokens"] == 5 and sent.body["frequencyPenalty"]["scale"] == 1
    assert len(response.completions) == 2
    span = only_span(telemetry)
    expected = start_attributes(emulator, "j2-ultra", "text_completion") | {
        "gen_ai.request.max_tokens": 5,
        "gen_ai.request.choice.count": 2,
        "gen_ai.request.temperature": 0.0,
        "gen_ai.request.top_p": 0.5,
        "gen_ai.request.stop_sequences": ("END",),
        "gen_ai.request.frequency_penalty": 1.0,
        "gen_ai.request.presence_penalty": 0.5,
    }
    expected |= completion_attributes(response)
    assert expected["gen_ai.response.finish_reasons"] == ("length", "length")
    assert expected["gen_ai.usage.output_tokens"] == 10
    assert_span(span, expected)


@completion_only
@needs("custom_model")
async def test_custom_model_is_recorded_beside_its_base_model(
    emulator, telemetry, instrument, asynchronous
):
    client = make_client(emulator, asynchronous)
    response = await resolve(
        client.completion.create(model="j2-light", prompt="Hi", custom_model="acme-support-v3")
    )

    assert emulator.requests[-1].path == "/ai21/studio/v1/j2-light/acme-support-v3/complete"
    span = only_span(telemetry)
    expected = start_attributes(emulator, "j2-light", "text_completion") | {
        "agentops.ai21.custom_model": "acme-support-v3"
    }
    assert_span(span, expected | completion_attributes(response))
    assert_points(telemetry, span, tokens=j2_usage(response))


@completion_only
async def test_completion_content(emulator, telemetry, instrument_with_content):
    response = make_client(emulator).completion.create(
        model="j2-mid", prompt=PROMPT, num_results=2, max_tokens=4
    )

    span = only_span(telemetry)
    assert parsed(span, "gen_ai.input.messages") == [
        {"role": "user", "parts": [{"type": "text", "content": PROMPT}], "name": None}
    ]
    assert parsed(span, "gen_ai.output.messages") == [
        {
            "role": "assistant",
            "parts": [{"type": "text", "content": c.data.text}],
            "finish_reason": c.finish_reason.reason,
            "name": None,
        }
        for c in response.completions
    ]


@completion_only
async def test_completion_failure(emulator, telemetry, instrument, asynchronous):
    from ai21.errors import TooManyRequestsError

    client = make_client(emulator, asynchronous, headers={"x-emulator-fault": "http-429"})
    with pytest.raises(TooManyRequestsError) as raised:
        await resolve(client.completion.create(model="j2-mid", prompt=PROMPT))

    span = only_span(telemetry)
    expected = start_attributes(emulator, "j2-mid", "text_completion") | {
        "error.type": error_type(ai21.errors.TooManyRequestsError)
    }
    assert_span(span, expected, raised.value)
    assert_points(telemetry, span)


# --- J2 chat -----------------------------------------------------------------------------------


async def test_j2_chat_reports_no_usage(emulator, telemetry, instrument, asynchronous):
    client = make_client(emulator, asynchronous)
    messages = j2_messages("Hello there", "How are you today?")
    instrument.uninstrument()
    baseline = await resolve(
        client.chat.create(model="j2-ultra", messages=messages, system="You are brief.")
    )
    instrument.instrument(
        tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
    )

    response = await resolve(
        client.chat.create(
            model="j2-ultra",
            messages=messages,
            system="You are brief.",
            num_results=2,
            max_tokens=20,
            temperature=1,
        )
    )

    assert type(response) is type(baseline)
    assert [o.text for o in response.outputs[:1]] == [o.text for o in baseline.outputs]
    assert emulator.requests[-1].path == "/ai21/studio/v1/j2-ultra/chat"
    span = only_span(telemetry)
    expected = start_attributes(emulator, "j2-ultra") | {
        "gen_ai.request.choice.count": 2,
        "gen_ai.request.max_tokens": 20,
        "gen_ai.request.temperature": 1.0,
        "gen_ai.response.finish_reasons": ("endoftext", "endoftext"),
    }
    assert_span(span, expected)
    assert_points(telemetry, span)  # no token points: nothing was reported


async def test_j2_chat_content(emulator, telemetry, instrument_with_content, asynchronous):
    client = make_client(emulator, asynchronous)
    response = await resolve(
        client.chat.create(
            model="j2-mid", messages=j2_messages("Hello there"), system="You are brief."
        )
    )

    span = only_span(telemetry)
    assert parsed(span, "gen_ai.system_instructions") == [
        {"type": "text", "content": "You are brief."}
    ]
    assert parsed(span, "gen_ai.input.messages") == [
        {"role": "user", "parts": [{"type": "text", "content": "Hello there"}], "name": None}
    ]
    (output,) = response.outputs
    assert parsed(span, "gen_ai.output.messages") == [
        {
            "role": "assistant",
            "parts": [{"type": "text", "content": output.text}],
            "finish_reason": "endoftext",
            "name": None,
        }
    ]
