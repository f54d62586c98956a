"""Opt-in content of Jamba chat calls: the messages, tool definitions and replies as the
conventions' JSON, plain and streamed (content off is checked by the conformance suite)."""

from __future__ import annotations

import json
from typing import Any

from ai21_expected import (
    drain,
    jamba_messages,
    make_client,
    needs,
    only_span,
    resolve,
)

pytestmark = needs("jamba")

MODEL = "jamba-large"
TURNS = (("system", "You answer in one line."), ("user", "Where is my order A-1042?"))
ORDER_SCHEMA = {"type": "object", "required": ["order"]}
ORDER_SCHEMA["properties"] = {"order": {"type": "string"}}
TRACK_ORDER = {"name": "track_order", "description": "Where an order is"}
ORDER_TOOL = {"type": "function", "function": {**TRACK_ORDER, "parameters": ORDER_SCHEMA}}


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
    message("user", [text("Where is my order A-1042?")], name=None),
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


@needs("streams")
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
        "name": "track_order",
        "id": call_id,
        "arguments": json.loads(arguments),
    }
    return [message("assistant", [part], finish_reason="tool_call", name=None)]


async def tool_chat(client: Any, stream: bool = False) -> Any:
    return await resolve(
        client.chat.completions.create(
            model=MODEL, messages=jamba_messages(*TURNS), tools=[ORDER_TOOL], stream=stream
        )
    )


@needs("tools")
async def test_tool_definitions_and_tool_call(
    emulator, telemetry, instrument_with_content, asynchronous
):
    response = await tool_chat(make_client(emulator, asynchronous))

    (call,) = response.choices[0].message.tool_calls
    span = only_span(telemetry)
    assert span.attributes["gen_ai.response.finish_reasons"] == ("tool_calls",)
    assert parsed(span, "gen_ai.tool.definitions") == [
        {"type": "function", **TRACK_ORDER, "parameters": ORDER_SCHEMA}
    ]
    assert parsed(span, "gen_ai.output.messages") == tool_call_output(
        call.id, call.function.arguments
    )


@needs("tools")
async def test_streamed_tool_call_reads_as_the_unstreamed_one(
    emulator, telemetry, instrument_with_content, asynchronous
):
    chunks = await drain(await tool_chat(make_client(emulator, asynchronous), stream=True))

    # The SDK's delta type declares no tool calls: they arrive as the server's plain dicts.
    deltas = [c.choices[0].delta for c in chunks]
    (calls,) = [d.model_extra["tool_calls"] for d in deltas if d.model_extra.get("tool_calls")]
    (call,) = calls
    call_id, arguments = call["id"], call["function"]["arguments"]
    span = only_span(telemetry)
    assert span.attributes["gen_ai.response.finish_reasons"] == ("tool_calls",)
    assert parsed(span, "gen_ai.output.messages") == tool_call_output(call_id, arguments)
