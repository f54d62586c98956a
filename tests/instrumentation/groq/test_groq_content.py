"""Opt-in message content on Groq spans, plain and streamed: the conventions' JSON, built from
what the SDK returned (Groq sends a streamed tool call whole, in one delta)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conformance.case import resolve
from groq_expected import (
    PARAMETERS,
    TOOL,
    Instrumented,
    create,
    make_client,
    only_span,
    read_stream,
)

CAPTURE = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
CONTENT = (
    "gen_ai.input.messages",
    "gen_ai.output.messages",
    "gen_ai.system_instructions",
    "gen_ai.tool.definitions",
)
DEFINITION = {
    "type": "function",
    "name": "get_weather",
    "description": "Weather now",
    "parameters": PARAMETERS,
}
MESSAGES = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "weather in Paris?"},
]
INPUT = [
    {"role": "system", "parts": [{"type": "text", "content": "You are terse."}], "name": None},
    {"role": "user", "parts": [{"type": "text", "content": "weather in Paris?"}], "name": None},
]


@pytest.fixture(params=["sync", "async"])
def sdk(request, monkeypatch, telemetry, emulator):
    """A client, instrumented after the capture switch is set (it is read on instrument)."""

    def made(capture: bool) -> Any:
        if capture:
            monkeypatch.setenv(CAPTURE, "true")
        else:
            monkeypatch.delenv(CAPTURE, raising=False)
        handle = Instrumented(telemetry)
        handle.start()
        started.append(handle)
        return make_client(emulator, request.param == "async")

    started: list[Instrumented] = []
    yield made
    for handle in started:
        handle.instrumentor.uninstrument()


def content(span: Any) -> dict[str, Any]:
    """The content attributes of a span, each parsed (each must be a JSON string)."""
    found = {}
    for name in CONTENT:
        if name in span.attributes:
            assert isinstance(span.attributes[name], str), name
            found[name] = json.loads(span.attributes[name])
    return found


def tool_call_output(call: Any) -> list[dict[str, Any]]:
    part = {
        "type": "tool_call",
        "name": call.function.name,
        "id": call.id,
        "arguments": json.loads(call.function.arguments),  # an object, not a string
    }
    return [{"role": "assistant", "parts": [part], "finish_reason": "tool_call", "name": None}]


async def test_plain_tool_call(sdk, telemetry):
    result = await resolve(create(sdk(capture=True).chat.completions, MESSAGES, tools=[TOOL]))

    (call,) = result.choices[0].message.tool_calls
    assert content(only_span(telemetry)) == {
        "gen_ai.input.messages": INPUT,
        "gen_ai.output.messages": tool_call_output(call),
        "gen_ai.tool.definitions": [DEFINITION],
    }


async def test_stream_text_is_assembled(sdk, telemetry):
    chunks = await read_stream(sdk(capture=True).chat.completions, messages=MESSAGES)

    reply = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert reply.startswith("Emulated reply to: weather in Paris?")
    assert content(only_span(telemetry)) == {
        "gen_ai.input.messages": INPUT,
        "gen_ai.output.messages": [
            {
                "role": "assistant",
                "parts": [{"type": "text", "content": reply}],
                "finish_reason": "stop",
                "name": None,
            }
        ],
    }


async def test_stream_tool_call_is_assembled(sdk, telemetry):
    completions = sdk(capture=True).chat.completions
    chunks = await read_stream(completions, messages=MESSAGES, tools=[TOOL])

    (deltas,) = [c.choices[0].delta.tool_calls for c in chunks if c.choices[0].delta.tool_calls]
    (call,) = deltas
    assert content(only_span(telemetry)) == {
        "gen_ai.input.messages": INPUT,
        "gen_ai.output.messages": tool_call_output(call),
        "gen_ai.tool.definitions": [DEFINITION],
    }


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
async def test_no_content_unless_asked(sdk, telemetry, stream):
    completions = sdk(capture=False).chat.completions
    if stream:
        await read_stream(completions, messages=MESSAGES, tools=[TOOL])
    else:
        await resolve(create(completions, MESSAGES, tools=[TOOL]))

    attributes = only_span(telemetry).attributes
    assert not set(CONTENT) & set(attributes)
    assert "Paris" not in json.dumps(dict(attributes))
