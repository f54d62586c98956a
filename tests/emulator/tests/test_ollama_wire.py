"""Ollama wire checks that need the newest SDK (typed responses, tools, images, schemas).

The checks that also run on ollama 0.0.1 and 0.3.x live in test_ollama_wire_any_sdk.py.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import ollama
import pytest
from provider_emulator import EmulatorServer

MODEL = "qwen3:8b"
MESSAGES = [{"role": "user", "content": "What is the weather in Paris"}]
PIXEL_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6364f8cf500f0003860180a58d4d6b0000000049454e44ae426082"
)


def get_weather(city: str, days: int) -> str:
    """Weather forecast.

    Args:
      city: the city
      days: how many days
    """
    return "sunny"


@pytest.fixture
def client(emulator: EmulatorServer) -> ollama.Client:
    return ollama.Client(host=emulator.ollama_host)


def test_typed_chat_response(client: ollama.Client) -> None:
    response = client.chat(model=MODEL, messages=MESSAGES)
    assert isinstance(response, ollama.ChatResponse)
    assert response.message.content == "Emulated reply to: What is the weather in Paris"
    assert response.created_at == "2023-11-14T22:13:20.000000Z"
    assert response.eval_duration == response.eval_count * 10_000_000


def test_tool_calls_plain_and_streamed(client: ollama.Client, emulator: EmulatorServer) -> None:
    response = client.chat(model=MODEL, messages=MESSAGES, tools=[get_weather])
    (call,) = response.message.tool_calls
    assert call.function.name == "get_weather"
    assert call.function.arguments == {"city": "example", "days": 0}
    assert response.eval_count == len(json.dumps(call.function.arguments).split())
    assert emulator.requests[0].body["tools"][0]["function"]["name"] == "get_weather"

    parts = list(client.chat(model=MODEL, messages=MESSAGES, tools=[get_weather], stream=True))
    assert [p.message.tool_calls[0].function.name for p in parts if p.message.tool_calls] == [
        "get_weather"
    ]
    assert parts[-1].done and parts[-1].eval_count == response.eval_count

    after = [
        *MESSAGES,
        response.message,
        {"role": "tool", "content": "sunny", "tool_name": "get_weather"},
    ]
    final = client.chat(model=MODEL, messages=after, tools=[get_weather])
    assert final.message.tool_calls is None
    assert final.message.content.startswith("Emulated reply to:")


def test_images_add_prompt_tokens(client: ollama.Client) -> None:
    plain = client.chat(model="llava", messages=MESSAGES)
    with_image = client.chat(model="llava", messages=[{**MESSAGES[0], "images": [PIXEL_PNG]}])
    assert with_image.prompt_eval_count == plain.prompt_eval_count + 10
    generated = client.generate(model="llava", prompt="Describe", images=[PIXEL_PNG])
    assert generated.prompt_eval_count == 1 + 10


def test_format_schema(client: ollama.Client) -> None:
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "temperature": {"type": "number"}},
        "required": ["city", "temperature"],
    }
    response = client.chat(model=MODEL, messages=MESSAGES, format=schema)
    assert json.loads(response.message.content) == {"city": "example", "temperature": 0.0}


def test_embed_dimensions_and_missing_model(client: ollama.Client) -> None:
    response = client.embed(model="all-minilm", input="one", dimensions=16)
    assert len(response.embeddings[0]) == 16
    with pytest.raises(ollama.ResponseError) as caught:
        client.embed(model="missing-embedder", input="one")
    assert caught.value.status_code == 404


def test_tags_version_and_unknown_path(emulator: EmulatorServer) -> None:
    with urllib.request.urlopen(emulator.ollama_host + "/api/version") as answer:
        assert json.loads(answer.read())["version"]
    listed = ollama.Client(host=emulator.ollama_host).list()
    assert listed.models[0].model == "llama3.2:latest"
    request = urllib.request.Request(emulator.ollama_host + "/api/nope", method="POST")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request)
    assert (caught.value.code, caught.value.read()) == (404, b"404 page not found")


def test_malformed_json(emulator: EmulatorServer) -> None:
    client = ollama.Client(
        host=emulator.ollama_host, headers={"x-emulator-fault": "malformed-json"}
    )
    with pytest.raises(json.JSONDecodeError):
        client.chat(model=MODEL, messages=MESSAGES)
    with pytest.raises(json.JSONDecodeError):
        list(client.chat(model=MODEL, messages=MESSAGES, stream=True))
