"""The emulator's Anthropic wire format, checked with the real newest `anthropic` SDK.

Checks that also hold on the oldest SDKs (0.32.0, 0.40.0) live in
test_anthropic_wire_any_sdk.py.
"""

from __future__ import annotations

import json
import time
import urllib.request

import anthropic
import httpx2
import pytest
from anthropic import Anthropic, AsyncAnthropic
from opentelemetry.sdk.trace import TracerProvider
from provider_emulator import EmulatorServer
from pydantic import BaseModel

MODEL = "claude-haiku-4-5"
USER = "Tell me a short story about a brave little toaster please"
REPLY = "Emulated reply to: Tell me a short story about a brave..."
WEATHER_TOOL = {
    "name": "get_weather",
    "description": "Current weather for a city",
    "input_schema": {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["city", "unit"],
    },
}
TIME_TOOL = {
    "name": "get_time",
    "input_schema": {
        "type": "object",
        "properties": {"zone": {"type": "string"}},
        "required": ["zone"],
    },
}
PIXEL_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


class Person(BaseModel):
    name: str
    age: int
    tags: list[str]


@pytest.fixture
def client(emulator: EmulatorServer) -> Anthropic:
    return Anthropic(base_url=emulator.anthropic_base_url, api_key="sk-ant-emulator", max_retries=0)


@pytest.fixture
def async_client(emulator: EmulatorServer) -> AsyncAnthropic:
    return AsyncAnthropic(
        base_url=emulator.anthropic_base_url, api_key="sk-ant-emulator", max_retries=0
    )


def user(text: str = USER) -> list[dict]:
    return [{"role": "user", "content": text}]


def words(text: str) -> int:
    return len(text.split())


def raw_events(emulator: EmulatorServer, body: dict, headers: dict | None = None) -> list[str]:
    """The `event:` names of a stream, read without the SDK (which hides `ping`)."""
    request = urllib.request.Request(
        emulator.anthropic_base_url + "/v1/messages",
        data=json.dumps({**body, "stream": True}).encode(),
        headers={"content-type": "application/json", **(headers or {})},
    )
    with urllib.request.urlopen(request) as response:
        text = response.read().decode()
    return [line[len("event: ") :] for line in text.splitlines() if line.startswith("event: ")]


# --- messages -------------------------------------------------------------------------------


def test_message_plain(client: Anthropic, emulator: EmulatorServer) -> None:
    message = client.messages.create(
        model=MODEL, max_tokens=100, system="Be brief.", messages=user()
    )

    assert message.id.startswith("msg_")
    assert message.type == "message"
    assert message.role == "assistant"
    assert message.model == MODEL
    assert [block.type for block in message.content] == ["text"]
    assert message.content[0].text == REPLY
    assert message.stop_reason == "end_turn"
    assert message.stop_sequence is None
    assert message.usage.input_tokens == 2 + words(USER)
    assert message.usage.output_tokens == words(REPLY)
    assert message.usage.cache_read_input_tokens == 0
    assert message.usage.cache_creation_input_tokens == 0
    sent = emulator.requests[0]
    assert sent.path == "/anthropic/v1/messages"
    assert sent.body["system"] == "Be brief."
    assert sent.header("anthropic-version")


def test_message_is_deterministic(client: Anthropic) -> None:
    first = client.messages.with_raw_response.create(model=MODEL, max_tokens=50, messages=user())
    second = client.messages.with_raw_response.create(model=MODEL, max_tokens=50, messages=user())
    assert first.http_response.content == second.http_response.content
    assert first.headers["request-id"].startswith("req_")


def test_multi_turn_system_blocks_images_documents(client: Anthropic) -> None:
    messages = [
        {"role": "user", "content": "First question here"},
        {"role": "assistant", "content": [{"type": "text", "text": "First answer"}]},
        {
            "role": "user",
            "content": [
                {
                    "type": "image",
                    "source": {"type": "base64", "media_type": "image/png", "data": PIXEL_PNG},
                },
                {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}},
                {
                    "type": "document",
                    "source": {
                        "type": "text",
                        "media_type": "text/plain",
                        "data": "four doc words here",
                    },
                },
                {"type": "text", "text": "Describe these two pictures"},
            ],
        },
    ]
    system = [{"type": "text", "text": "You see images.", "cache_control": {"type": "ephemeral"}}]
    message = client.messages.create(model=MODEL, max_tokens=100, system=system, messages=messages)

    assert message.content[0].text == "Emulated reply to: Describe these two pictures"
    # system 3 + turn 3 + answer 2 + two images 10 each + document 4 + text 4
    assert message.usage.input_tokens == 3 + 3 + 2 + 20 + 4 + 4


def test_missing_max_tokens_and_unknown_path(client: Anthropic) -> None:
    with pytest.raises(anthropic.BadRequestError) as error:
        client.messages.create(model=MODEL, messages=user(), max_tokens=0)
    assert error.value.body["error"]["message"] == "max_tokens: Field required"
    with pytest.raises(anthropic.NotFoundError) as missing:
        client.post("/v1/nothing-here", cast_to=object, body={})
    assert missing.value.type == "not_found_error"


# --- streams --------------------------------------------------------------------------------


def test_stream_event_sequence(emulator: EmulatorServer) -> None:
    body = {"model": MODEL, "max_tokens": 100, "messages": user("one two three")}
    names = raw_events(emulator, body)
    assert names == [
        "message_start",
        "content_block_start",
        "ping",
        *["content_block_delta"] * words("Emulated reply to: one two three"),
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]


def test_stream_raw_events(client: Anthropic) -> None:
    events = list(client.messages.create(model=MODEL, max_tokens=100, messages=user(), stream=True))

    start = events[0]
    assert start.type == "message_start"
    assert start.message.content == []
    assert start.message.stop_reason is None
    assert start.message.usage.input_tokens == words(USER)
    assert events[1].type == "content_block_start"
    assert events[1].content_block.type == "text"
    deltas = [event.delta for event in events if event.type == "content_block_delta"]
    assert {delta.type for delta in deltas} == {"text_delta"}
    assert "".join(delta.text for delta in deltas) == REPLY
    end = next(event for event in events if event.type == "message_delta")
    assert end.delta.stop_reason == "end_turn"
    assert end.usage.output_tokens == words(REPLY)
    assert events[-1].type == "message_stop"


def test_stream_helper(client: Anthropic) -> None:
    with client.messages.stream(model=MODEL, max_tokens=100, messages=user()) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text == REPLY
    assert final.content[0].text == REPLY
    assert final.usage.output_tokens == words(REPLY)
    assert final.usage.input_tokens == words(USER)


def test_chunks_control(client: Anthropic) -> None:
    events = list(
        client.messages.create(
            model=MODEL,
            max_tokens=100,
            messages=user(),
            stream=True,
            extra_headers={"x-emulator-chunks": "5"},
        )
    )
    deltas = [event.delta.text for event in events if event.type == "content_block_delta"]
    assert len(deltas) == 5
    assert words("".join(deltas)) == 5


async def test_async_create_and_stream(async_client: AsyncAnthropic) -> None:
    message = await async_client.messages.create(model=MODEL, max_tokens=100, messages=user())
    assert message.content[0].text == REPLY
    stream = await async_client.messages.create(
        model=MODEL, max_tokens=100, messages=user(), stream=True
    )
    text = "".join(
        [event.delta.text async for event in stream if event.type == "content_block_delta"]
    )
    assert text == REPLY
    async with async_client.messages.stream(model=MODEL, max_tokens=100, messages=user()) as s:
        final = await s.get_final_message()
    assert final.usage.output_tokens == words(REPLY)


# --- tools ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tool_choice", "expected"),
    [
        (None, "get_weather"),
        ({"type": "auto"}, "get_weather"),
        ({"type": "any"}, "get_weather"),
        ({"type": "tool", "name": "get_time"}, "get_time"),
        ({"type": "none"}, None),
    ],
)
def test_tool_choice(client: Anthropic, tool_choice: dict | None, expected: str | None) -> None:
    extra = {"tool_choice": tool_choice} if tool_choice else {}
    message = client.messages.create(
        model=MODEL, max_tokens=100, messages=user(), tools=[WEATHER_TOOL, TIME_TOOL], **extra
    )
    if expected is None:
        assert message.stop_reason == "end_turn"
        assert message.content[0].type == "text"
        return
    assert message.stop_reason == "tool_use"
    (block,) = message.content
    assert block.type == "tool_use"
    assert block.id.startswith("toolu_")
    assert block.name == expected
    wanted = (
        {"city": "example", "unit": "celsius"} if expected == "get_weather" else {"zone": "example"}
    )
    assert block.input == wanted
    assert message.usage.output_tokens == words(json.dumps(wanted))


def test_tool_result_gets_text_answer(client: Anthropic) -> None:
    first = client.messages.create(
        model=MODEL, max_tokens=100, messages=user(), tools=[WEATHER_TOOL]
    )
    call = first.content[0]
    messages = [
        *user(),
        {"role": "assistant", "content": [block.model_dump() for block in first.content]},
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": call.id, "content": "sunny and warm"}
            ],
        },
    ]
    answer = client.messages.create(
        model=MODEL, max_tokens=100, messages=messages, tools=[WEATHER_TOOL]
    )
    assert answer.stop_reason == "end_turn"
    assert answer.content[0].text == REPLY
    tool_words = words(json.dumps(call.input))
    assert answer.usage.input_tokens == words(USER) + tool_words + 3


def test_tool_use_stream(client: Anthropic) -> None:
    events = list(
        client.messages.create(
            model=MODEL, max_tokens=100, messages=user(), tools=[WEATHER_TOOL], stream=True
        )
    )
    start = next(event for event in events if event.type == "content_block_start")
    assert start.content_block.type == "tool_use"
    assert start.content_block.input == {}
    pieces = [e.delta.partial_json for e in events if e.type == "content_block_delta"]
    assert all(
        e.delta.type == "input_json_delta" for e in events if e.type == "content_block_delta"
    )
    assert json.loads("".join(pieces)) == {"city": "example", "unit": "celsius"}
    end = next(event for event in events if event.type == "message_delta")
    assert end.delta.stop_reason == "tool_use"
    with client.messages.stream(
        model=MODEL, max_tokens=100, messages=user(), tools=[WEATHER_TOOL]
    ) as stream:
        final = stream.get_final_message()
    assert final.content[0].input == {"city": "example", "unit": "celsius"}


# --- thinking, stop sequences, max_tokens ---------------------------------------------------


def test_thinking_block_first(client: Anthropic) -> None:
    thinking = {"type": "enabled", "budget_tokens": 1024}
    message = client.messages.create(
        model=MODEL, max_tokens=2000, messages=user(), thinking=thinking
    )
    assert [block.type for block in message.content] == ["thinking", "text"]
    thought = message.content[0]
    assert thought.thinking.startswith("Emulated thinking about: Tell me")
    assert thought.signature
    assert message.usage.output_tokens == words(thought.thinking) + words(REPLY)


def test_thinking_stream_deltas(client: Anthropic) -> None:
    events = list(
        client.messages.create(
            model=MODEL,
            max_tokens=2000,
            messages=user(),
            thinking={"type": "enabled", "budget_tokens": 1024},
            stream=True,
        )
    )
    kinds = [(e.index, e.delta.type) for e in events if e.type == "content_block_delta"]
    assert kinds[0] == (0, "thinking_delta")
    assert (0, "signature_delta") in kinds
    assert kinds[-1] == (1, "text_delta")
    with client.messages.stream(
        model=MODEL, max_tokens=2000, messages=user(), thinking={"type": "adaptive"}
    ) as stream:
        final = stream.get_final_message()
    assert final.content[0].type == "thinking"
    assert final.content[0].signature


def test_stop_sequence(client: Anthropic) -> None:
    message = client.messages.create(
        model=MODEL, max_tokens=100, messages=user(), stop_sequences=["zzz", "brave"]
    )
    assert message.stop_reason == "stop_sequence"
    assert message.stop_sequence == "brave"
    assert message.content[0].text == "Emulated reply to: Tell me a short story about a "


def test_max_tokens_cut(client: Anthropic) -> None:
    message = client.messages.create(model=MODEL, max_tokens=4, messages=user())
    assert message.stop_reason == "max_tokens"
    assert message.content[0].text == "Emulated reply to: Tell"
    assert message.usage.output_tokens == 4
    events = list(client.messages.create(model=MODEL, max_tokens=4, messages=user(), stream=True))
    end = next(event for event in events if event.type == "message_delta")
    assert end.delta.stop_reason == "max_tokens"
    assert end.usage.output_tokens == 4


# --- caching, count_tokens, structured output, beta -----------------------------------------


def test_cache_token_headers(client: Anthropic) -> None:
    headers = {"x-emulator-cached-tokens": "40", "x-emulator-cache-write-tokens": "7"}
    message = client.messages.create(
        model=MODEL, max_tokens=100, messages=user(), extra_headers=headers
    )
    # input_tokens excludes the cached prefix, as on the real API.
    assert message.usage.input_tokens == words(USER)
    assert message.usage.cache_read_input_tokens == 40
    assert message.usage.cache_creation_input_tokens == 7
    assert message.usage.cache_creation.ephemeral_5m_input_tokens == 7
    events = list(
        client.messages.create(
            model=MODEL, max_tokens=100, messages=user(), stream=True, extra_headers=headers
        )
    )
    assert events[0].message.usage.cache_read_input_tokens == 40
    end = next(event for event in events if event.type == "message_delta")
    assert end.usage.cache_read_input_tokens == 40
    assert end.usage.cache_creation_input_tokens == 7


def test_count_tokens_matches_create(client: Anthropic, emulator: EmulatorServer) -> None:
    messages = [*user(), {"role": "assistant", "content": "ok"}, *user("and more")]
    counted = client.messages.count_tokens(model=MODEL, system="Be brief.", messages=messages)
    created = client.messages.create(
        model=MODEL, max_tokens=10, system="Be brief.", messages=messages
    )
    assert counted.input_tokens == created.usage.input_tokens == 2 + words(USER) + 1 + 2
    assert emulator.requests[0].path == "/anthropic/v1/messages/count_tokens"


def test_parse_structured_output(client: Anthropic, emulator: EmulatorServer) -> None:
    parsed = client.messages.parse(
        model=MODEL, max_tokens=100, messages=user(), output_format=Person
    )
    assert parsed.parsed_output == Person(name="example", age=0, tags=["example"])
    assert emulator.requests[0].body["output_config"]["format"]["type"] == "json_schema"
    with client.messages.stream(
        model=MODEL, max_tokens=100, messages=user(), output_format=Person
    ) as stream:
        final = stream.get_final_message()
    assert final.parsed_output == Person(name="example", age=0, tags=["example"])


def test_beta_messages(client: Anthropic, emulator: EmulatorServer) -> None:
    message = client.beta.messages.create(
        model=MODEL, max_tokens=100, messages=user(), betas=["context-1m-2025-08-07"]
    )
    assert message.content[0].text == REPLY
    assert emulator.requests[0].header("anthropic-beta") == "context-1m-2025-08-07"
    parsed = client.beta.messages.parse(
        model=MODEL, max_tokens=100, messages=user(), output_format=Person
    )
    assert parsed.parsed_output.name == "example"
    counted = client.beta.messages.count_tokens(model=MODEL, messages=user())
    assert counted.input_tokens == words(USER)
    with client.beta.messages.stream(model=MODEL, max_tokens=100, messages=user()) as stream:
        assert "".join(stream.text_stream) == REPLY
    # Older SDKs mark beta calls with a query string; the same endpoints answer.
    beta = client.post(
        "/v1/messages?beta=true",
        cast_to=object,
        body={"model": MODEL, "max_tokens": 100, "messages": user()},
    )
    assert beta["content"][0]["text"] == REPLY


# --- errors and faults ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "error", "error_type"),
    [
        ("http-400", anthropic.BadRequestError, "invalid_request_error"),
        ("http-401", anthropic.AuthenticationError, "authentication_error"),
        ("http-403", anthropic.PermissionDeniedError, "permission_error"),
        ("http-404", anthropic.NotFoundError, "not_found_error"),
        ("http-429", anthropic.RateLimitError, "rate_limit_error"),
        ("http-500", anthropic.InternalServerError, "api_error"),
        ("http-503", anthropic.ServiceUnavailableError, "api_error"),
        ("http-529", anthropic.OverloadedError, "overloaded_error"),
    ],
)
async def test_http_faults(
    client: Anthropic,
    async_client: AsyncAnthropic,
    fault: str,
    error: type[anthropic.APIStatusError],
    error_type: str,
) -> None:
    headers = {"x-emulator-fault": fault}
    with pytest.raises(error) as raised:
        client.messages.create(model=MODEL, max_tokens=10, messages=user(), extra_headers=headers)
    assert raised.value.type == error_type
    assert raised.value.request_id.startswith("req_")
    assert raised.value.body["type"] == "error"
    assert raised.value.status_code == int(fault.removeprefix("http-"))
    with pytest.raises(error):
        await async_client.messages.create(
            model=MODEL, max_tokens=10, messages=user(), stream=True, extra_headers=headers
        )


def test_rate_limit_headers(client: Anthropic) -> None:
    with pytest.raises(anthropic.RateLimitError) as raised:
        client.messages.create(
            model=MODEL,
            max_tokens=10,
            messages=user(),
            extra_headers={"x-emulator-fault": "http-429"},
        )
    assert raised.value.response.headers["retry-after"] == "1"
    assert raised.value.response.headers["anthropic-ratelimit-requests-remaining"] == "0"


async def test_stream_error_event(client: Anthropic, async_client: AsyncAnthropic) -> None:
    headers = {"x-emulator-fault": "stream-error"}
    stream = client.messages.create(
        model=MODEL, max_tokens=100, messages=user(), stream=True, extra_headers=headers
    )
    received = []
    with pytest.raises(anthropic.APIStatusError) as raised:
        for event in stream:
            received.append(event.type)
    assert raised.value.body["error"]["type"] == "overloaded_error"
    assert "content_block_delta" in received
    assert "message_stop" not in received
    astream = await async_client.messages.create(
        model=MODEL, max_tokens=100, messages=user(), stream=True, extra_headers=headers
    )
    with pytest.raises(anthropic.APIStatusError):
        async for _event in astream:
            pass
    # A plain call has no stream to break: it fails as a server error.
    with pytest.raises(anthropic.InternalServerError):
        client.messages.create(model=MODEL, max_tokens=10, messages=user(), extra_headers=headers)


def test_stream_cut_and_malformed(client: Anthropic) -> None:
    stream = client.messages.create(
        model=MODEL,
        max_tokens=100,
        messages=user(),
        stream=True,
        extra_headers={"x-emulator-fault": "stream-cut"},
    )
    with pytest.raises((anthropic.APIConnectionError, httpx2.RemoteProtocolError)):
        list(stream)
    with pytest.raises(ValueError):
        client.messages.create(
            model=MODEL,
            max_tokens=10,
            messages=user(),
            extra_headers={"x-emulator-fault": "malformed-json"},
        )


def test_latency_and_delays(client: Anthropic) -> None:
    started = time.perf_counter()
    client.messages.create(
        model=MODEL, max_tokens=10, messages=user(), extra_headers={"x-emulator-latency-ms": "150"}
    )
    assert time.perf_counter() - started >= 0.15
    started = time.perf_counter()
    stream = client.messages.create(
        model=MODEL,
        max_tokens=100,
        messages=user("one two"),
        stream=True,
        extra_headers={"x-emulator-fault": "slow-first-chunk", "x-emulator-delay-ms": "120"},
    )
    next(iter(stream))
    assert time.perf_counter() - started >= 0.12
    list(stream)
    started = time.perf_counter()
    list(
        client.messages.create(
            model=MODEL,
            max_tokens=100,
            messages=user("one two"),
            stream=True,
            extra_headers={"x-emulator-chunk-delay-ms": "20"},
        )
    )
    # 10 events after the first, 20 ms apart.
    assert time.perf_counter() - started >= 0.2


def test_unknown_fault_is_rejected(client: Anthropic) -> None:
    with pytest.raises(anthropic.BadRequestError) as raised:
        client.messages.create(
            model=MODEL, max_tokens=10, messages=user(), extra_headers={"x-emulator-fault": "nope"}
        )
    assert "stream-error" in raised.value.body["error"]["message"]


# --- what the SDK sends ---------------------------------------------------------------------


def test_sdk_sends_traceparent_only_with_tracing(emulator: EmulatorServer) -> None:
    traced = Anthropic(
        base_url=emulator.anthropic_base_url,
        api_key="sk-ant-emulator",
        max_retries=0,
        open_telemetry={"tracer_provider": TracerProvider()},
    )
    traced.messages.create(model=MODEL, max_tokens=10, messages=user())
    assert emulator.requests[-1].header("traceparent").startswith("00-")
    untraced = Anthropic(
        base_url=emulator.anthropic_base_url,
        api_key="sk-ant-emulator",
        max_retries=0,
        open_telemetry=False,
    )
    untraced.messages.create(model=MODEL, max_tokens=10, messages=user())
    sent = emulator.requests[-1]
    assert sent.header("traceparent") is None
    assert sent.header("authorization") == "Bearer sk-ant-emulator"
    assert sent.header("x-stainless-package-version") == anthropic.__version__


def test_legacy_complete_endpoint(emulator: EmulatorServer) -> None:
    # SDKs >= 1.0 no longer have `completions`; the wire format is checked directly here and
    # through `client.completions` on 0.x in test_anthropic_wire_any_sdk.py.
    body = {
        "model": "claude-2.1",
        "prompt": "\n\nHuman: Hello there emulator\n\nAssistant:",
        "max_tokens_to_sample": 50,
    }
    response = httpx2.post(emulator.anthropic_base_url + "/v1/complete", json=body)
    completion = response.json()
    assert completion["type"] == "completion"
    assert completion["completion"] == "Emulated completion of: Hello there emulator"
    assert completion["stop_reason"] == "stop_sequence"
    assert completion["stop"] == "\n\nHuman:"
    bad = httpx2.post(emulator.anthropic_base_url + "/v1/complete", json={**body, "prompt": "Hi"})
    assert bad.status_code == 400
    assert bad.json()["error"]["type"] == "invalid_request_error"
