"""The emulator's OpenAI wire format, checked with the real `openai` SDK (v2+/v3 APIs).

Checks that only need chat, streams, legacy completions and embeddings live in
test_openai_wire_any_sdk.py, which also runs against openai 1.0.0.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime
from enum import StrEnum
from pathlib import Path

import openai
import pytest
from openai import AsyncOpenAI, OpenAI
from provider_emulator import EmulatedRequest, EmulatorServer, handle
from provider_emulator.schema_instance import instance_for
from pydantic import BaseModel

try:
    import httpx2 as http
except ImportError:  # openai < 3 uses httpx
    import httpx as http

MODEL = "gpt-4o-mini"
USER = "Tell me a short story about a brave little toaster please"
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer", "minimum": 1},
            },
            "required": ["city", "unit", "days"],
        },
    },
}
TIME_TOOL = {
    "type": "function",
    "function": {
        "name": "get_time",
        "parameters": {
            "type": "object",
            "properties": {"zone": {"type": "string"}},
            "required": ["zone"],
        },
    },
}
PIXEL_PNG = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


class Color(StrEnum):
    RED = "red"
    BLUE = "blue"


class Address(BaseModel):
    street: str
    zip_code: str


class Person(BaseModel):
    name: str
    age: int
    height: float
    active: bool
    favourite: Color
    nickname: str | None
    address: Address
    tags: list[str]
    born: datetime


class Lookup(BaseModel):
    city: str
    limit: int


@pytest.fixture
def client(emulator: EmulatorServer) -> OpenAI:
    return OpenAI(base_url=emulator.openai_base_url, api_key="sk-emulator", max_retries=0)


def user(text: str = USER) -> list[dict]:
    return [{"role": "user", "content": text}]


def words(text: str) -> int:
    return len(text.split())


# --- chat completions -------------------------------------------------------------------------


def test_chat_plain(client: OpenAI, emulator: EmulatorServer) -> None:
    messages = [{"role": "system", "content": "Be brief."}, *user()]
    completion = client.chat.completions.create(model=MODEL, messages=messages)

    assert completion.object == "chat.completion"
    assert completion.id.startswith("chatcmpl-")
    assert completion.model == MODEL
    assert completion.created == 1_700_000_000
    assert completion.system_fingerprint.startswith("fp_")
    (choice,) = completion.choices
    assert choice.finish_reason == "stop"
    assert choice.message.role == "assistant"
    assert choice.message.content == "Emulated reply to: Tell me a short story about a brave..."
    usage = completion.usage
    assert usage.prompt_tokens == words("Be brief.") + words(USER)
    assert usage.completion_tokens == words(choice.message.content)
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert usage.prompt_tokens_details.cached_tokens == 0
    assert usage.completion_tokens_details.reasoning_tokens == 0

    (recorded,) = emulator.requests
    assert recorded.method == "POST"
    assert recorded.path == "/openai/v1/chat/completions"
    assert recorded.body == {"model": MODEL, "messages": messages}
    assert recorded.header("Authorization") == "Bearer sk-emulator"


def test_chat_is_deterministic(client: OpenAI) -> None:
    first = client.chat.completions.create(model=MODEL, messages=user())
    second = client.chat.completions.create(model=MODEL, messages=user())
    other = client.chat.completions.create(model=MODEL, messages=user("something else"))
    assert first.model_dump() == second.model_dump()
    assert other.id != first.id


def test_chat_n_choices_differ(client: OpenAI) -> None:
    completion = client.chat.completions.create(model=MODEL, messages=user(), n=2)
    first, second = completion.choices
    assert (first.index, second.index) == (0, 1)
    assert first.message.content != second.message.content
    assert completion.usage.completion_tokens == words(first.message.content) + words(
        second.message.content
    )


def test_chat_tool_call_from_schema(client: OpenAI) -> None:
    completion = client.chat.completions.create(
        model=MODEL, messages=user("Weather in Paris?"), tools=[WEATHER_TOOL, TIME_TOOL]
    )
    (choice,) = completion.choices
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    (call,) = choice.message.tool_calls
    assert call.id.startswith("call_")
    assert call.type == "function"
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "example", "unit": "celsius", "days": 1}


def test_chat_tool_choice_named_none_and_after_result(client: OpenAI) -> None:
    named = client.chat.completions.create(
        model=MODEL,
        messages=user(),
        tools=[WEATHER_TOOL, TIME_TOOL],
        tool_choice={"type": "function", "function": {"name": "get_time"}},
    )
    assert named.choices[0].message.tool_calls[0].function.name == "get_time"

    off = client.chat.completions.create(
        model=MODEL, messages=user(), tools=[WEATHER_TOOL], tool_choice="none"
    )
    assert off.choices[0].finish_reason == "stop"
    assert off.choices[0].message.tool_calls is None

    call = named.choices[0].message.tool_calls[0]
    follow_up = client.chat.completions.create(
        model=MODEL,
        tools=[WEATHER_TOOL, TIME_TOOL],
        messages=[
            *user(),
            {"role": "assistant", "content": None, "tool_calls": [call.model_dump()]},
            {"role": "tool", "tool_call_id": call.id, "content": "12:00"},
        ],
    )
    assert follow_up.choices[0].finish_reason == "stop"
    assert follow_up.choices[0].message.content.startswith("Emulated reply to:")


def test_chat_image_inputs_are_counted(client: OpenAI) -> None:
    content = [
        {"type": "text", "text": "What is in these images?"},
        {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}},
        {"type": "image_url", "image_url": {"url": PIXEL_PNG, "detail": "low"}},
    ]
    completion = client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": content}]
    )
    assert completion.usage.prompt_tokens == words("What is in these images?") + 2 * 10
    assert completion.choices[0].message.content.endswith("What is in these images?")


def test_chat_parse_pydantic_model(client: OpenAI) -> None:
    completion = client.chat.completions.parse(model=MODEL, messages=user(), response_format=Person)
    message = completion.choices[0].message
    person = message.parsed
    assert isinstance(person, Person)
    assert person.favourite is Color.RED
    assert person.tags == ["example"]
    assert person.address.zip_code == "example"
    assert Person.model_validate_json(message.content) == person


def test_chat_parse_pydantic_tool(client: OpenAI) -> None:
    completion = client.chat.completions.parse(
        model=MODEL, messages=user(), tools=[openai.pydantic_function_tool(Lookup)]
    )
    (call,) = completion.choices[0].message.tool_calls
    assert call.function.name == "Lookup"
    assert call.function.parsed_arguments == Lookup(city="example", limit=0)


def test_chat_json_object(client: OpenAI) -> None:
    completion = client.chat.completions.create(
        model=MODEL, messages=user(), response_format={"type": "json_object"}
    )
    assert isinstance(json.loads(completion.choices[0].message.content), dict)


def test_chat_max_tokens_truncates(client: OpenAI) -> None:
    for limit in ({"max_tokens": 3}, {"max_completion_tokens": 3}):
        completion = client.chat.completions.create(model=MODEL, messages=user(), **limit)
        assert completion.choices[0].finish_reason == "length"
        assert completion.choices[0].message.content == "Emulated reply to:"
        assert completion.usage.completion_tokens == 3


def test_chat_parse_raises_on_length(client: OpenAI) -> None:
    with pytest.raises(openai.LengthFinishReasonError):
        client.chat.completions.parse(
            model=MODEL, messages=user(), response_format=Person, max_completion_tokens=2
        )


@pytest.mark.parametrize(
    ("model", "reasoning"),
    [("o1", 32), ("o3-mini", 32), ("o4-mini", 32), ("gpt-5-nano", 32), ("gpt-4o", 0)],
)
def test_chat_reasoning_tokens(client: OpenAI, model: str, reasoning: int) -> None:
    completion = client.chat.completions.create(model=model, messages=user())
    usage = completion.usage
    assert usage.completion_tokens_details.reasoning_tokens == reasoning
    visible = words(completion.choices[0].message.content)
    assert usage.completion_tokens == visible + reasoning


def test_cached_tokens_header(client: OpenAI) -> None:
    plain = client.chat.completions.create(model=MODEL, messages=user())
    completion = client.chat.completions.create(
        model=MODEL, messages=user(), extra_headers={"x-emulator-cached-tokens": "7"}
    )
    assert completion.usage.prompt_tokens_details.cached_tokens == 7
    # A cached prefix is part of the prompt, as on the real API.
    assert completion.usage.prompt_tokens == plain.usage.prompt_tokens + 7


def test_chat_stream_without_usage(client: OpenAI, emulator: EmulatorServer) -> None:
    chunks = list(client.chat.completions.create(model=MODEL, messages=user(), stream=True))
    assert all(chunk.object == "chat.completion.chunk" for chunk in chunks)
    assert all(chunk.usage is None and chunk.choices for chunk in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert len({chunk.id for chunk in chunks}) == 1
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks)
    plain = client.chat.completions.create(model=MODEL, messages=user())
    assert text == plain.choices[0].message.content
    assert "stream_options" not in emulator.requests[0].body


def test_chat_stream_with_usage(client: OpenAI, emulator: EmulatorServer) -> None:
    chunks = list(
        client.chat.completions.create(
            model=MODEL, messages=user(), stream=True, stream_options={"include_usage": True}
        )
    )
    *content_chunks, last = chunks
    assert last.choices == []
    assert last.usage.prompt_tokens == words(USER)
    assert last.usage.total_tokens == last.usage.prompt_tokens + last.usage.completion_tokens
    assert all(chunk.usage is None and chunk.choices for chunk in content_chunks)
    assert emulator.requests[0].body["stream_options"] == {"include_usage": True}


def test_chat_stream_raw_usage_null_on_every_chunk() -> None:
    body = {
        "model": MODEL,
        "messages": user(),
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    response = handle(
        EmulatedRequest("POST", "/openai/v1/chat/completions", {}, json.dumps(body).encode())
    )
    events = [line for line in response.read().decode().split("\n\n") if line]
    assert events[-1] == "data: [DONE]"
    payloads = [json.loads(event.removeprefix("data: ")) for event in events[:-1]]
    assert all("usage" in payload for payload in payloads)
    assert [payload["usage"] is None for payload in payloads] == [True] * (len(payloads) - 1) + [
        False
    ]


def test_chat_stream_chunk_count_header(client: OpenAI) -> None:
    stream = client.chat.completions.create(
        model=MODEL, messages=user(), stream=True, extra_headers={"x-emulator-chunks": "50"}
    )
    pieces = [c.choices[0].delta.content for c in stream if c.choices[0].delta.content]
    assert len(pieces) == 50
    plain = client.chat.completions.create(
        model=MODEL, messages=user(), extra_headers={"x-emulator-chunks": "50"}
    )
    assert plain.usage.completion_tokens == 50
    assert "".join(pieces) == plain.choices[0].message.content


def test_chat_stream_tool_call_deltas(client: OpenAI) -> None:
    chunks = list(
        client.chat.completions.create(
            model=MODEL, messages=user(), tools=[WEATHER_TOOL], stream=True
        )
    )
    first_call = chunks[0].choices[0].delta.tool_calls[0]
    assert first_call.id.startswith("call_")
    assert first_call.function.name == "get_weather"
    argument_pieces = [
        chunk.choices[0].delta.tool_calls[0].function.arguments for chunk in chunks[1:-1]
    ]
    assert len(argument_pieces) > 1
    assert json.loads("".join(argument_pieces))["unit"] == "celsius"
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


def test_chat_stream_helper(client: OpenAI) -> None:
    with client.chat.completions.stream(
        model=MODEL, messages=user(), stream_options={"include_usage": True}
    ) as stream:
        deltas = [event.delta for event in stream if event.type == "content.delta"]
        final = stream.get_final_completion()
    assert "".join(deltas) == final.choices[0].message.content
    assert final.usage.prompt_tokens == words(USER)

    with client.chat.completions.stream(
        model=MODEL, messages=user(), tools=[openai.pydantic_function_tool(Lookup)]
    ) as stream:
        final = stream.get_final_completion()
    assert final.choices[0].message.tool_calls[0].function.parsed_arguments == Lookup(
        city="example", limit=0
    )


def test_chat_stream_n_choices(client: OpenAI) -> None:
    texts = {0: "", 1: ""}
    for chunk in client.chat.completions.create(model=MODEL, messages=user(), n=2, stream=True):
        for choice in chunk.choices:
            texts[choice.index] += choice.delta.content or ""
    assert texts[0] and texts[1] and texts[0] != texts[1]


# --- legacy completions -----------------------------------------------------------------------


def test_legacy_completion(client: OpenAI) -> None:
    completion = client.completions.create(
        model="gpt-3.5-turbo-instruct", prompt=["Say hello", "Say bye"], max_tokens=50
    )
    assert completion.object == "text_completion"
    assert completion.id.startswith("cmpl-")
    assert [c.text for c in completion.choices] == [
        "Emulated completion of: Say hello",
        "Emulated completion of: Say bye",
    ]
    assert completion.usage.prompt_tokens == 4
    assert completion.usage.completion_tokens == 10


def test_legacy_completion_default_max_tokens(client: OpenAI) -> None:
    completion = client.completions.create(
        model="gpt-3.5-turbo-instruct", prompt="hi", extra_headers={"x-emulator-chunks": "20"}
    )
    assert completion.choices[0].finish_reason == "length"
    assert completion.usage.completion_tokens == 16


def test_legacy_completion_stream_usage(client: OpenAI) -> None:
    chunks = list(
        client.completions.create(
            model="gpt-3.5-turbo-instruct",
            prompt="Say hello",
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    *text_chunks, last = chunks
    assert last.choices == [] and last.usage.total_tokens == 2 + 5
    assert all(chunk.usage is None for chunk in text_chunks)
    assert "".join(c.choices[0].text for c in text_chunks) == "Emulated completion of: Say hello"
    assert text_chunks[-1].choices[0].finish_reason == "stop"


# --- embeddings -------------------------------------------------------------------------------


def test_embeddings_float(client: OpenAI) -> None:
    result = client.embeddings.create(
        model="text-embedding-3-small", input=["hello world", "bye"], encoding_format="float"
    )
    assert result.object == "list"
    assert [item.index for item in result.data] == [0, 1]
    vector = result.data[0].embedding
    assert len(vector) == 8
    assert math.isclose(math.fsum(v * v for v in vector), 1.0, rel_tol=1e-5)
    assert result.data[0].embedding != result.data[1].embedding
    assert result.usage.prompt_tokens == result.usage.total_tokens == 3


def test_embeddings_base64_round_trip(client: OpenAI, emulator: EmulatorServer) -> None:
    floats = client.embeddings.create(
        model="text-embedding-3-small", input="hello", encoding_format="float", dimensions=16
    )
    # Without encoding_format the SDK asks for base64 and decodes it into floats itself.
    decoded = client.embeddings.create(model="text-embedding-3-small", input="hello", dimensions=16)
    assert emulator.requests[1].body["encoding_format"] == "base64"
    assert decoded.data[0].embedding == floats.data[0].embedding
    assert len(decoded.data[0].embedding) == 16

    raw = client.embeddings.create(
        model="text-embedding-3-small", input="hello", encoding_format="base64", dimensions=16
    )
    assert isinstance(raw.data[0].embedding, str)


def test_embeddings_token_arrays(client: OpenAI) -> None:
    result = client.embeddings.create(
        model="text-embedding-3-small", input=[[1, 2, 3], [4, 5]], encoding_format="float"
    )
    assert len(result.data) == 2
    assert result.usage.prompt_tokens == 5


# --- responses --------------------------------------------------------------------------------


def test_responses_plain(client: OpenAI) -> None:
    response = client.responses.create(model=MODEL, input=USER, instructions="Be brief.")
    assert response.object == "response"
    assert response.id.startswith("resp_")
    assert response.status == "completed"
    assert response.model == MODEL
    assert response.instructions == "Be brief."
    (message,) = response.output
    assert message.type == "message" and message.id.startswith("msg_")
    assert response.output_text.startswith("Emulated reply to: Tell me")
    usage = response.usage
    assert usage.input_tokens == words(USER) + words("Be brief.")
    assert usage.output_tokens == words(response.output_text)
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens
    assert usage.input_tokens_details.cached_tokens == 0
    assert usage.output_tokens_details.reasoning_tokens == 0


def test_responses_message_items_image_and_cache(client: OpenAI) -> None:
    response = client.responses.create(
        model=MODEL,
        input=[
            {
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "Describe this"},
                    {"type": "input_image", "image_url": PIXEL_PNG},
                ],
            }
        ],
        extra_headers={"x-emulator-cached-tokens": "4"},
    )
    # Two words, ten for the image, and the four cached tokens, which input includes.
    assert response.usage.input_tokens == 2 + 10 + 4
    assert response.usage.input_tokens_details.cached_tokens == 4


def test_responses_reasoning_model(client: OpenAI) -> None:
    response = client.responses.create(model="o4-mini", input="hi")
    assert [item.type for item in response.output] == ["reasoning", "message"]
    assert response.usage.output_tokens_details.reasoning_tokens == 32


def test_responses_function_call_then_text(client: OpenAI) -> None:
    tool = {"type": "function", **WEATHER_TOOL["function"]}
    response = client.responses.create(model=MODEL, input="Weather in Paris?", tools=[tool])
    (call,) = response.output
    assert call.type == "function_call"
    assert call.name == "get_weather"
    assert call.call_id.startswith("call_")
    assert json.loads(call.arguments)["city"] == "example"

    follow_up = client.responses.create(
        model=MODEL,
        tools=[tool],
        input=[
            {"role": "user", "content": "Weather in Paris?"},
            call.model_dump(exclude_none=True),
            {"type": "function_call_output", "call_id": call.call_id, "output": "sunny"},
        ],
    )
    assert follow_up.output[0].type == "message"
    assert follow_up.output_text.startswith("Emulated reply to: Weather in Paris?")


def test_responses_parse(client: OpenAI) -> None:
    response = client.responses.parse(model=MODEL, input=USER, text_format=Person)
    assert isinstance(response.output_parsed, Person)
    assert response.output_parsed.favourite is Color.RED


def test_responses_max_output_tokens_incomplete(client: OpenAI) -> None:
    response = client.responses.create(model=MODEL, input=USER, max_output_tokens=2)
    assert response.status == "incomplete"
    assert response.incomplete_details.reason == "max_output_tokens"
    assert response.output_text == "Emulated reply"


def test_responses_stream_events(client: OpenAI) -> None:
    events = list(client.responses.create(model=MODEL, input=USER, stream=True))
    kinds = [event.type for event in events]
    deltas = kinds.count("response.output_text.delta")
    assert deltas > 2
    assert kinds == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        *["response.output_text.delta"] * deltas,
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert [event.sequence_number for event in events] == list(range(len(events)))
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    completed = events[-1].response
    assert completed.output_text == text
    assert completed.usage.output_tokens == words(text)
    assert events[0].response.status == "in_progress"


def test_responses_stream_helper(client: OpenAI) -> None:
    with client.responses.stream(model=MODEL, input=USER, text_format=Person) as stream:
        kinds = [event.type for event in stream]
        final = stream.get_final_response()
    assert kinds[-1] == "response.completed"
    assert isinstance(final.output_parsed, Person)
    assert final.usage.input_tokens == words(USER)


def test_responses_stream_function_call(client: OpenAI) -> None:
    tool = {"type": "function", **WEATHER_TOOL["function"]}
    with client.responses.stream(model=MODEL, input="Weather?", tools=[tool]) as stream:
        events = list(stream)
        final = stream.get_final_response()
    kinds = [event.type for event in events]
    assert "response.function_call_arguments.delta" in kinds
    assert "response.function_call_arguments.done" in kinds
    (call,) = final.output
    assert call.type == "function_call"
    done = next(e for e in events if e.type == "response.function_call_arguments.done")
    assert json.loads(done.arguments) == json.loads(call.arguments)


# --- raw responses, errors and faults ---------------------------------------------------------


def test_with_raw_response(client: OpenAI) -> None:
    raw = client.chat.completions.with_raw_response.create(model=MODEL, messages=user())
    assert raw.status_code == 200
    assert raw.headers["x-request-id"].startswith("req_")
    assert raw.headers["content-type"] == "application/json"
    assert raw.parse().choices[0].message.content.startswith("Emulated reply to:")


def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, headers=headers or {}, method="POST")
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_unknown_path_and_missing_model(emulator: EmulatorServer) -> None:
    status, body = post(emulator.openai_base_url + "/nope", b"{}")
    assert status == 404
    assert body == {
        "error": {
            "message": "Invalid URL (POST /openai/v1/nope)",
            "type": "invalid_request_error",
            "param": None,
            "code": "unknown_url",
        }
    }
    status, body = post(emulator.base_url + "/elsewhere", b"{}")
    assert (status, body["error"]["code"]) == (404, "unknown_url")

    status, body = post(emulator.openai_base_url + "/chat/completions", b'{"messages": []}')
    assert status == 400
    assert body["error"]["type"] == "invalid_request_error"
    assert "model" in body["error"]["message"]


def test_missing_model_raises_bad_request(client: OpenAI) -> None:
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="", messages=user())


@pytest.mark.parametrize(
    ("fault", "error", "status", "code"),
    [
        ("http-400", openai.BadRequestError, 400, "context_length_exceeded"),
        ("http-401", openai.AuthenticationError, 401, "invalid_api_key"),
        ("http-404", openai.NotFoundError, 404, "model_not_found"),
        ("http-429", openai.RateLimitError, 429, "rate_limit_exceeded"),
        ("http-500", openai.InternalServerError, 500, None),
    ],
)
@pytest.mark.parametrize("stream", [False, True])
def test_http_faults(
    client: OpenAI, fault: str, error: type[Exception], status: int, code: str | None, stream: bool
) -> None:
    with pytest.raises(error) as caught:
        client.chat.completions.create(
            model=MODEL, messages=user(), stream=stream, extra_headers={"x-emulator-fault": fault}
        )
    assert caught.value.status_code == status
    assert caught.value.code == code
    if status == 429:
        assert caught.value.response.headers["retry-after"] == "1"
        assert caught.value.type == "requests"
    if status == 500:
        assert caught.value.type == "server_error"


def test_http_fault_applies_to_every_endpoint(client: OpenAI) -> None:
    headers = {"x-emulator-fault": "http-401"}
    with pytest.raises(openai.AuthenticationError):
        client.embeddings.create(model="e", input="x", extra_headers=headers)
    with pytest.raises(openai.AuthenticationError):
        client.responses.create(model=MODEL, input="x", extra_headers=headers)


def test_unknown_fault_is_a_bad_request(client: OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="unknown x-emulator-fault"):
        client.chat.completions.create(
            model=MODEL, messages=user(), extra_headers={"x-emulator-fault": "nope"}
        )


def test_malformed_json_fault(client: OpenAI) -> None:
    headers = {"x-emulator-fault": "malformed-json"}
    # The SDK does not wrap a body it cannot decode: the json module's error escapes as is.
    with pytest.raises(json.JSONDecodeError):
        client.chat.completions.create(model=MODEL, messages=user(), extra_headers=headers)
    with pytest.raises(json.JSONDecodeError):
        list(
            client.chat.completions.create(
                model=MODEL, messages=user(), stream=True, extra_headers=headers
            )
        )
    raw = client.chat.completions.with_raw_response.create(
        model=MODEL, messages=user(), extra_headers=headers
    )
    assert raw.status_code == 200
    assert raw.headers["content-type"] == "application/json"


def test_stream_cut_fault(client: OpenAI) -> None:
    received = []
    with pytest.raises(openai.APIConnectionError) as caught:
        for chunk in client.chat.completions.create(
            model=MODEL,
            messages=user(),
            stream=True,
            stream_options={"include_usage": True},
            extra_headers={"x-emulator-fault": "stream-cut", "x-emulator-chunks": "10"},
        ):
            received.append(chunk)
    # Half of the 14 events (role, 10 content, finish, usage, [DONE]) arrive: 7 chunks.
    assert len(received) == 7
    assert all(c.choices[0].finish_reason is None for c in received)
    assert isinstance(caught.value.__cause__, http.RemoteProtocolError)

    events = client.responses.create(
        model=MODEL, input=USER, stream=True, extra_headers={"x-emulator-fault": "stream-cut"}
    )
    kinds = []
    with pytest.raises(openai.APIConnectionError):
        kinds.extend(event.type for event in events)
    assert kinds[0] == "response.created"
    assert "response.completed" not in kinds


def test_stream_cut_on_plain_request(client: OpenAI) -> None:
    with pytest.raises(openai.APIConnectionError):
        client.chat.completions.create(
            model=MODEL, messages=user(), extra_headers={"x-emulator-fault": "stream-cut"}
        )


def first_chunk_delay(client: OpenAI, headers: dict[str, str]) -> tuple[float, float]:
    """Seconds until the first chunk, and until the end of the stream."""
    start = time.perf_counter()
    stream = client.chat.completions.create(
        model=MODEL, messages=user(), stream=True, extra_headers=headers
    )
    first = None
    for _ in stream:
        first = first or time.perf_counter() - start
    return first, time.perf_counter() - start


def test_slow_first_chunk_and_latency(client: OpenAI) -> None:
    fast, _ = first_chunk_delay(client, {})
    slow, _ = first_chunk_delay(client, {"x-emulator-fault": "slow-first-chunk"})
    custom, _ = first_chunk_delay(
        client, {"x-emulator-fault": "slow-first-chunk", "x-emulator-delay-ms": "400"}
    )
    latency, _ = first_chunk_delay(client, {"x-emulator-latency-ms": "300"})
    assert fast < 0.2
    assert 0.2 <= slow < custom
    assert custom >= 0.4
    assert latency >= 0.3


def test_chunks_are_flushed_as_produced(client: OpenAI) -> None:
    headers = {"x-emulator-chunks": "5", "x-emulator-chunk-delay-ms": "60"}
    first, total = first_chunk_delay(client, headers)
    # 7 chunks (role, 5 content, finish) with 6 gaps of 60 ms; the first is not held back.
    assert total >= 0.36
    assert first < 0.2


# --- async client -----------------------------------------------------------------------------


def test_async_client(emulator: EmulatorServer) -> None:
    async def run() -> tuple[str, str]:
        async with AsyncOpenAI(
            base_url=emulator.openai_base_url, api_key="sk-emulator", max_retries=0
        ) as client:
            completion = await client.chat.completions.create(model=MODEL, messages=user())
            stream = await client.chat.completions.create(model=MODEL, messages=user(), stream=True)
            text = "".join([chunk.choices[0].delta.content or "" async for chunk in stream])
            return completion.choices[0].message.content, text

    plain, streamed = asyncio.run(run())
    assert plain == streamed
    assert plain.startswith("Emulated reply to:")


# --- server, transports and CLI ---------------------------------------------------------------


def test_recorded_requests_and_clear(client: OpenAI, emulator: EmulatorServer) -> None:
    client.chat.completions.create(model=MODEL, messages=user())
    assert len(emulator.requests) == 1
    emulator.clear_requests()
    assert emulator.requests == []


def test_keep_alive_reuses_connection(emulator: EmulatorServer) -> None:
    port = int(emulator.base_url.rsplit(":", 1)[1])
    body = json.dumps({"model": MODEL, "messages": user(), "stream": True}).encode()
    with socket.create_connection(("127.0.0.1", port)) as sock:
        for _ in range(2):
            sock.sendall(
                b"POST /openai/v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%b"
                % (len(body), body)
            )
            data = b""
            while not data.endswith(b"0\r\n\r\n"):
                data += sock.recv(65536)
            assert b"transfer-encoding: chunked" in data.lower()
            assert b"data: [DONE]" in data


def test_mock_transport_in_process() -> None:
    from provider_emulator.mock_transport import handler

    http_client = http.Client(transport=http.MockTransport(handler(http)))
    client = OpenAI(
        base_url="http://emulator/openai/v1",
        api_key="sk-emulator",
        http_client=http_client,
        max_retries=0,
    )
    completion = client.chat.completions.create(model=MODEL, messages=user())
    stream = client.chat.completions.create(
        model=MODEL, messages=user(), stream=True, extra_headers={"x-emulator-chunks": "50"}
    )
    pieces = [c.choices[0].delta.content for c in stream if c.choices[0].delta.content]
    assert completion.choices[0].message.content.startswith("Emulated reply to:")
    assert len(pieces) == 50


def test_handle_is_pure_and_deterministic() -> None:
    body = json.dumps({"model": MODEL, "messages": user(), "stream": True}).encode()
    request = EmulatedRequest(
        "POST", "/openai/v1/chat/completions", {"X-Emulator-Chunks": "3"}, body
    )
    first, second = handle(request), handle(request)
    assert first.read() == second.read()
    assert first.delay_s == 0 and all(chunk.delay_s == 0 for chunk in first.chunks)
    assert len(first.chunks) == 1 + 3 + 1 + 1  # role, content, finish, [DONE]


def test_cli_serves_until_sigterm(tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    process = subprocess.Popen(
        [sys.executable, "-m", "provider_emulator", "--ready-file", str(ready)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        announced = process.stdout.readline().strip()
        deadline = time.monotonic() + 10
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ready.read_text().strip() == announced
        client = OpenAI(base_url=announced + "/openai/v1", api_key="x", max_retries=0)
        assert client.chat.completions.create(model=MODEL, messages=user()).choices
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        process.stdout.close()


def test_schema_instance_covers_common_constructs() -> None:
    schema = {
        "type": "object",
        "properties": {
            "node": {"$ref": "#/$defs/Node"},
            "optional": {"type": "string"},
            "choice": {"anyOf": [{"type": "null"}, {"type": "integer", "minimum": 5}]},
            "kind": {"const": "fixed"},
            "pair": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "number"}]},
            "when": {"type": "string", "format": "date-time"},
            "flag": {"type": ["boolean", "null"]},
        },
        "required": ["node", "choice", "kind", "pair", "when", "flag"],
        "$defs": {
            "Node": {
                "type": "object",
                "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}},
                "required": ["children"],
            }
        },
    }
    value = instance_for(schema)
    assert "optional" not in value
    assert value["choice"] == 5
    assert value["kind"] == "fixed"
    assert value["pair"] == ["example", 0.0]
    assert value["when"] == "2024-01-01T00:00:00Z"
    assert value["flag"] is True
    depth, node = 0, value["node"]
    while node["children"]:
        node, depth = node["children"][0], depth + 1
    assert 0 < depth < 10


def test_azure_deployment_path(emulator: EmulatorServer) -> None:
    from openai import AzureOpenAI

    azure = AzureOpenAI(
        azure_endpoint=emulator.base_url, api_version="2024-06-01", api_key="k", max_retries=0
    )
    completion = azure.chat.completions.create(model="my-gpt", messages=user())
    (sent,) = emulator.requests
    assert sent.path.startswith("/openai/deployments/my-gpt/chat/completions?api-version=")
    assert completion.model == "my-gpt"


# --- controls shared by every provider --------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("http-403", openai.PermissionDeniedError),
        ("http-503", openai.InternalServerError),
        ("http-529", openai.InternalServerError),
    ],
)
def test_more_http_faults(client: OpenAI, fault: str, error: type[Exception]) -> None:
    with pytest.raises(error) as caught:
        client.chat.completions.create(
            model=MODEL, messages=user(), extra_headers={"x-emulator-fault": fault}
        )
    assert caught.value.status_code == int(fault.removeprefix("http-"))


def test_stream_error_fault(client: OpenAI) -> None:
    received = []
    with pytest.raises(openai.APIError, match="The server had an error") as caught:
        for chunk in client.chat.completions.create(
            model=MODEL,
            messages=user(),
            stream=True,
            extra_headers={"x-emulator-fault": "stream-error", "x-emulator-chunks": "10"},
        ):
            received.append(chunk)
    assert not isinstance(caught.value, openai.APIStatusError)
    assert caught.value.type == "server_error"
    # Half of the 13 events (role, 10 content, finish, [DONE]) arrive before the error.
    assert len(received) == 6

    events = list(
        client.responses.create(
            model=MODEL, input=USER, stream=True, extra_headers={"x-emulator-fault": "stream-error"}
        )
    )
    assert events[-1].type == "error"
    assert events[-1].sequence_number == events[-2].sequence_number + 1
    assert "response.completed" not in [event.type for event in events]


def test_stream_error_fails_plain_requests_as_server_error() -> None:
    body = json.dumps({"model": MODEL, "messages": user()}).encode()
    headers = {"x-emulator-fault": "stream-error"}
    plain = handle(EmulatedRequest("POST", "/openai/v1/chat/completions", headers, body))
    assert plain.status == 500
    assert json.loads(plain.read())["error"]["type"] == "server_error"


def test_cache_write_header_is_validated_and_reported(client: OpenAI) -> None:
    headers = {"x-emulator-cached-tokens": "5", "x-emulator-cache-write-tokens": "3"}
    completion = client.chat.completions.create(model=MODEL, messages=user(), extra_headers=headers)
    details = completion.usage.prompt_tokens_details
    assert (details.cached_tokens, details.cache_write_tokens) == (5, 3)
    assert completion.usage.prompt_tokens == words(USER) + 8
    with pytest.raises(openai.BadRequestError, match="x-emulator-cache-write-tokens"):
        client.chat.completions.create(
            model=MODEL, messages=user(), extra_headers={"x-emulator-cache-write-tokens": "x"}
        )
