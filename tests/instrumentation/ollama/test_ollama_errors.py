"""Failures: the caller gets exactly the SDK's exception, and the span says what failed.

A model that was never pulled is the server's 404; a stream fails on its first read (the
SDK sends the request then) or mid-way on an error line; a call with no server at all fails
in the SDK's transport.
"""

from __future__ import annotations

import socket
from typing import Any

import ollama
import pytest
from conformance.case import resolve, uninstrumented
from conformance.metrics import metric_attributes
from ollama_support import (
    make_client,
    only_span,
    start_attributes,
    stream_of,
)
from opentelemetry.instrumentation.agentops.core import error_type_of
from opentelemetry.instrumentation.agentops.ollama._generation import ChatMapper
from opentelemetry.trace import StatusCode

MODEL = "llama3.2:3b"
MISSING = "missing-model:7b"
USER = [{"role": "user", "content": "tell me a short story please"}]


async def failure(call: Any) -> BaseException:
    with pytest.raises(Exception) as raised:
        await call()
    return raised.value


def assert_failed(span: Any, attributes: dict[str, Any], error: BaseException) -> None:
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description == str(error)
    assert dict(span.attributes) == attributes


def assert_error_metrics(telemetry: Any, attributes: dict[str, Any]) -> None:
    points = {name: found for name, found in telemetry.metrics().items() if found}
    assert set(points) == {"gen_ai.client.operation.duration"}
    (duration,) = points["gen_ai.client.operation.duration"]
    assert dict(duration.attributes) == metric_attributes(
        attributes, error_type=attributes["error.type"]
    )


@pytest.fixture(params=["sync", "async"])
def sdk(request, emulator, instrument) -> Any:
    return make_client(emulator, asynchronous=request.param == "async")


async def test_a_model_that_was_never_pulled(sdk, telemetry, emulator, instrument):
    def call() -> Any:
        return resolve(sdk.chat(model=MISSING, messages=USER))

    with uninstrumented(instrument, telemetry):
        expected_error = await failure(call)
    error = await failure(call)

    assert type(error) is type(expected_error) is ollama.ResponseError
    assert str(error) == str(expected_error)
    assert error.status_code == 404
    expected = start_attributes(emulator, MISSING) | {"error.type": "ollama.ResponseError"}
    assert_failed(only_span(telemetry), expected, error)
    assert_error_metrics(telemetry, expected)


@pytest.mark.parametrize("fault", ["http-400", "http-500"])
async def test_server_errors(emulator, telemetry, instrument, fault):
    client = make_client(emulator, headers={"x-emulator-fault": fault})
    error = await failure(lambda: resolve(client.generate(model=MODEL, prompt="hi")))
    assert isinstance(error, ollama.ResponseError)
    assert error.status_code == int(fault[-3:])
    expected = start_attributes(emulator, MODEL, "text_completion") | {
        "error.type": "ollama.ResponseError"
    }
    assert_failed(only_span(telemetry), expected, error)


async def test_a_stream_of_a_missing_model_fails_on_its_first_read(
    sdk, telemetry, emulator, instrument
):
    def call() -> Any:
        return resolve(sdk.chat(model=MISSING, messages=USER, stream=True))

    with uninstrumented(instrument, telemetry):
        expected_error = await failure(lambda: stream_of(call))
    stream = await call()
    assert telemetry.spans() == []  # nothing sent yet: the SDK's generator has not started
    error = await failure(lambda: stream_of(lambda: stream))

    # ResponseError; ollama 0.0.1's async client fails reading the error body instead
    # (RuntimeError: a sync read of an async response), instrumented or not.
    assert type(error) is type(expected_error)
    assert str(error) == str(expected_error)
    expected = start_attributes(emulator, MISSING) | {
        "gen_ai.request.stream": True,
        "error.type": error_type_of(error),
    }
    assert_failed(only_span(telemetry), expected, error)


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
async def test_an_error_line_mid_stream(emulator, telemetry, instrument, asynchronous):
    client = make_client(
        emulator, asynchronous=asynchronous, headers={"x-emulator-fault": "stream-error"}
    )
    stream = await resolve(client.chat(model=MODEL, messages=USER, stream=True))
    received: list[Any] = []

    async def read() -> None:
        if asynchronous:
            async for part in stream:
                received.append(part)
        else:
            received.extend(part for part in stream)

    error = await failure(read)

    assert isinstance(error, ollama.ResponseError)
    assert received  # some parts arrived before the error line
    expected = start_attributes(emulator, MODEL) | {
        "gen_ai.request.stream": True,
        "gen_ai.response.model": MODEL,  # named by the first part
        "gen_ai.response.time_to_first_chunk": only_span(telemetry).attributes[
            "gen_ai.response.time_to_first_chunk"
        ],
        "error.type": "ollama.ResponseError",
    }  # no usage: the done line never came
    assert_failed(only_span(telemetry), expected, error)


async def test_no_server_listening(sdk, telemetry, instrument, emulator):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = make_client(
        emulator, asynchronous=isinstance(sdk, ollama.AsyncClient), host=f"http://127.0.0.1:{port}"
    )
    error = await failure(lambda: resolve(client.chat(model=MODEL, messages=USER)))

    span = only_span(telemetry)
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["server.port"] == port
    assert span.attributes["error.type"] == error_type_of(error)
    # The SDK's own exception (ConnectionError from 0.5, httpx's before), by its public name.
    assert not any(part.startswith("_") for part in span.attributes["error.type"].split("."))


def test_the_clients_header_values_are_its_credentials(emulator, monkeypatch):
    """What error messages are scrubbed of: headers the user gave, OLLAMA_API_KEY's bearer
    header (ollama >= 0.6 adds it), URL credentials (which ollama >= 0.1.3 drops from the
    host); not the SDK's own headers."""
    monkeypatch.setenv("OLLAMA_API_KEY", "env-key-0123456789")
    client = make_client(
        emulator,
        headers={"x-team-token": "team-secret-value"},
        host=f"http://user:pass-word-99@127.0.0.1:{emulator.port}/ollama",
    )
    credentials = set(ChatMapper().credentials(client))
    assert "team-secret-value" in credentials
    http = client._client
    if http.base_url.username:
        assert {"user", "pass-word-99"} <= credentials
    sent = {name.lower(): value for name, value in http.headers.items()}
    if "authorization" in sent:
        assert {"Bearer env-key-0123456789", "env-key-0123456789"} <= credentials
    for name in ("user-agent", "content-type", "accept"):
        if name in sent:
            assert sent[name] not in credentials
