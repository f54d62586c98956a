"""Mistral wire checks that use only APIs present since mistralai 1.0.1.

They pass with the newest SDK (the `mistralai.client` layout of 2.x/3.x) and with the floors
(1.0.1, and 1.12.x, which traces itself), so instrumentation can be tested across SDK versions.
Control headers go through the HTTP client because 1.0.1 has no `http_headers` argument.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import time
from types import ModuleType
from typing import Any

import pytest
from provider_emulator import EmulatorServer

try:
    from httpx2 import ResponseNotRead
except ImportError:
    from httpx import ResponseNotRead

try:  # mistralai >= 2.0
    from mistralai.client import Mistral
    from mistralai.client.errors import HTTPValidationError, SDKError
except ImportError:  # 1.x: the top-level layout
    from mistralai import Mistral
    from mistralai.models import HTTPValidationError, SDKError

MODEL = "mistral-small-latest"
USER = "Tell me a short story about a brave little toaster please"
REPLY = "Emulated reply to: Tell me a short story about a brave..."
TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
            "required": ["city", "days"],
        },
    },
}


def user(text: str = USER) -> list[dict]:
    return [{"role": "user", "content": text}]


def words(text: str) -> int:
    return len(text.split())


def http_module() -> ModuleType:
    """The HTTP library this SDK version is built on (httpx, or httpx2 from mistralai 3.0)."""
    probe = Mistral(api_key="k")
    return importlib.import_module(type(probe.sdk_configuration.client).__module__.split(".")[0])


def make_client(emulator: EmulatorServer, headers: dict[str, str] | None = None) -> Mistral:
    http = http_module()
    return Mistral(
        api_key="emulator-key",
        server_url=emulator.mistral_server_url,
        client=http.Client(headers=headers or {}),
        async_client=http.AsyncClient(headers=headers or {}),
    )


@pytest.fixture
def client(emulator: EmulatorServer) -> Mistral:
    return make_client(emulator)


def chunks_of(stream: Any) -> list[Any]:
    return [event.data for event in stream]


def test_chat_plain(client: Mistral, emulator: EmulatorServer) -> None:
    response = client.chat.complete(model=MODEL, messages=user())
    assert response.id.startswith("cmpl-")
    assert response.object == "chat.completion"
    assert response.model == MODEL
    (choice,) = response.choices
    assert choice.finish_reason == "stop"
    assert choice.message.content == REPLY
    usage = response.usage
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (11, 11, 22)
    (sent,) = emulator.requests
    assert sent.path == "/mistral/v1/chat/completions"
    assert sent.header("authorization") == "Bearer emulator-key"
    assert sent.body["model"] == MODEL


def test_chat_stream_usage_in_last_chunk(client: Mistral, emulator: EmulatorServer) -> None:
    chunks = chunks_of(client.chat.stream(model=MODEL, messages=user()))
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == REPLY
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert [c.usage is not None for c in chunks].count(True) == 1
    assert chunks[-1].usage.completion_tokens == 11
    assert chunks[-1].usage.prompt_tokens == 11
    assert emulator.requests[0].body["stream"] is True


def test_tool_call_plain_and_streamed(client: Mistral) -> None:
    response = client.chat.complete(model=MODEL, messages=user(), tools=[TOOL])
    (choice,) = response.choices
    assert choice.finish_reason == "tool_calls"
    (call,) = choice.message.tool_calls
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "example", "days": 0}
    assert len(call.id) == 9
    assert response.usage.completion_tokens == words(call.function.arguments)

    chunks = chunks_of(client.chat.stream(model=MODEL, messages=user(), tools=[TOOL]))
    calls = [c.choices[0].delta.tool_calls for c in chunks if c.choices[0].delta.tool_calls]
    assert len(calls) == 1  # Mistral sends each tool call whole
    assert calls[0][0].function.name == "get_weather"
    assert chunks[-1].choices[0].finish_reason == "tool_calls"
    assert chunks[-1].usage.completion_tokens == response.usage.completion_tokens


def test_json_response_format(client: Mistral) -> None:
    response = client.chat.complete(
        model=MODEL, messages=user("Say hi"), response_format={"type": "json_object"}
    )
    assert json.loads(response.choices[0].message.content) == {
        "message": "Emulated reply to: Say hi"
    }


def test_embeddings(client: Mistral, emulator: EmulatorServer) -> None:
    response = client.embeddings.create(model="mistral-embed", inputs=["one two", "three"])
    assert [item.index for item in response.data] == [0, 1]
    assert all(len(item.embedding) == 8 for item in response.data)
    assert response.data[0].embedding != response.data[1].embedding
    assert response.usage.prompt_tokens == 3
    assert emulator.requests[0].path == "/mistral/v1/embeddings"
    assert emulator.requests[0].body["input"] == ["one two", "three"]


def test_fim_plain_and_streamed(client: Mistral, emulator: EmulatorServer) -> None:
    response = client.fim.complete(
        model="codestral-latest", prompt="def add(a, b):", suffix="return total"
    )
    text = response.choices[0].message.content
    assert text == "Emulated fill-in after: def add(a, b):"
    assert response.usage.prompt_tokens == 5
    assert response.usage.completion_tokens == words(text)
    assert emulator.requests[0].path == "/mistral/v1/fim/completions"

    chunks = chunks_of(client.fim.stream(model="codestral-latest", prompt="def add(a, b):"))
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == text
    assert chunks[-1].usage.completion_tokens == words(text)


def test_validation_error_is_422(client: Mistral) -> None:
    with pytest.raises(HTTPValidationError) as caught:
        client.chat.complete(model=MODEL, messages=[])
    assert caught.value.data.detail[0].loc == ["body", "messages"]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 429, 500, 503, 529])
@pytest.mark.parametrize("stream", [False, True])
def test_http_faults_raise_sdk_error(emulator: EmulatorServer, status: int, stream: bool) -> None:
    client = make_client(emulator, {"x-emulator-fault": f"http-{status}"})
    call = client.chat.stream if stream else client.chat.complete
    # mistralai 1.0.x fails to read the body of a streamed error: httpx's ResponseNotRead.
    with pytest.raises((SDKError, ResponseNotRead)) as caught:
        list(call(model=MODEL, messages=user()))
    if isinstance(caught.value, ResponseNotRead):
        assert stream
        return
    assert caught.value.status_code == status
    body = json.loads(caught.value.body)
    assert isinstance(body["message"], str)
    if status not in (401, 403):
        assert body["object"] == "error"


def test_stream_error_mid_stream(emulator: EmulatorServer) -> None:
    client = make_client(emulator, {"x-emulator-fault": "stream-error", "x-emulator-chunks": "10"})
    received = []
    # The error object is not a chunk; the SDK fails to read it (the class differs by version).
    with pytest.raises(Exception) as caught:
        for event in client.chat.stream(model=MODEL, messages=user()):
            received.append(event.data)
    assert "error" in str(caught.value).lower() or "validation" in str(caught.value).lower()
    # Half of the 13 events (role, 10 content, finish, [DONE]) arrive before the error.
    assert len(received) == 6
    assert all(chunk.usage is None for chunk in received)


def test_stream_cut(emulator: EmulatorServer) -> None:
    client = make_client(emulator, {"x-emulator-fault": "stream-cut", "x-emulator-chunks": "10"})
    received = []
    with pytest.raises(Exception) as caught:
        for event in client.chat.stream(model=MODEL, messages=user()):
            received.append(event.data)
    # The SDK does not wrap the read error: httpx's (httpx2's on 3.x) own error escapes.
    assert type(caught.value).__name__ == "RemoteProtocolError"
    assert 0 < len(received) < 12
    assert all(chunk.choices[0].finish_reason is None for chunk in received)


def test_control_headers(emulator: EmulatorServer) -> None:
    headers = {"x-emulator-chunks": "4", "x-emulator-cached-tokens": "6"}
    chunks = chunks_of(make_client(emulator, headers).chat.stream(model=MODEL, messages=user()))
    assert len([c for c in chunks if c.choices[0].delta.content]) == 4
    usage = chunks[-1].usage
    assert usage.prompt_tokens == 17
    # The cached count is an extra field; SDKs before 1.2 drop fields they do not declare.
    extra = getattr(usage, "additional_properties", None) or usage.model_extra
    if extra is not None:
        assert extra["prompt_tokens_details"] == {"cached_tokens": 6}

    client = make_client(emulator, {"x-emulator-latency-ms": "250"})
    start = time.perf_counter()
    client.chat.complete(model=MODEL, messages=user())
    assert time.perf_counter() - start >= 0.25


def test_async_complete_and_stream(emulator: EmulatorServer) -> None:
    async def run() -> tuple[str, str, int]:
        client = make_client(emulator)
        response = await client.chat.complete_async(model=MODEL, messages=user())
        stream = await client.chat.stream_async(model=MODEL, messages=user())
        chunks = [event.data async for event in stream]
        text = "".join(c.choices[0].delta.content or "" for c in chunks)
        return response.choices[0].message.content, text, chunks[-1].usage.total_tokens

    plain, streamed, total = asyncio.run(run())
    assert plain == streamed == REPLY
    assert total == 22


def test_parse_where_the_sdk_has_it(client: Mistral) -> None:
    if not hasattr(client.chat, "parse"):
        pytest.skip("chat.parse is newer than this SDK")
    from pydantic import BaseModel

    class Answer(BaseModel):
        text: str
        score: int

    parsed = client.chat.parse(response_format=Answer, model=MODEL, messages=user())
    assert parsed.choices[0].message.parsed == Answer(text="example", score=0)
