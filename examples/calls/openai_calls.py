"""OpenAI: a chat completion, a stream, a tool call round trip and embeddings.

The client reads OPENAI_API_KEY and OPENAI_BASE_URL from the environment, so the same code talks
to OpenAI or to the emulator.
"""

from __future__ import annotations

import json
import os

from openai import OpenAI

from calls import say

SDK = "openai"
EMULATOR_ENV = {
    "OPENAI_BASE_URL": "{emulator}/openai/v1",
    "OPENAI_API_KEY": "sk-demo-not-a-real-key",
}

CHAT_MODEL = os.environ.get("DEMO_CHAT_MODEL", "gpt-4o-mini")
EMBEDDING_MODEL = os.environ.get("DEMO_EMBEDDING_MODEL", "text-embedding-3-small")

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "description": "City name"}},
            "required": ["city"],
            "additionalProperties": False,
        },
    },
}


def get_weather(city: str) -> dict[str, object]:
    """The app's own tool: a canned answer, so the demo needs no weather service."""
    return {"city": city, "temperature_c": 18, "conditions": "light rain"}


def chat(client: OpenAI) -> None:
    say("chat completion ...")
    response = client.chat.completions.create(
        model=CHAT_MODEL,
        messages=[{"role": "user", "content": "Say hello in five words."}],
    )
    say(f"  reply: {response.choices[0].message.content}")


def stream(client: OpenAI) -> None:
    say("streamed chat completion ...")
    chunks = client.chat.completions.create(
        model=CHAT_MODEL,
        messages=[{"role": "user", "content": "Write one sentence about the sea."}],
        stream=True,
    )
    print("[app]   reply: ", end="", flush=True)
    for chunk in chunks:
        if chunk.choices and chunk.choices[0].delta.content:
            print(chunk.choices[0].delta.content, end="", flush=True)
    print(flush=True)


def tool_round_trip(client: OpenAI) -> None:
    say("tool call round trip ...")
    messages: list[dict[str, object]] = [
        {"role": "user", "content": "What is the weather in Paris right now?"}
    ]
    first = client.chat.completions.create(
        model=CHAT_MODEL, messages=messages, tools=[WEATHER_TOOL]
    )
    message = first.choices[0].message
    if not message.tool_calls:
        say(f"  the model answered without the tool: {message.content}")
        return
    messages.append(message.model_dump(exclude_none=True))
    for call in message.tool_calls:
        arguments = json.loads(call.function.arguments or "{}")
        city = arguments.get("city") or "Paris"
        result = get_weather(city)
        say(f"  model asked for {call.function.name}({arguments}); answering {result}")
        messages.append({"role": "tool", "tool_call_id": call.id, "content": json.dumps(result)})
    second = client.chat.completions.create(
        model=CHAT_MODEL, messages=messages, tools=[WEATHER_TOOL]
    )
    say(f"  reply: {second.choices[0].message.content}")


def embeddings(client: OpenAI) -> None:
    say("embeddings ...")
    response = client.embeddings.create(model=EMBEDDING_MODEL, input=["The sea is calm tonight."])
    say(f"  got a vector of {len(response.data[0].embedding)} dimensions")


def run() -> None:
    client = OpenAI()
    chat(client)
    stream(client)
    tool_round_trip(client)
    embeddings(client)
