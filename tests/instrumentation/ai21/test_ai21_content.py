"""Opt-in content of Jamba chat calls: the messages, tool definitions and replies as the
conventions' JSON, plain and streamed (content off is checked by the conformance suite)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from ai21_expected import (
    HAS_JAMBA,
    HAS_STREAMS,
    HAS_TOOLS,
    NO_JAMBA,
    NO_STREAMS,
    NO_TOOLS,
    drain,
    jamba_messages,
    make_client,
    only_span,
    resolve,
)

pytestmark = pytest.mark.skipif(not HAS_JAMBA, reason=NO_JAMBA)

MODEL = "jamba-large"
TURNS = (("system", "You answer in one line."), ("user", "What is the weather in Paris?"))
WEATHER_PARAMETERS = {
    "type": "object",
    "properties": {"city": {"type": "string"}},
    "required": ["city"],
}
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather of a city",
        "parameters": WEATHER_PARAMETERS,
    },
}


def parsed(span: Any, name: str) -> Any:
    value = span.attributes[name]
    assert isinstance(value, str)
    return json.loads(value)


def text(content: str) -> dict[str, Any]:
    return {"type": "text", "content": content}


def message(role: str, parts: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"role": role, "parts": parts, **extra}


INPUT = [
    message("system", [text("You answer in one line.")], name=None),
    message("user", [text("What is the weather in Paris?")], name=None),
]


async def test_messages_and_reply(emulator, telemetry, instrument_with_content, asynchronous):
    client = make_client(emulator, asynchronous)
    response = await resolve(
        client.chat.completions.create(model=MODEL, messages=jamba_messages(*TURNS))
    )

    span = only_span(telemetry)
    assert parsed(span, "gen_ai.input.messages") == INPUT
    reply = response.choices[0].message.content
    assert parsed(span, "gen_ai.output.messages") == [
        message("assistant", [text(reply)], finish_reason="stop", name=None)
    ]
    assert "gen_ai.tool.definitions" not in span.attributes


@pytest.mark.skipif(not HAS_STREAMS, reason=NO_STREAMS)
async def test_streamed_reply_is_the_joined_text(
    emulator, telemetry, instrument_with_content, asynchronous
):
    client = make_client(emulator, asynchronous, headers={"x-emulator-chunks": "5"})
    stream = await resolve(
        client.chat.completions.create(model=MODEL, messages=jamba_messages(*TURNS), stream=True)
    )
    chunks = await drain(stream)

    span = only_span(telemetry)
    assert parsed(span, "gen_ai.input.messages") == INPUT
    reply = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert len(reply.split()) == 5
    assert parsed(span, "gen_ai.output.messages") == [
        message("assistant", [text(reply)], finish_reason="stop", name=None)
    ]


def tool_call_output(call_id: str, arguments: str) -> list[dict[str, Any]]:
    part = {
        "type": "tool_call",
        "name": "get_weather",
        "id": call_id,
        "arguments": json.loads(arguments),
    }
    return [message("assistant", [part], finish_reason="tool_call", name=None)]


@pytest.mark.skipif(not HAS_TOOLS, reason=NO_TOOLS)
async def test_tool_definitions_and_tool_call(
    emulator, telemetry, instrument_with_content, asynchronous
):
    client = make_client(emulator, asynchronous)
    response = await resolve(
        client.chat.completions.create(
            model=MODEL, messages=jamba_messages(*TURNS), tools=[WEATHER_TOOL]
        )
    )

    (call,) = response.choices[0].message.tool_calls
    span = only_span(telemetry)
    assert span.attributes["gen_ai.response.finish_reasons"] == ("tool_calls",)
    assert parsed(span, "gen_ai.tool.definitions") == [
        {
            "type": "function",
            "name": "get_weather",
            "description": "Current weather of a city",
            "parameters": WEATHER_PARAMETERS,
        }
    ]
    assert parsed(span, "gen_ai.output.messages") == tool_call_output(
        call.id, call.function.arguments
    )


@pytest.mark.skipif(not HAS_TOOLS, reason=NO_TOOLS)
async def test_streamed_tool_call_reads_as_the_unstreamed_one(
    emulator, telemetry, instrument_with_content, asynchronous
):
    client = make_client(emulator, asynchronous)
    stream = await resolve(
        client.chat.completions.create(
            model=MODEL, messages=jamba_messages(*TURNS), tools=[WEATHER_TOOL], stream=True
        )
    )
    chunks = await drain(stream)

    # The SDK's delta type declares no tool calls: they arrive as the server's plain dicts.
    deltas = [c.choices[0].delta for c in chunks]
    (calls,) = [d.model_extra["tool_calls"] for d in deltas if d.model_extra.get("tool_calls")]
    (call,) = calls
    call_id, arguments = call["id"], call["function"]["arguments"]
    span = only_span(telemetry)
    assert span.attributes["gen_ai.response.finish_reasons"] == ("tool_calls",)
    assert parsed(span, "gen_ai.output.messages") == tool_call_output(call_id, arguments)
