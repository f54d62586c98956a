"""AI21 wire checks for every SDK since ai21 2.0.0, each gated on the API it needs.

Jurassic-2 (`completion`, `chat.create`) exists from 2.0.0 (`completion` until 3.0.x), Jamba's
`chat.completions` from 2.2.0, streaming and `AsyncAI21Client` from 2.5.0. Checked with the
newest SDK and with 2.0.0, 2.2.5 and 2.5.2. Control headers go through the client's `headers=`
because `create(**kwargs)` sends unknown keywords in the body.
"""

from __future__ import annotations

import asyncio
import json
import time
from importlib.metadata import version
from typing import Any

import ai21
import pytest
from ai21 import AI21Client
from ai21.errors import (
    AI21APIError,
    AI21ServerError,
    BadRequest,
    ServiceUnavailable,
    TooManyRequestsError,
    Unauthorized,
    UnprocessableEntity,
)
from ai21.models import ChatMessage as J2Message
from ai21.models import RoleType
from provider_emulator import EmulatorServer

SDK_VERSION = tuple(int(part) for part in version("ai21").split(".")[:3])
MODEL = "jamba-mini"
USER = "Tell me a short story about a brave little toaster please"
REPLY = "Emulated reply to: Tell me a short story about a brave..."
TOOL = {
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

has_jamba = pytest.mark.skipif(SDK_VERSION < (2, 2, 0), reason="chat.completions is new in 2.2")
has_streams = pytest.mark.skipif(SDK_VERSION < (2, 5, 0), reason="streams are new in 2.5")
has_tools = pytest.mark.skipif(SDK_VERSION < (3, 0, 0), reason="tool calls are new in 3.0")


def api_host(emulator: EmulatorServer) -> str:
    # Up to 2.5.0 the SDK appends /studio/v1 itself; later versions take the full URL.
    return emulator.ai21_api_host if SDK_VERSION <= (2, 5, 0) else emulator.ai21_base_url


def make_client(emulator: EmulatorServer, headers: dict[str, str] | None = None) -> AI21Client:
    return AI21Client(api_key="emulator-key", api_host=api_host(emulator), headers=headers)


@pytest.fixture
def client(emulator: EmulatorServer) -> AI21Client:
    return make_client(emulator)


def messages(text: str = USER) -> list[Any]:
    from ai21.models.chat import ChatMessage

    return [ChatMessage(role="user", content=text)]


def words(text: str) -> int:
    return len(text.split())


# --- Jamba chat completions -------------------------------------------------------------------


@has_jamba
def test_chat_plain_has_no_model_field(client: AI21Client, emulator: EmulatorServer) -> None:
    response = client.chat.completions.create(model=MODEL, messages=messages())
    (choice,) = response.choices
    assert choice.message.content == REPLY
    assert choice.finish_reason == "stop"
    assert (response.usage.prompt_tokens, response.usage.completion_tokens) == (11, 11)
    assert response.usage.total_tokens == 22
    raw = json.loads(emulator.requests[0].raw_body)
    assert raw["model"] == MODEL
    assert emulator.requests[0].path == "/ai21/studio/v1/chat/completions"
    assert emulator.requests[0].header("authorization") == "Bearer emulator-key"
    dumped = response.model_dump() if hasattr(response, "model_dump") else response.to_dict()
    assert "model" not in dumped


@has_tools
def test_tool_call(client: AI21Client) -> None:
    response = client.chat.completions.create(model=MODEL, messages=messages(), tools=[TOOL])
    (choice,) = response.choices
    assert choice.finish_reason == "tool_calls"
    (call,) = choice.message.tool_calls
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "example"}


@has_streams
def test_stream_usage_in_last_chunk(client: AI21Client) -> None:
    chunks = list(client.chat.completions.create(model=MODEL, messages=messages(), stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == REPLY
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert [c.usage is not None for c in chunks].count(True) == 1
    assert chunks[-1].usage.completion_tokens == 11


@has_jamba
def test_validation_error_is_422(client: AI21Client) -> None:
    with pytest.raises(UnprocessableEntity) as caught:
        client.chat.completions.create(model=MODEL, messages=[])
    assert json.loads(caught.value.details)["detail"][0]["loc"] == ["body", "messages"]


FAULTS = [
    (400, BadRequest),
    (401, Unauthorized),
    (403, AI21APIError),
    (404, AI21APIError),
    (429, TooManyRequestsError),
    (500, AI21ServerError),
    (503, ServiceUnavailable),
    (529, AI21APIError),
]


@has_jamba
@pytest.mark.parametrize(("status", "error"), FAULTS)
def test_http_faults(emulator: EmulatorServer, status: int, error: type[Exception]) -> None:
    client = make_client(emulator, {"x-emulator-fault": f"http-{status}"})
    with pytest.raises(error) as caught:
        client.chat.completions.create(model=MODEL, messages=messages())
    # Before 3.2 the SDK's ServiceUnavailable reports 500 whatever the status was.
    quirk = error is ServiceUnavailable and SDK_VERSION < (3, 2, 0)
    assert caught.value.status_code == (500 if quirk else status)
    assert isinstance(json.loads(caught.value.details)["detail"], str)


@has_streams
@pytest.mark.parametrize(("status", "error"), FAULTS)
def test_http_faults_on_streams(
    emulator: EmulatorServer, status: int, error: type[Exception]
) -> None:
    client = make_client(emulator, {"x-emulator-fault": f"http-{status}"})
    # Before 3.0 the SDK reads the body of a streamed error too early: httpx's ResponseNotRead.
    import httpx  # only needed here: 2.0 to 2.4 are built on requests

    expected = error if SDK_VERSION >= (3, 0, 0) else httpx.ResponseNotRead
    with pytest.raises(expected):
        list(client.chat.completions.create(model=MODEL, messages=messages(), stream=True))


@has_streams
def test_stream_error_mid_stream(emulator: EmulatorServer) -> None:
    client = make_client(emulator, {"x-emulator-fault": "stream-error", "x-emulator-chunks": "10"})
    received = []
    # The error body is no chunk: pydantic validation fails on it (a KeyError on 2.x, whose
    # models are dataclasses).
    with pytest.raises((ValueError, KeyError)) as caught:
        for chunk in client.chat.completions.create(model=MODEL, messages=messages(), stream=True):
            received.append(chunk)
    if SDK_VERSION >= (3, 0, 0):
        assert "Internal server error" in str(caught.value)
    # Half of the 13 events (role, 10 content, finish, [DONE]) arrive before the error.
    assert len(received) == 6


@has_streams
def test_stream_cut(emulator: EmulatorServer) -> None:
    client = make_client(emulator, {"x-emulator-fault": "stream-cut", "x-emulator-chunks": "10"})
    received = []
    with pytest.raises(Exception, match="incomplete chunked read"):
        for chunk in client.chat.completions.create(model=MODEL, messages=messages(), stream=True):
            received.append(chunk)
    assert 0 < len(received) < 12
    assert all(chunk.usage is None for chunk in received)


@has_streams
def test_control_headers(emulator: EmulatorServer) -> None:
    client = make_client(emulator, {"x-emulator-chunks": "4", "x-emulator-latency-ms": "250"})
    start = time.perf_counter()
    chunks = list(client.chat.completions.create(model=MODEL, messages=messages(), stream=True))
    assert time.perf_counter() - start >= 0.25
    assert len([c for c in chunks if c.choices[0].delta.content]) == 4
    assert chunks[-1].usage.completion_tokens == 4


@has_streams
def test_async_plain_and_stream(emulator: EmulatorServer) -> None:
    async def run() -> tuple[str, str]:
        client = ai21.AsyncAI21Client(api_key="k", api_host=api_host(emulator))
        response = await client.chat.completions.create(model=MODEL, messages=messages())
        stream = await client.chat.completions.create(model=MODEL, messages=messages(), stream=True)
        text = "".join([chunk.choices[0].delta.content or "" async for chunk in stream])
        return response.choices[0].message.content, text

    plain, streamed = asyncio.run(run())
    assert plain == streamed == REPLY


# --- Jurassic-2 -------------------------------------------------------------------------------


def test_j2_chat(client: AI21Client, emulator: EmulatorServer) -> None:
    response = client.chat.create(
        model="j2-ultra",
        messages=[J2Message(role=RoleType.USER, text="Hello there")],
        system="You are brief.",
    )
    (output,) = response.outputs
    assert output.text == "Emulated reply to: Hello there"
    assert output.finish_reason.reason == "endoftext"
    assert emulator.requests[0].path == "/ai21/studio/v1/j2-ultra/chat"
    assert emulator.requests[0].body["system"] == "You are brief."


@pytest.mark.skipif(SDK_VERSION >= (3, 1, 0), reason="completion was removed in 3.1")
def test_j2_complete_and_custom_model(client: AI21Client, emulator: EmulatorServer) -> None:
    response = client.completion.create(model="j2-mid", prompt="Once upon a time", max_tokens=5)
    (completion,) = response.completions
    assert completion.data.text == "Emulated completion of: Once upon"
    assert completion.finish_reason.reason == "length"
    assert completion.finish_reason.length == 5
    # Clients count J2 tokens from the token lists.
    assert len(response.prompt.tokens) == 4
    assert len(completion.data.tokens) == 5

    custom = client.completion.create(model="j2-light", prompt="Hi", custom_model="my-tuned")
    assert custom.completions[0].finish_reason.reason == "endoftext"
    assert emulator.requests[-1].path == "/ai21/studio/v1/j2-light/my-tuned/complete"
