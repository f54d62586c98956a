"""Emulator checks that use only APIs present since openai 1.0.0.

They pass with the newest SDK and with an old one (checked with openai==1.0.0, httpx 0.27,
pydantic 2.9), so instrumentation can be tested across SDK versions against the same emulator.
"""

from __future__ import annotations

import json

import openai
import pytest
from openai import OpenAI
from provider_emulator import EmulatorServer

try:
    import httpx2 as http
except ImportError:  # openai < 3 uses httpx
    import httpx as http

MODEL = "gpt-4o-mini"
MESSAGES = [{"role": "user", "content": "Hello there emulator"}]


@pytest.fixture
def client(emulator: EmulatorServer) -> OpenAI:
    return OpenAI(base_url=emulator.openai_base_url, api_key="sk-emulator", max_retries=0)


def test_chat(client: OpenAI) -> None:
    completion = client.chat.completions.create(model=MODEL, messages=MESSAGES)
    assert completion.choices[0].message.content == "Emulated reply to: Hello there emulator"
    assert completion.usage.prompt_tokens == 3
    assert completion.usage.completion_tokens == 6


def test_chat_stream(client: OpenAI, emulator: EmulatorServer) -> None:
    chunks = list(client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True))
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks)
    assert text == "Emulated reply to: Hello there emulator"
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert emulator.requests[0].body["stream"] is True


def test_chat_tools(client: OpenAI) -> None:
    tool = {
        "type": "function",
        "function": {
            "name": "lookup",
            "parameters": {
                "type": "object",
                "properties": {"query": {"type": "string"}},
                "required": ["query"],
            },
        },
    }
    # openai 1.0.0 predates the `tools` argument; extra_body sends it all the same.
    raw = client.chat.completions.with_raw_response.create(
        model=MODEL, messages=MESSAGES, extra_body={"tools": [tool]}
    )
    choice = raw.http_response.json()["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] is None
    call = choice["message"]["tool_calls"][0]
    assert call["function"]["name"] == "lookup"
    assert json.loads(call["function"]["arguments"]) == {"query": "example"}


def test_embeddings(client: OpenAI) -> None:
    result = client.embeddings.create(model="text-embedding-3-small", input=["a b", "c"])
    assert [len(item.embedding) for item in result.data] == [8, 8]
    assert all(isinstance(value, float) for value in result.data[0].embedding)
    assert result.usage.prompt_tokens == 3


def test_legacy_completion_stream(client: OpenAI) -> None:
    stream = client.completions.create(model="gpt-3.5-turbo-instruct", prompt="Hi", stream=True)
    assert "".join(chunk.choices[0].text for chunk in stream) == "Emulated completion of: Hi"


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("http-400", openai.BadRequestError),
        ("http-401", openai.AuthenticationError),
        ("http-404", openai.NotFoundError),
        ("http-429", openai.RateLimitError),
        ("http-500", openai.InternalServerError),
    ],
)
def test_http_faults(client: OpenAI, fault: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        client.chat.completions.create(
            model=MODEL, messages=MESSAGES, extra_headers={"x-emulator-fault": fault}
        )


def test_stream_cut(client: OpenAI) -> None:
    stream = client.chat.completions.create(
        model=MODEL,
        messages=MESSAGES,
        stream=True,
        extra_headers={"x-emulator-fault": "stream-cut"},
    )
    # openai >= 1.x wraps the transport error in APIConnectionError; 1.0.0 lets it escape.
    with pytest.raises((openai.APIConnectionError, http.RemoteProtocolError)):
        list(stream)
