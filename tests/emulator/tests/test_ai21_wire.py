"""AI21 wire checks that need the newest SDK (4.x types: response formats, tool-call streams).

The checks that also run on ai21 2.x live in test_ai21_wire_any_sdk.py.
"""

from __future__ import annotations

import json

import pytest
from ai21 import AI21Client
from ai21.errors import AI21APIError
from ai21.models.chat import ChatMessage, ResponseFormat
from provider_emulator import EmulatorServer

MODEL = "jamba-large"
MESSAGES = [ChatMessage(role="user", content="Hello there emulator")]
TOOL = {
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


@pytest.fixture
def client(emulator: EmulatorServer) -> AI21Client:
    return AI21Client(api_key="k", api_host=emulator.ai21_base_url)


def test_json_object_response_format(client: AI21Client) -> None:
    response = client.chat.completions.create(
        model=MODEL, messages=MESSAGES, response_format=ResponseFormat(type="json_object")
    )
    content = json.loads(response.choices[0].message.content)
    assert content == {"message": "Emulated reply to: Hello there emulator"}


def test_several_choices_and_max_tokens(client: AI21Client) -> None:
    response = client.chat.completions.create(model=MODEL, messages=MESSAGES, n=2, max_tokens=3)
    assert [c.message.content for c in response.choices] == [
        "Emulated reply to:",
        "Choice 2: Emulated",
    ]
    assert [c.finish_reason for c in response.choices] == ["length", "length"]
    assert response.usage.completion_tokens == 6


def test_streamed_tool_call_arrives_whole(client: AI21Client) -> None:
    chunks = list(
        client.chat.completions.create(model=MODEL, messages=MESSAGES, tools=[TOOL], stream=True)
    )
    calls = [c.choices[0].delta.model_extra.get("tool_calls") for c in chunks]
    (whole,) = [call for call in calls if call]
    assert whole[0]["function"] == {"name": "lookup", "arguments": '{"query": "example"}'}
    assert chunks[-1].choices[0].finish_reason == "tool_calls"
    assert chunks[-1].usage.completion_tokens == 2


def test_unknown_path_is_a_404(emulator: EmulatorServer) -> None:
    # The host form of ai21 <= 2.5.0 given to a newer SDK misses the /studio/v1 part.
    client = AI21Client(api_key="k", api_host=emulator.ai21_api_host)
    with pytest.raises(AI21APIError) as caught:
        client.chat.completions.create(model=MODEL, messages=MESSAGES)
    assert caught.value.status_code == 404
