"""Mistral wire checks that need the newest SDK (`mistralai.client`, `chat.parse`,
`http_headers`). The checks that also run on mistralai 1.x live in test_mistral_wire_any_sdk.py.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from mistralai.client import Mistral
from mistralai.client.errors import ResponseValidationError, SDKError
from provider_emulator import EmulatorServer
from pydantic import BaseModel

MODEL = "mistral-large-latest"
MESSAGES = [{"role": "user", "content": "Hello there emulator"}]


class City(BaseModel):
    name: str
    population: int
    coastal: bool


@pytest.fixture
def client(emulator: EmulatorServer) -> Mistral:
    return Mistral(api_key="emulator-key", server_url=emulator.mistral_server_url)


def test_parse_structured_output(client: Mistral, emulator: EmulatorServer) -> None:
    parsed = client.chat.parse(response_format=City, model=MODEL, messages=MESSAGES)
    assert parsed.choices[0].message.parsed == City(name="example", population=0, coastal=True)
    sent = emulator.requests[0].body["response_format"]
    assert sent["type"] == "json_schema"

    async def run() -> City:
        result = await client.chat.parse_async(response_format=City, model=MODEL, messages=MESSAGES)
        return result.choices[0].message.parsed

    assert asyncio.run(run()).name == "example"


def test_max_tokens_cuts_with_length(client: Mistral) -> None:
    response = client.chat.complete(model=MODEL, messages=MESSAGES, max_tokens=2)
    assert response.choices[0].message.content == "Emulated reply"
    assert response.choices[0].finish_reason == "length"
    assert response.usage.completion_tokens == 2


def test_several_choices(client: Mistral) -> None:
    response = client.chat.complete(model=MODEL, messages=MESSAGES, n=2)
    first, second = (choice.message.content for choice in response.choices)
    assert second == "Choice 2: " + first
    assert response.usage.completion_tokens == len(first.split()) + len(second.split())


def test_stream_error_is_a_response_validation_error(client: Mistral) -> None:
    with pytest.raises(ResponseValidationError) as caught:
        list(
            client.chat.stream(
                model=MODEL, messages=MESSAGES, http_headers={"x-emulator-fault": "stream-error"}
            )
        )
    assert json.loads(caught.value.body)["data"]["type"] == "internal_server_error"


def test_gateway_and_api_error_bodies(client: Mistral) -> None:
    with pytest.raises(SDKError) as caught:
        client.chat.complete(
            model=MODEL, messages=MESSAGES, http_headers={"x-emulator-fault": "http-401"}
        )
    assert caught.value.headers["content-type"] == "application/json; charset=utf-8"
    assert json.loads(caught.value.body)["message"] == "Unauthorized"
    with pytest.raises(SDKError) as caught:
        client.chat.complete(
            model=MODEL, messages=MESSAGES, http_headers={"x-emulator-fault": "http-404"}
        )
    body = json.loads(caught.value.body)
    assert (body["type"], body["code"], body["message"]) == (
        "invalid_model",
        "1500",
        f"Invalid model: {MODEL}",
    )


def test_malformed_json_and_unknown_fault(client: Mistral) -> None:
    with pytest.raises(ResponseValidationError):
        client.chat.complete(
            model=MODEL, messages=MESSAGES, http_headers={"x-emulator-fault": "malformed-json"}
        )
    with pytest.raises(SDKError) as caught:
        client.chat.complete(model=MODEL, messages=MESSAGES, http_headers={"x-emulator-fault": "x"})
    assert caught.value.status_code == 400
    assert "unknown x-emulator-fault" in caught.value.body
