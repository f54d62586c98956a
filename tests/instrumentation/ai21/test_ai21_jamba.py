"""Jamba chat completions, sync and async, plain and streamed: the exact span attributes and
metric points, results unchanged against an uninstrumented run, and the failures of each
path (HTTP errors, mid-stream errors, cut streams)."""

from __future__ import annotations

import importlib
from typing import Any

import ai21
import pytest
from ai21_expected import (
    SDK_VERSION,
    assert_points,
    assert_span,
    drain,
    dump,
    has,
    jamba_messages,
    jamba_result_attributes,
    make_client,
    needs,
    only_span,
    resolve,
    start_attributes,
)
from conformance.expect import error_type

pytestmark = needs("jamba")

MODEL = "jamba-mini"
PROMPT = "tell me a short story about the sea"  # 8 words: 8 prompt tokens


def resolves_to(path: str, cls: type[BaseException]) -> bool:
    """Whether ``path`` is a public import path of ``cls``."""
    module, _, name = path.rpartition(".")
    if not module:
        return name == cls.__qualname__ and cls.__module__ == "builtins"
    if any(part.startswith("_") for part in path.split(".")):
        return False
    return getattr(importlib.import_module(module), name, None) is cls


async def failure(work: Any) -> tuple[list[Any], BaseException]:
    """Run ``work()`` (draining a stream); the chunks read before it failed, and the error."""
    received: list[Any] = []
    with pytest.raises(Exception) as raised:
        result = await resolve(work())
        if hasattr(result, "__aiter__"):
            async for chunk in result:
                received.append(chunk)
        else:
            for chunk in result:
                received.append(chunk)
    return received, raised.value


# --- plain calls ---------------------------------------------------------------------------


async def test_chat_changes_nothing_and_records_the_answer(
    emulator, telemetry, instrument, asynchronous
):
    client = make_client(emulator, asynchronous)
    messages = jamba_messages(("user", PROMPT))
    instrument.uninstrument()
    baseline = await resolve(client.chat.completions.create(model=MODEL, messages=messages))
    instrument.instrument(
        tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
    )

    response = await resolve(client.chat.completions.create(model=MODEL, messages=messages))

    assert type(response) is type(baseline)
    assert dump(response) == dump(baseline)
    assert response.usage.prompt_tokens == 8
    span = only_span(telemetry)
    expected = start_attributes(emulator, MODEL) | jamba_result_attributes(response)
    assert expected["gen_ai.response.finish_reasons"] == ("stop",)
    assert_span(span, expected)
    assert_points(
        telemetry, span, tokens=(response.usage.prompt_tokens, response.usage.completion_tokens)
    )


async def test_request_parameters_are_recorded_with_their_registry_types(
    emulator, telemetry, instrument, asynchronous
):
    parameters: dict[str, Any] = {
        "temperature": 1,  # an int: the attribute is still a double
        "max_tokens": 50,
        "top_p": 0.5,
        "stop": "END",  # a string: the attribute is a string array
        "n": 2,
    }
    expected_request: dict[str, Any] = {
        "gen_ai.request.temperature": 1.0,
        "gen_ai.request.max_tokens": 50,
        "gen_ai.request.top_p": 0.5,
        "gen_ai.request.stop_sequences": ("END",),
        "gen_ai.request.choice.count": 2,
    }
    if has("response_format"):
        from ai21.models.chat import ResponseFormat

        parameters["response_format"] = ResponseFormat(type="text")
        expected_request["gen_ai.output.type"] = "text"
    client = make_client(emulator, asynchronous)

    response = await resolve(
        client.chat.completions.create(
            model=MODEL, messages=jamba_messages(("user", PROMPT)), **parameters
        )
    )

    (sent,) = emulator.requests
    assert sent.body["temperature"] == 1 and sent.body["stop"] == "END"
    assert len(response.choices) == 2
    span = only_span(telemetry)
    assert isinstance(span.attributes["gen_ai.request.temperature"], float)
    expected = start_attributes(emulator, MODEL) | expected_request
    assert_span(span, expected | jamba_result_attributes(response))


@needs("response_format")
async def test_json_mode_is_the_json_output_type(emulator, telemetry, instrument):
    from ai21.models.chat import ResponseFormat

    client = make_client(emulator)
    response = client.chat.completions.create(
        model=MODEL,
        messages=jamba_messages(("user", PROMPT)),
        response_format=ResponseFormat(type="json_object"),
    )

    span = only_span(telemetry)
    expected = start_attributes(emulator, MODEL) | {"gen_ai.output.type": "json"}
    assert_span(span, expected | jamba_result_attributes(response))


@pytest.mark.parametrize(
    "model", ["jamba-large", "jamba-mini-ft:acme:2024-11-02", "my-org/Jamba Custom v2"]
)
async def test_any_model_name_is_recorded_as_given(emulator, telemetry, instrument, model):
    client = make_client(emulator)
    response = client.chat.completions.create(model=model, messages=jamba_messages(("user", "hi")))

    span = only_span(telemetry)
    assert_span(span, start_attributes(emulator, model) | jamba_result_attributes(response))
    assert_points(
        telemetry, span, tokens=(response.usage.prompt_tokens, response.usage.completion_tokens)
    )


# --- streams -------------------------------------------------------------------------------


@needs("streams")
async def test_stream_changes_nothing_and_records_the_last_chunks_usage(
    emulator, telemetry, instrument, asynchronous
):
    client = make_client(emulator, asynchronous, headers={"x-emulator-chunks": "6"})
    messages = jamba_messages(("user", PROMPT))

    def streamed() -> Any:
        return client.chat.completions.create(model=MODEL, messages=messages, stream=True)

    instrument.uninstrument()
    baseline = await drain(await resolve(streamed()))
    instrument.instrument(
        tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
    )

    stream = await resolve(streamed())
    from ai21.stream.async_stream import AsyncStream
    from ai21.stream.stream import Stream

    assert isinstance(stream, AsyncStream if asynchronous else Stream)
    assert telemetry.spans() == []
    chunks = await drain(stream)

    assert [dump(c) for c in chunks] == [dump(c) for c in baseline]
    last = chunks[-1]
    assert [c.usage is not None for c in chunks].count(True) == 1
    assert last.usage.completion_tokens == 6
    span = only_span(telemetry)
    ttfc = span.attributes["gen_ai.response.time_to_first_chunk"]
    assert isinstance(ttfc, float) and 0 <= ttfc <= (span.end_time - span.start_time) / 1e9
    expected = start_attributes(emulator, MODEL) | {
        "gen_ai.request.stream": True,
        "gen_ai.response.id": last.id,
        "gen_ai.response.finish_reasons": ("stop",),
        "gen_ai.usage.input_tokens": last.usage.prompt_tokens,
        "gen_ai.usage.output_tokens": last.usage.completion_tokens,
        "gen_ai.response.time_to_first_chunk": ttfc,
    }
    assert_span(span, expected)
    assert_points(
        telemetry,
        span,
        tokens=(last.usage.prompt_tokens, last.usage.completion_tokens),
        streamed=True,
    )


@needs("streams")
async def test_stream_closed_early_ends_without_error_or_usage(
    emulator, telemetry, instrument, asynchronous
):
    client = make_client(emulator, asynchronous, headers={"x-emulator-chunks": "6"})
    stream = await resolve(
        client.chat.completions.create(
            model=MODEL, messages=jamba_messages(("user", PROMPT)), stream=True
        )
    )
    first = await stream.__anext__() if asynchronous else next(iter(stream))
    await resolve(stream.close())

    span = only_span(telemetry)
    ttfc = span.attributes["gen_ai.response.time_to_first_chunk"]
    # No usage came: estimated for cost, never recorded as gen_ai.usage.*.
    estimated = {
        key: span.attributes[key]
        for key in span.attributes
        if key.startswith("agentops.usage.estimated")
    }
    assert estimated["agentops.usage.estimated"] is True
    expected = start_attributes(emulator, MODEL) | {
        "gen_ai.request.stream": True,
        "gen_ai.response.id": first.id,
        "gen_ai.response.time_to_first_chunk": ttfc,
        **estimated,
    }
    assert_span(span, expected)
    assert_points(telemetry, span, streamed=True)


# --- failures ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "expected_type"),
    [
        ("http-403", error_type(ai21.errors.AI21APIError)),
        ("http-404", error_type(ai21.errors.AI21APIError)),
        ("http-503", error_type(ai21.errors.ServiceUnavailable)),
        ("malformed-json", None),  # the SDK's own decoding error, whichever it is
    ],
)
async def test_failed_calls_are_errors_of_their_type(
    emulator, telemetry, instrument, asynchronous, fault, expected_type
):
    client = make_client(emulator, asynchronous, headers={"x-emulator-fault": fault})

    def call() -> Any:
        return client.chat.completions.create(model=MODEL, messages=jamba_messages(("user", "hi")))

    instrument.uninstrument()
    _, expected_error = await failure(call)
    instrument.instrument(
        tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
    )
    _, error = await failure(call)

    assert type(error) is type(expected_error) and str(error) == str(expected_error)
    span = only_span(telemetry)
    recorded = span.attributes["error.type"]
    assert recorded == expected_type if expected_type else resolves_to(recorded, type(error))
    assert_span(span, start_attributes(emulator, MODEL) | {"error.type": recorded}, error)
    assert_points(telemetry, span)


async def test_a_request_the_server_rejects_is_an_unprocessable_entity(
    emulator, telemetry, instrument
):
    client = make_client(emulator)
    with pytest.raises(ai21.errors.UnprocessableEntity) as raised:
        client.chat.completions.create(model=MODEL, messages=[])

    span = only_span(telemetry)
    expected = start_attributes(emulator, MODEL) | {
        "error.type": error_type(ai21.errors.UnprocessableEntity)
    }
    assert_span(span, expected, raised.value)


@needs("streams")
@pytest.mark.parametrize("fault", ["stream-error", "stream-cut"])
async def test_a_stream_failing_mid_way_is_an_error_after_the_chunks_it_gave(
    emulator, telemetry, instrument, asynchronous, fault
):
    client = make_client(
        emulator, asynchronous, headers={"x-emulator-fault": fault, "x-emulator-chunks": "10"}
    )

    def streamed() -> Any:
        return client.chat.completions.create(
            model=MODEL, messages=jamba_messages(("user", PROMPT)), stream=True
        )

    instrument.uninstrument()
    baseline, expected_error = await failure(streamed)
    instrument.instrument(
        tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
    )
    received, error = await failure(streamed)

    assert type(error) is type(expected_error)
    assert [dump(c) for c in received] == [dump(c) for c in baseline]
    assert 0 < len(received) < 12
    span = only_span(telemetry)
    recorded = span.attributes["error.type"]
    if fault == "stream-cut":  # ai21 lets httpx's error through
        assert recorded == "httpx.RemoteProtocolError"
    assert resolves_to(recorded, type(error))
    ttfc = span.attributes["gen_ai.response.time_to_first_chunk"]
    # A failed call records no response attributes, only the error.
    expected = start_attributes(emulator, MODEL) | {
        "gen_ai.request.stream": True,
        "gen_ai.response.time_to_first_chunk": ttfc,
        "error.type": recorded,
    }
    assert_span(span, expected, error)
    assert_points(telemetry, span, streamed=True)


@needs("streams")
async def test_an_http_error_on_a_stream_is_the_error_the_sdk_raises(
    emulator, telemetry, instrument, asynchronous
):
    client = make_client(emulator, asynchronous, headers={"x-emulator-fault": "http-429"})
    _, error = await failure(
        lambda: client.chat.completions.create(
            model=MODEL, messages=jamba_messages(("user", "hi")), stream=True
        )
    )

    # Before 3.0 the SDK reads a streamed error body too early and httpx refuses.
    expected_type = (
        error_type(ai21.errors.TooManyRequestsError)
        if SDK_VERSION >= (3, 0, 0)
        else "httpx.ResponseNotRead"
    )
    assert resolves_to(expected_type, type(error))
    span = only_span(telemetry)
    expected = start_attributes(emulator, MODEL) | {
        "gen_ai.request.stream": True,
        "error.type": expected_type,
    }
    assert_span(span, expected, error)
    assert_points(telemetry, span)
