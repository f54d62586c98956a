"""Opt-in message content for chat (dicts and the SDK's message models, tools, tool results,
streams) and FIM; none by default. The switch is read when instrumenting, so each test sets the
environment first (the ``capture`` fixture)."""

from __future__ import annotations

import json
from contextlib import ExitStack

import pytest
from conformance.expect import CONTENT_ATTRIBUTES, drain, instrumented, only_span, resolve
from mistral_expected import (
    FIM_MODEL,
    MODEL,
    make_client,
    method,
    models,
    text_of,
    user,
)
from opentelemetry.instrumentation.agentops.mistral import MistralInstrumentor
from test_mistral_calls import WEATHER_TOOL

CAPTURE = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
WEATHER_DEFINITION = {"type": "function", **WEATHER_TOOL["function"]}


@pytest.fixture
def capture(monkeypatch, telemetry):
    """``capture(value)`` sets the switch (None: unset), then instruments for the test."""
    with ExitStack() as stack:

        def instrument(value: str | None) -> None:
            if value is None:
                monkeypatch.delenv(CAPTURE, raising=False)
            else:
                monkeypatch.setenv(CAPTURE, value)
            stack.enter_context(instrumented(MistralInstrumentor(), telemetry))

        yield instrument


@pytest.fixture
def client(emulator):
    return make_client(emulator.mistral_server_url)


def content(span) -> dict:
    """The span's content attributes, each a JSON string, parsed."""
    return {k: json.loads(v) for k, v in span.attributes.items() if k in CONTENT_ATTRIBUTES}


def part(value: str) -> dict:
    return {"type": "text", "content": value}


def message(role: str, *parts: dict, **extra) -> dict:
    return {"role": role, "parts": list(parts), "name": None, **extra}


def reply(response) -> dict:
    choice = response.choices[0]
    return message("assistant", part(choice.message.content), finish_reason=choice.finish_reason)


HISTORY_CALL = {"id": "abc123XYZ", "name": "get_weather", "arguments": '{"city": "Paris"}'}


def history_as_dicts() -> list[dict]:
    return [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "weather in Paris?"},
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {
                    "id": HISTORY_CALL["id"],
                    "type": "function",
                    "function": {
                        "name": HISTORY_CALL["name"],
                        "arguments": HISTORY_CALL["arguments"],
                    },
                }
            ],
        },
        {"role": "tool", "tool_call_id": HISTORY_CALL["id"], "content": "sunny, 21C"},
    ]


def history_as_models() -> list:
    call = models.ToolCall(
        id=HISTORY_CALL["id"],
        function=models.FunctionCall(
            name=HISTORY_CALL["name"], arguments=HISTORY_CALL["arguments"]
        ),
    )
    return [
        models.SystemMessage(content="You are terse."),
        models.UserMessage(content="weather in Paris?"),
        models.AssistantMessage(content="", tool_calls=[call]),
        models.ToolMessage(tool_call_id=HISTORY_CALL["id"], content="sunny, 21C"),
    ]


@pytest.mark.parametrize("value", [None, "false", "NO_CONTENT"])
async def test_no_content_unless_asked(client, capture, telemetry, value):
    capture(value)
    client.chat.complete(model=MODEL, messages=history_as_dicts(), tools=[WEATHER_TOOL])
    client.fim.complete(model=FIM_MODEL, prompt="def add(a, b):")

    for span in telemetry.spans():
        assert not set(span.attributes) & set(CONTENT_ATTRIBUTES), span.name
        assert "Paris" not in json.dumps(dict(span.attributes))


@pytest.mark.parametrize("history", [history_as_dicts, history_as_models])
async def test_chat_history_with_tool_results_and_definitions(
    client, capture, telemetry, asynchronous, history
):
    capture("true")
    response = await resolve(
        method(client.chat, "complete", asynchronous)(
            model=MODEL, messages=history(), tools=[WEATHER_TOOL]
        )
    )

    assert content(only_span(telemetry)) == {
        "gen_ai.input.messages": [
            message("system", part("You are terse.")),
            message("user", part("weather in Paris?")),
            message(
                "assistant",
                part(""),
                {
                    "type": "tool_call",
                    "name": "get_weather",
                    "id": HISTORY_CALL["id"],
                    "arguments": {"city": "Paris"},
                },
            ),
            message(
                "tool",
                {
                    "type": "tool_call_response",
                    "id": HISTORY_CALL["id"],
                    "response": "sunny, 21C",
                },
            ),
        ],
        # After a tool result the model answers in text.
        "gen_ai.output.messages": [reply(response)],
        "gen_ai.tool.definitions": [WEATHER_DEFINITION],
    }


async def test_a_tool_call_reply(client, capture, telemetry, asynchronous):
    capture("true")
    response = await resolve(
        method(client.chat, "complete", asynchronous)(
            model=MODEL, messages=user("weather in Paris?"), tools=[WEATHER_TOOL]
        )
    )

    choice = response.choices[0]
    (call,) = choice.message.tool_calls
    tool_call = {
        "type": "tool_call",
        "name": "get_weather",
        "id": call.id,
        "arguments": json.loads(call.function.arguments),  # an object, not a string
    }
    outputs = content(only_span(telemetry))["gen_ai.output.messages"]
    assert outputs == [
        message("assistant", part(choice.message.content), tool_call, finish_reason="tool_call")
    ]


async def test_a_stream_reply_is_assembled(client, capture, telemetry, asynchronous):
    capture("true")
    events = await drain(
        await resolve(method(client.chat, "stream", asynchronous)(model=MODEL, messages=user()))
    )

    finish = events[-1].data.choices[0].finish_reason
    assert content(only_span(telemetry)) == {
        "gen_ai.input.messages": [message("user", part("tell me a short story"))],
        "gen_ai.output.messages": [
            message("assistant", part("".join(text_of(e) for e in events)), finish_reason=finish)
        ],
    }


async def test_a_streamed_tool_call_is_assembled(client, capture, telemetry):
    capture("true")
    events = list(
        client.chat.stream(model=MODEL, messages=user("weather in Paris?"), tools=[WEATHER_TOOL])
    )

    (call,) = [c for e in events for c in (e.data.choices[0].delta.tool_calls or [])]
    (output,) = content(only_span(telemetry))["gen_ai.output.messages"]
    assert output["finish_reason"] == "tool_call"
    assert output["parts"][-1] == {
        "type": "tool_call",
        "name": "get_weather",
        "id": call.id,
        "arguments": json.loads(call.function.arguments),
    }


async def test_fim_prompt_and_suffix(client, capture, telemetry, asynchronous):
    capture("true")
    response = await resolve(
        method(client.fim, "complete", asynchronous)(
            model=FIM_MODEL, prompt="def add(a, b):", suffix="return total"
        )
    )

    assert content(only_span(telemetry)) == {
        "gen_ai.input.messages": [message("user", part("def add(a, b):"), part("return total"))],
        "gen_ai.output.messages": [reply(response)],
    }


async def test_embeddings_carry_no_content(client, capture, telemetry):
    capture("true")
    client.embeddings.create(model="mistral-embed", inputs=["secret words"])

    assert content(only_span(telemetry)) == {}
