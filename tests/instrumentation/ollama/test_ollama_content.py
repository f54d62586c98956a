"""Opt-in content: system messages, images, tools and tool calls as message parts, exactly, for
plain and streamed calls; nothing of it when capture is off."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from conformance.case import resolve
from ollama_support import (
    HAS_FUNCTION_TOOLS,
    HAS_TOOLS,
    NO_FUNCTION_TOOLS,
    NO_TOOLS,
    SDK,
    SDK_VERSION,
    make_client,
    only_span,
    stream_of,
)
from opentelemetry.instrumentation.agentops.ollama import OllamaInstrumentor

MODEL = "llava:7b"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6364f8cf500f0003860180a58d4d6b0000000049454e44ae426082"
)
PNG_BASE64 = base64.b64encode(PNG).decode()
SYSTEM = "You answer in one sentence."
QUESTION = "What is in this picture"
CITY_TOOL = {
    "type": "function",
    "function": {
        "name": "local_time",
        "description": "The time of day in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}
# ollama 0.0.1 and 0.1 read every image string as a file path.
TAKES_BASE64_TEXT = tuple(int(part) for part in SDK_VERSION.split(".")[:2]) >= (0, 3)
CONTENT = ("gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.system_instructions")


def get_weather(city: str) -> str:
    """Current weather of a city.

    Args:
      city: the city
    """
    return "sunny"


@pytest.fixture
def captured(telemetry, monkeypatch) -> Iterator[None]:
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")
    instrumentor = OllamaInstrumentor()
    instrumentor.instrument(tracer_provider=telemetry.tracer_provider)
    yield
    instrumentor.uninstrument()


@pytest.fixture(params=["sync", "async"])
def sdk(request, emulator, captured) -> Any:
    return make_client(emulator, asynchronous=request.param == "async")


def text(content: str) -> dict[str, Any]:
    return {"type": "text", "content": content}


def image_blob(data: bytes = PNG) -> dict[str, Any]:
    return {
        "type": "blob",
        "mime_type": None,
        "modality": "image",
        "content": base64.b64encode(data).decode(),
    }


def message(role: str, *parts: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"role": role, "parts": list(parts), "name": None, **extra}


def content_of(span: Any) -> dict[str, Any]:
    return {key: json.loads(span.attributes[key]) for key in CONTENT if key in span.attributes}


def reply_of(result: Any) -> str:
    return result["message"]["content"]


# -- chat --------------------------------------------------------------------------------------


async def test_system_messages_and_images(sdk, telemetry):
    messages = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": QUESTION, "images": [PNG]},
    ]
    result = await resolve(sdk.chat(model=MODEL, messages=messages))

    assert content_of(only_span(telemetry)) == {
        "gen_ai.input.messages": [
            message("system", text(SYSTEM)),
            message("user", text(QUESTION), image_blob()),
        ],
        "gen_ai.output.messages": [
            message("assistant", text(reply_of(result)), finish_reason="stop")
        ],
    }


@pytest.mark.skipif(not TAKES_BASE64_TEXT, reason=f"{SDK} reads every image string as a path")
def test_images_as_base64_text_and_as_files(client_with_capture, telemetry, tmp_path):
    picture = tmp_path / "cat.png"
    picture.write_bytes(PNG)
    messages = [{"role": "user", "content": QUESTION, "images": [PNG_BASE64, str(picture)]}]
    client_with_capture.chat(model=MODEL, messages=messages)

    (inputs,) = content_of(only_span(telemetry))["gen_ai.input.messages"]
    file_part = {"type": "uri", "mime_type": "image/png", "modality": "image", "uri": str(picture)}
    assert inputs == message("user", text(QUESTION), image_blob(), file_part)


@pytest.fixture
def client_with_capture(emulator, captured) -> Any:
    return make_client(emulator)


@pytest.mark.skipif(not HAS_TOOLS, reason=NO_TOOLS)
async def test_tool_calls_and_results(sdk, telemetry):
    question = [{"role": "user", "content": "What time is it in Paris"}]
    first = await resolve(sdk.chat(model=MODEL, messages=question, tools=[CITY_TOOL]))
    (call,) = first["message"]["tool_calls"]
    arguments = call["function"]["arguments"]
    answer = {"role": "tool", "content": "noon"}
    asked = {
        "role": "assistant",
        "content": "",
        "tool_calls": [{"function": {"name": "local_time", "arguments": arguments}}],
    }
    second = await resolve(
        sdk.chat(model=MODEL, messages=[*question, asked, answer], tools=[CITY_TOOL])
    )

    first_span, second_span = telemetry.spans()
    tool_call = {"type": "tool_call", "name": "local_time", "id": None, "arguments": arguments}
    definitions = [
        {
            "type": "function",
            "name": "local_time",
            "description": "The time of day in a city",
            "parameters": CITY_TOOL["function"]["parameters"],
        }
    ]
    assert json.loads(first_span.attributes["gen_ai.tool.definitions"]) == definitions
    # A reply that only calls a tool has no text part.
    assert content_of(first_span)["gen_ai.output.messages"] == [
        message("assistant", tool_call, finish_reason="stop")
    ]
    assert content_of(second_span) == {
        "gen_ai.input.messages": [
            message("user", text("What time is it in Paris")),
            message("assistant", text(""), tool_call),
            message("tool", {"type": "tool_call_response", "id": None, "response": "noon"}),
        ],
        "gen_ai.output.messages": [
            message("assistant", text(reply_of(second)), finish_reason="stop")
        ],
    }


@pytest.mark.skipif(not HAS_FUNCTION_TOOLS, reason=NO_FUNCTION_TOOLS)
def test_python_functions_as_tools(client_with_capture, telemetry):
    client_with_capture.chat(
        model=MODEL, messages=[{"role": "user", "content": "Weather?"}], tools=[get_weather]
    )
    definitions = json.loads(only_span(telemetry).attributes["gen_ai.tool.definitions"])
    assert definitions == [
        {
            "type": "function",
            "name": "get_weather",
            "description": "Current weather of a city.",
            "parameters": None,
        }
    ]


async def test_a_streamed_reply(sdk, telemetry):
    messages = [{"role": "user", "content": QUESTION}]
    parts = await stream_of(lambda: sdk.chat(model=MODEL, messages=messages, stream=True))

    reply = "".join(part["message"]["content"] for part in parts)
    assert content_of(only_span(telemetry)) == {
        "gen_ai.input.messages": [message("user", text(QUESTION))],
        "gen_ai.output.messages": [
            message("assistant", text(reply), finish_reason=parts[-1]["done_reason"])
        ],
    }


@pytest.mark.skipif(not HAS_TOOLS, reason=NO_TOOLS)
async def test_a_streamed_tool_call(sdk, telemetry):
    messages = [{"role": "user", "content": "What time is it in Paris"}]
    parts = await stream_of(
        lambda: sdk.chat(model=MODEL, messages=messages, tools=[CITY_TOOL], stream=True)
    )
    (call,) = [c for part in parts for c in part["message"].get("tool_calls") or ()]
    outputs = content_of(only_span(telemetry))["gen_ai.output.messages"]
    tool_call = {
        "type": "tool_call",
        "name": "local_time",
        "id": None,
        "arguments": call["function"]["arguments"],
    }
    assert outputs == [message("assistant", tool_call, finish_reason="stop")]


# -- generate ----------------------------------------------------------------------------------


async def test_generate_system_prompt_and_images(sdk, telemetry):
    result = await resolve(sdk.generate(model=MODEL, prompt=QUESTION, system=SYSTEM, images=[PNG]))
    assert content_of(only_span(telemetry)) == {
        "gen_ai.system_instructions": [text(SYSTEM)],
        "gen_ai.input.messages": [message("user", text(QUESTION), image_blob())],
        "gen_ai.output.messages": [
            message("assistant", text(result["response"]), finish_reason="stop")
        ],
    }


async def test_a_streamed_generation(sdk, telemetry):
    parts = await stream_of(lambda: sdk.generate(model=MODEL, prompt=QUESTION, stream=True))
    assert content_of(only_span(telemetry))["gen_ai.output.messages"] == [
        message(
            "assistant",
            text("".join(part["response"] for part in parts)),
            finish_reason=parts[-1]["done_reason"],
        )
    ]


# -- off -----------------------------------------------------------------------------------------


def test_nothing_of_it_without_capture(emulator, telemetry, instrument):
    client = make_client(emulator)
    messages = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": QUESTION, "images": [PNG]},
    ]
    client.chat(model=MODEL, messages=messages)
    client.generate(model=MODEL, prompt=QUESTION, system=SYSTEM)
    for span in telemetry.spans():
        assert not [key for key in span.attributes if key.startswith((*CONTENT, "gen_ai.tool"))]
        assert QUESTION not in json.dumps(dict(span.attributes))
