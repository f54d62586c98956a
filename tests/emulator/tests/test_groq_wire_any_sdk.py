"""Groq wire checks that use only APIs present since groq 0.9.0.

They pass with the newest SDK and with the floors (groq 0.9.0 with httpx<0.28, and 0.13.0), so
instrumentation can be tested across SDK versions against the same emulator. `x_groq` is read
from `model_dump()` because 0.9.0 does not declare it on the completion type.
"""

from __future__ import annotations

import asyncio
import json
import time

import groq
import httpx
import pytest
from groq import AsyncGroq, Groq
from provider_emulator import EmulatorServer

MODEL = "llama-3.3-70b-versatile"
USER = "Tell me a short story about a brave little toaster please"
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
TIMINGS = ("queue_time", "prompt_time", "completion_time", "total_time")


def user(text: str = USER) -> list[dict]:
    return [{"role": "user", "content": text}]


def words(text: str) -> int:
    return len(text.split())


@pytest.fixture
def client(emulator: EmulatorServer) -> Groq:
    return Groq(base_url=emulator.groq_base_url, api_key="gsk-emulator", max_retries=0)


def test_chat_plain_has_timed_usage_and_x_groq(client: Groq, emulator: EmulatorServer) -> None:
    completion = client.chat.completions.create(model=MODEL, messages=user())
    (choice,) = completion.choices
    assert choice.message.content == "Emulated reply to: Tell me a short story about a brave..."
    assert choice.finish_reason == "stop"
    assert completion.model == MODEL
    assert completion.id.startswith("chatcmpl-")
    usage = completion.usage
    assert (usage.prompt_tokens, usage.completion_tokens) == (words(USER), 11)
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    for name in TIMINGS:
        assert isinstance(getattr(usage, name), float)
    assert usage.total_time == pytest.approx(usage.prompt_time + usage.completion_time)
    dumped = completion.model_dump()
    assert dumped["x_groq"]["id"].startswith("req_")
    (sent,) = emulator.requests
    assert sent.path == "/groq/openai/v1/chat/completions"
    assert sent.header("authorization") == "Bearer gsk-emulator"


def test_stream_x_groq_on_first_and_last_chunk(client: Groq) -> None:
    chunks = list(client.chat.completions.create(model=MODEL, messages=user(), stream=True))
    dumps = [chunk.model_dump() for chunk in chunks]
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks)
    assert text == "Emulated reply to: Tell me a short story about a brave..."
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert dumps[0]["x_groq"]["id"].startswith("req_")
    assert dumps[0]["x_groq"].get("usage") is None
    assert all(d.get("x_groq") is None for d in dumps[1:-1])
    last_usage = dumps[-1]["x_groq"]["usage"]
    assert (last_usage["prompt_tokens"], last_usage["completion_tokens"]) == (words(USER), 11)
    assert all(isinstance(last_usage[name], float) for name in TIMINGS)
    # Without stream_options.include_usage, no chunk carries a top-level usage.
    assert all(d.get("usage") is None for d in dumps)


def test_stream_include_usage_adds_a_usage_chunk(client: Groq) -> None:
    chunks = list(
        client.chat.completions.create(
            model=MODEL,
            messages=user(),
            stream=True,
            extra_body={"stream_options": {"include_usage": True}},
        )
    )
    last = chunks[-1]
    assert last.choices == []
    assert last.usage.completion_tokens == 11
    assert last.model_dump()["x_groq"]["usage"]["completion_tokens"] == 11
    assert chunks[-2].choices[0].finish_reason == "stop"


def test_tool_call_plain_and_streamed(client: Groq) -> None:
    completion = client.chat.completions.create(model=MODEL, messages=user(), tools=[TOOL])
    (choice,) = completion.choices
    assert choice.finish_reason == "tool_calls"
    (call,) = choice.message.tool_calls
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "example", "days": 0}
    assert completion.usage.completion_tokens == words(call.function.arguments)

    chunks = list(
        client.chat.completions.create(model=MODEL, messages=user(), tools=[TOOL], stream=True)
    )
    calls = [c.choices[0].delta.tool_calls for c in chunks if c.choices[0].delta.tool_calls]
    # Groq sends each tool call whole, in one delta.
    assert len(calls) == 1
    assert calls[0][0].function.name == "get_weather"
    assert json.loads(calls[0][0].function.arguments) == {"city": "example", "days": 0}
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


def test_text_after_tool_result(client: Groq) -> None:
    messages = [
        *user("Weather in Paris?"),
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
    ]
    completion = client.chat.completions.create(model=MODEL, messages=messages, tools=[TOOL])
    assert completion.choices[0].finish_reason == "stop"
    assert completion.choices[0].message.content.startswith("Emulated reply to: Weather")


@pytest.mark.parametrize(
    ("fault", "error", "status"),
    [
        ("http-400", groq.BadRequestError, 400),
        ("http-401", groq.AuthenticationError, 401),
        ("http-403", groq.PermissionDeniedError, 403),
        ("http-404", groq.NotFoundError, 404),
        ("http-429", groq.RateLimitError, 429),
        ("http-500", groq.InternalServerError, 500),
        ("http-503", groq.InternalServerError, 503),
        ("http-529", groq.InternalServerError, 529),
    ],
)
@pytest.mark.parametrize("stream", [False, True])
def test_http_faults(
    client: Groq, fault: str, error: type[Exception], status: int, stream: bool
) -> None:
    with pytest.raises(error) as caught:
        client.chat.completions.create(
            model=MODEL, messages=user(), stream=stream, extra_headers={"x-emulator-fault": fault}
        )
    assert caught.value.status_code == status
    body = caught.value.body
    assert isinstance(body["error"]["message"], str) and body["error"]["type"]
    if status == 429:
        assert caught.value.response.headers["retry-after"] == "2"


def test_stream_error_mid_stream(client: Groq) -> None:
    received = []
    stream = client.chat.completions.create(
        model=MODEL,
        messages=user(),
        stream=True,
        extra_headers={"x-emulator-fault": "stream-error", "x-emulator-chunks": "10"},
    )
    try:
        received.extend(stream)
    except groq.APIError as error:
        # groq 0.13 and later raise a bare APIError for an error event.
        assert not isinstance(error, groq.APIStatusError)
        assert "Internal Server Error" in str(error)
    else:
        # Older SDKs hand the error event over as if it were a chunk.
        assert received[-1].model_dump()["error"]["type"] == "internal_server_error"
        received.pop()
    # Half of the 13 events (role, 10 content, finish, [DONE]) arrive before the error.
    assert len(received) == 6
    assert all(chunk.choices[0].finish_reason is None for chunk in received)


def test_stream_cut(client: Groq) -> None:
    received = []
    # groq does not wrap a read error in the middle of a stream: httpx's own error escapes.
    with pytest.raises((groq.APIConnectionError, httpx.RemoteProtocolError)):
        for chunk in client.chat.completions.create(
            model=MODEL,
            messages=user(),
            stream=True,
            extra_headers={"x-emulator-fault": "stream-cut", "x-emulator-chunks": "10"},
        ):
            received.append(chunk)
    assert 0 < len(received) < 12
    assert all(chunk.choices[0].finish_reason is None for chunk in received)


def test_control_headers(client: Groq) -> None:
    headers = {"x-emulator-chunks": "4", "x-emulator-cached-tokens": "6"}
    chunks = list(
        client.chat.completions.create(
            model=MODEL, messages=user(), stream=True, extra_headers=headers
        )
    )
    contents = [c.choices[0].delta.content for c in chunks if c.choices[0].delta.content]
    assert len(contents) == 4
    usage = chunks[-1].model_dump()["x_groq"]["usage"]
    assert usage["prompt_tokens"] == words(USER) + 6
    assert usage["prompt_tokens_details"] == {"cached_tokens": 6}

    start = time.perf_counter()
    client.chat.completions.create(
        model=MODEL, messages=user(), extra_headers={"x-emulator-latency-ms": "250"}
    )
    assert time.perf_counter() - start >= 0.25


def test_async_plain_and_stream(emulator: EmulatorServer) -> None:
    async def run() -> tuple[str, str, dict]:
        client = AsyncGroq(base_url=emulator.groq_base_url, api_key="k", max_retries=0)
        completion = await client.chat.completions.create(model=MODEL, messages=user())
        stream = await client.chat.completions.create(model=MODEL, messages=user(), stream=True)
        chunks = [chunk async for chunk in stream]
        text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks)
        await client.close()
        return completion.choices[0].message.content, text, chunks[-1].model_dump()["x_groq"]

    plain, streamed, x_groq = asyncio.run(run())
    assert plain == streamed
    assert x_groq["usage"]["completion_tokens"] == 11
