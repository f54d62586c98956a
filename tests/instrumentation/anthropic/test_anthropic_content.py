"""Opt-in content: the system prompt, every kind of block in and out, tool definitions; and
nothing of it when content capture is off."""

from __future__ import annotations

import base64
import json
from types import SimpleNamespace
from typing import Any

import pytest
from anthropic_expected import (
    CONTENT_ATTRIBUTES,
    HAS_THINKING,
    HOWS,
    NO_THINKING,
    WEATHER_TOOL,
    arguments,
    complete,
    only_span,
)
from conformance.case import resolve

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n-not-really-an-image").decode()
PDF = base64.b64encode(b"%PDF-1.4 a tiny document").decode()
CONVERSATION = [
    {
        "role": "user",
        "content": [
            {"type": "text", "text": "What do these show?"},
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}},
            {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}},
            {
                "type": "document",
                "source": {"type": "base64", "media_type": "application/pdf", "data": PDF},
            },
            {
                "type": "document",
                "source": {"type": "text", "media_type": "text/plain", "data": "plain notes"},
            },
            {"type": "document", "source": {"type": "url", "url": "https://example.com/a.pdf"}},
        ],
    },
    {
        "role": "assistant",
        "content": [
            {"type": "thinking", "thinking": "The user wants the weather.", "signature": "c2ln"},
            {"type": "text", "text": "Let me check."},
            {
                "type": "tool_use",
                "id": "toolu_01",
                "name": "get_weather",
                "input": {"city": "Oslo"},
            },
        ],
    },
    {
        "role": "user",
        "content": [
            {"type": "tool_result", "tool_use_id": "toolu_01", "content": "light rain"},
            {
                "type": "tool_result",
                "tool_use_id": "toolu_02",
                "content": [{"type": "text", "text": "18 C"}],
            },
            {"type": "text", "text": "Thanks, and summarise."},
        ],
    },
]

EXPECTED_INPUT = [
    {
        "role": "user",
        "name": None,
        "parts": [
            {"type": "text", "content": "What do these show?"},
            {
                "type": "blob",
                "mime_type": "image/png",
                "modality": "image",
                "content": PNG,  # bytes are recorded base64-encoded
            },
            {
                "type": "uri",
                "mime_type": None,
                "modality": "image",
                "uri": "https://example.com/cat.jpg",
            },
            {
                "type": "blob",
                "mime_type": "application/pdf",
                "modality": "document",
                "content": PDF,
            },
            {"type": "text", "content": "plain notes"},
            {
                "type": "uri",
                "mime_type": None,
                "modality": "document",
                "uri": "https://example.com/a.pdf",
            },
        ],
    },
    {
        "role": "assistant",
        "name": None,
        "parts": [
            {"type": "reasoning", "content": "The user wants the weather."},
            {"type": "text", "content": "Let me check."},
            {
                "type": "tool_call",
                "id": "toolu_01",
                "name": "get_weather",
                "arguments": {"city": "Oslo"},
            },
        ],
    },
    {
        "role": "user",
        "name": None,
        "parts": [
            {"type": "tool_call_response", "id": "toolu_01", "response": "light rain"},
            {
                "type": "tool_call_response",
                "id": "toolu_02",
                "response": [{"type": "text", "content": "18 C"}],
            },
            {"type": "text", "content": "Thanks, and summarise."},
        ],
    },
]


def content_of(span: Any) -> dict[str, Any]:
    return {
        key: json.loads(span.attributes[key]) for key in CONTENT_ATTRIBUTES & set(span.attributes)
    }


def reply_text(message: Any) -> str:
    return "".join(block.text for block in message.content if block.type == "text")


@pytest.mark.parametrize(
    "system",
    [
        "You are terse.",
        [{"type": "text", "text": "You are terse."}, {"type": "text", "text": "Be kind."}],
    ],
    ids=["string", "blocks"],
)
async def test_every_input_block_and_the_system_prompt(content_sdk, telemetry, system):
    message = await resolve(
        content_sdk.messages.create(**arguments(system=system, messages=CONVERSATION))
    )

    content = content_of(only_span(telemetry))
    texts = [system] if isinstance(system, str) else [block["text"] for block in system]
    assert content["gen_ai.system_instructions"] == [
        {"type": "text", "content": text} for text in texts
    ]
    assert content["gen_ai.input.messages"] == EXPECTED_INPUT
    assert content["gen_ai.output.messages"] == [
        {
            "role": "assistant",
            "name": None,
            "parts": [{"type": "text", "content": reply_text(message)}],
            "finish_reason": "stop",
        }
    ]
    assert "gen_ai.tool.definitions" not in content


def tool_call_output(message: Any) -> list[dict[str, Any]]:
    (call,) = [block for block in message.content if block.type == "tool_use"]
    return [
        {
            "role": "assistant",
            "name": None,
            "parts": [
                {"type": "tool_call", "id": call.id, "name": call.name, "arguments": call.input}
            ],
            "finish_reason": "tool_call",
        }
    ]


TOOLS = [WEATHER_TOOL, {"type": "bash_20250124", "name": "bash"}]
EXPECTED_TOOLS = [
    {
        "type": "function",
        "name": "get_weather",
        "description": "Current weather of a city",
        "parameters": WEATHER_TOOL["input_schema"],
    },
    {"type": "bash_20250124", "name": "bash"},
]


@pytest.mark.parametrize("how", HOWS)
async def test_tool_definitions_and_a_tool_call_reply(content_sdk, telemetry, asynchronous, how):
    message = _reply(await complete(content_sdk, how, asynchronous, tools=TOOLS))

    assert message.stop_reason == "tool_use"
    content = content_of(only_span(telemetry))
    assert content["gen_ai.tool.definitions"] == EXPECTED_TOOLS
    assert content["gen_ai.output.messages"] == tool_call_output(message)


def _reply(result: Any) -> Any:
    """The Message of a call; for a raw event stream, put together from its events by hand."""
    if not isinstance(result, list):
        return result
    events = result
    blocks: dict[int, dict[str, Any]] = {}
    stop_reason = None
    for event in events:
        if event.type == "content_block_start":
            blocks[event.index] = {**event.content_block.model_dump(), "json": ""}
        elif event.type == "content_block_delta":
            block, delta = blocks[event.index], event.delta
            if delta.type == "text_delta":
                block["text"] += delta.text
            elif delta.type == "thinking_delta":
                block["thinking"] += delta.thinking
            elif delta.type == "input_json_delta":
                block["json"] += delta.partial_json
        elif event.type == "message_delta":
            stop_reason = event.delta.stop_reason
    content = []
    for _, block in sorted(blocks.items()):
        if block["type"] == "tool_use":
            block["input"] = json.loads(block["json"])
        content.append(SimpleNamespace(**block))
    return SimpleNamespace(content=content, stop_reason=stop_reason)


@pytest.mark.skipif(not HAS_THINKING, reason=NO_THINKING)
@pytest.mark.parametrize("how", HOWS)
async def test_thinking_reply_is_reasoning(content_sdk, telemetry, asynchronous, how):
    thinking_on = {"type": "enabled", "budget_tokens": 100}
    message = _reply(await complete(content_sdk, how, asynchronous, thinking=thinking_on))

    thinking, text = message.content
    assert thinking.type == "thinking"
    content = content_of(only_span(telemetry))
    assert content["gen_ai.output.messages"] == [
        {
            "role": "assistant",
            "name": None,
            "parts": [
                {"type": "reasoning", "content": thinking.thinking},
                {"type": "text", "content": text.text},
            ],
            "finish_reason": "stop",
        }
    ]


@pytest.mark.parametrize("how", HOWS)
async def test_no_content_unless_asked(sdk, telemetry, asynchronous, how):
    call = {"system": "A secret system prompt", "messages": CONVERSATION, "tools": TOOLS}
    await complete(sdk, how, asynchronous, **call)

    span = only_span(telemetry)
    assert not CONTENT_ATTRIBUTES & set(span.attributes)
    recorded = json.dumps(dict(span.attributes))
    for secret in ("A secret system prompt", "summarise", "Oslo", "get_weather"):
        assert secret not in recorded
