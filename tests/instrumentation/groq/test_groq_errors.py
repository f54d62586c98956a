"""Groq calls that fail, sync and async: the caller gets exactly the uninstrumented error, the
span and the duration point carry its type, and what arrived before a stream failed is kept.
Also: time to first chunk as the client saw it."""

from __future__ import annotations

import importlib
import logging
from typing import Any

import pytest
from conformance.case import resolve
from groq_expected import (
    RAISES_STREAM_ERRORS,
    SDK,
    assert_span,
    create,
    dumped,
    expected_points,
    only_span,
    points,
    read_stream,
    start_attributes,
    time_to_first_chunk,
)

# The SDK's exception for each status, by its public name (groq.<class>).
HTTP_FAULTS = {
    f"http-{status}": f"groq.{name}"
    for status, name in (
        (400, "BadRequestError"),
        (401, "AuthenticationError"),
        (403, "PermissionDeniedError"),
        (404, "NotFoundError"),
        (429, "RateLimitError"),
        (500, "InternalServerError"),
        (503, "InternalServerError"),
    )
}
MID_STREAM_ERROR = {"x-emulator-fault": "stream-error", "x-emulator-chunks": "10"}


async def failure(call: Any) -> tuple[BaseException, list[Any]]:
    """What ``call()`` raises (reading it to the end if it is a stream), and the chunks read
    before that."""
    received: list[Any] = []
    with pytest.raises(Exception) as raised:
        result = await resolve(call())
        if hasattr(result, "__aiter__"):
            async for chunk in result:
                received.append(chunk)
        else:
            for chunk in result:
                received.append(chunk)
    return raised.value, received


def assert_public_path(error_type: str, error: BaseException) -> None:
    """``error.type`` names the exception's class by an import path without private parts."""
    module, _, name = error_type.rpartition(".")
    assert module and not any(part.startswith("_") for part in error_type.split("."))
    assert getattr(importlib.import_module(module), name) is type(error)


FAILURES = [
    *((fault, stream) for fault in [*HTTP_FAULTS, "malformed-json"] for stream in (False, True)),
    ("stream-cut", True),
]


@pytest.mark.parametrize(
    ("fault", "stream"), FAILURES, ids=[f"{f}-{'stream' if s else 'plain'}" for f, s in FAILURES]
)
async def test_a_failed_call(sdk, telemetry, emulator, instrumented, caplog, fault, stream):
    caplog.set_level(logging.DEBUG)

    def call() -> Any:
        headers = {"x-emulator-fault": fault, "x-emulator-chunks": "8"}
        return create(sdk.chat.completions, stream=stream, extra_headers=headers)

    with instrumented.paused():
        expected_error, expected_received = await failure(call)
    error, received = await failure(call)

    assert type(error) is type(expected_error)
    assert str(error) == str(expected_error)
    assert [dumped(c) for c in received] == [dumped(c) for c in expected_received]
    first, second = emulator.requests
    assert first.body == second.body
    span = only_span(telemetry)
    error_type = span.attributes["error.type"]
    assert error_type == HTTP_FAULTS.get(fault, error_type)
    assert_public_path(error_type, error)
    expected = start_attributes(emulator) | {"error.type": error_type}
    if stream:
        expected["gen_ai.request.stream"] = True
    if received:  # what arrived before the failure is kept
        assert fault in ("stream-cut", "malformed-json")
        expected["gen_ai.response.model"] = received[0].model
        expected["gen_ai.response.time_to_first_chunk"] = time_to_first_chunk(span)
    assert_span(span, expected, error)
    assert points(telemetry) == expected_points(
        expected, chunks=len(received), error_type=error_type
    )
    # The SDK's failure is not the instrumentation's: nothing of ours logged it.
    assert not [r for r in caplog.records if r.name.startswith("opentelemetry")]


@pytest.mark.skipif(not RAISES_STREAM_ERRORS, reason=f"{SDK} yields error events as chunks")
async def test_an_error_event_mid_stream(sdk, telemetry, emulator):
    error, received = await failure(
        lambda: create(sdk.chat.completions, stream=True, extra_headers=MID_STREAM_ERROR)
    )

    assert type(error).__name__ == "APIError"
    assert len(received) == 6  # half of the events, then the error
    span = only_span(telemetry)
    expected = start_attributes(emulator) | {
        "gen_ai.request.stream": True,
        "error.type": "groq.APIError",
        "gen_ai.response.model": received[0].model,
        "gen_ai.response.time_to_first_chunk": time_to_first_chunk(span),
    }
    assert_span(span, expected, error)
    assert points(telemetry) == expected_points(
        expected, chunks=len(received), error_type="groq.APIError"
    )


@pytest.mark.skipif(RAISES_STREAM_ERRORS, reason=f"{SDK} raises APIError for error events")
async def test_an_error_event_the_sdk_hands_over_as_a_chunk(sdk, telemetry, emulator):
    chunks = await read_stream(sdk.chat.completions, extra_headers=MID_STREAM_ERROR)

    # The SDK raises nothing: the caller iterates the error event as a last "chunk", and
    # reading it does not break the instrumentation.
    assert dumped(chunks[-1])["error"]["type"] == "internal_server_error"
    span = only_span(telemetry)
    expected = start_attributes(emulator) | {
        "gen_ai.request.stream": True,
        "gen_ai.response.id": chunks[0].id,
        "gen_ai.response.model": chunks[0].model,
        "gen_ai.response.time_to_first_chunk": time_to_first_chunk(span),
    }
    assert_span(span, expected)
    assert points(telemetry) == expected_points(expected, chunks=len(chunks))


@pytest.mark.parametrize("delay_ms", [200])
async def test_time_to_first_chunk_is_the_clients_wait(sdk, telemetry, delay_ms):
    slow = {"x-emulator-fault": "slow-first-chunk", "x-emulator-delay-ms": str(delay_ms)}
    chunks = await read_stream(sdk.chat.completions, extra_headers=slow)

    span = only_span(telemetry)
    ttfc = time_to_first_chunk(span)
    # The server reports its own timings; the client's wait includes the delay before the
    # first byte, which no server timing shows.
    assert ttfc >= delay_ms / 1000
    assert span.attributes["agentops.server.queue_time"] < delay_ms / 1000
    assert span.attributes["gen_ai.usage.output_tokens"] == len(
        "".join(c.choices[0].delta.content or "" for c in chunks).split()
    )
