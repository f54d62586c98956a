"""Opt-in message content: off by default; on the span as semantic-convention JSON when asked
for; limited in size per part; on a log event in the event modes.

The switch is read when the instrumentor is created, so every test here instruments through
the ``capture`` fixture after setting the environment."""

from __future__ import annotations

import base64
import json
import logging

import openai
import pytest

pytest.register_assert_rewrite("expected")

from expected import (  # noqa: E402
    API_KEY,
    CONTENT_ATTRIBUTES,
    HAS_RESPONSES,
    HAS_TOOLS,
    NO_RESPONSES,
    NO_TOOLS,
    assert_span,
    base_attributes,
    chat_response_attributes,
    drain,
    only_span,
    resolve,
    responses_response_attributes,
)
from opentelemetry.instrumentation.agentops.openai import OpenAIInstrumentor  # noqa: E402
from opentelemetry.sdk._logs import LoggerProvider  # noqa: E402
from opentelemetry.sdk._logs.export import (  # noqa: E402
    InMemoryLogRecordExporter,
    SimpleLogRecordProcessor,
)

CAPTURE = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
MAX_LENGTH = "AGENTOPS_GENAI_CONTENT_MAX_LENGTH"
EMIT_EVENT = "OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT"
EVENT_NAME = "gen_ai.client.inference.operation.details"
MODEL = "gpt-4o-mini"

PNG = b"\x89PNG\r\n\x1a\n-not-really-an-image"
PNG_B64 = base64.b64encode(PNG).decode()
IMAGE_URL = "https://example.com/cat.png"
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
WEATHER_DEFINITION = {
    "type": "function",
    "name": "get_weather",
    "description": "Current weather of a city",
    "parameters": WEATHER_PARAMETERS,
}


@pytest.fixture
def capture(monkeypatch, telemetry):
    """``capture(mode, max_length)`` sets the environment, then instruments; returns the
    in-memory exporter of the OpenTelemetry log records (events)."""
    made = []

    def instrument(mode: str | None, max_length: int | None = None):
        for name, value in ((CAPTURE, mode), (MAX_LENGTH, max_length)):
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, str(value))
        monkeypatch.delenv(EMIT_EVENT, raising=False)
        logs = InMemoryLogRecordExporter()
        logger_provider = LoggerProvider()
        logger_provider.add_log_record_processor(SimpleLogRecordProcessor(logs))
        instrumentor = OpenAIInstrumentor()
        instrumentor.instrument(
            tracer_provider=telemetry.tracer_provider,
            meter_provider=telemetry.meter_provider,
            logger_provider=logger_provider,
        )
        made.append((instrumentor, logger_provider))
        return logs

    yield instrument
    for instrumentor, logger_provider in made:
        instrumentor.uninstrument()
        logger_provider.shutdown()


@pytest.fixture(params=["sync", "async"])
def sdk(request, emulator):
    cls = openai.OpenAI if request.param == "sync" else openai.AsyncOpenAI
    return cls(api_key=API_KEY, base_url=emulator.openai_base_url, max_retries=0)


def content(span) -> dict:
    """The content attributes of ``span``, parsed: each must be a valid JSON string."""
    found = {}
    for name in CONTENT_ATTRIBUTES:
        if name in span.attributes:
            value = span.attributes[name]
            assert isinstance(value, str), name
            found[name] = json.loads(value)
    return found


def text(value: str) -> dict:
    return {"type": "text", "content": value}


def message(role: str, *parts: dict, **extra) -> dict:
    return {"role": role, "parts": list(parts), **extra}


def user(*parts: dict) -> dict:
    return message("user", *parts, name=None)


def picture_messages() -> list[dict]:
    return [
        {"role": "system", "content": "You are terse."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "what is in this picture"},
                {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG_B64}"}},
                {"type": "image_url", "image_url": {"url": IMAGE_URL}},
            ],
        },
    ]


PICTURE_INPUT = [
    message("system", text("You are terse."), name=None),
    user(
        text("what is in this picture"),
        {"type": "blob", "mime_type": "image/png", "modality": "image", "content": PNG_B64},
        {"type": "uri", "mime_type": None, "modality": "image", "uri": IMAGE_URL},
    ),
]


async def every_kind_of_call(sdk):
    """One call of each kind, with every sort of content they can carry."""
    await resolve(sdk.chat.completions.create(model=MODEL, messages=picture_messages()))
    if HAS_TOOLS:
        await resolve(
            sdk.chat.completions.create(
                model=MODEL,
                messages=[{"role": "user", "content": "weather?"}],
                tools=[WEATHER_TOOL],
            )
        )
    await drain(
        await resolve(
            sdk.chat.completions.create(model=MODEL, messages=picture_messages(), stream=True)
        )
    )
    await resolve(sdk.completions.create(model="gpt-3.5-turbo-instruct", prompt="Say hi"))
    await resolve(sdk.embeddings.create(model="text-embedding-3-small", input="hello"))
    if HAS_RESPONSES:
        await resolve(
            sdk.responses.create(model=MODEL, input="hello", instructions="answer briefly")
        )


# --- off -----------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", [None, "false", "NO_CONTENT"])
async def test_no_content_by_default(sdk, capture, telemetry, mode):
    logs = capture(mode)

    await every_kind_of_call(sdk)

    spans = telemetry.spans()
    assert len(spans) == 5 + HAS_TOOLS + HAS_RESPONSES - 1
    for span in spans:
        assert not set(span.attributes) & set(CONTENT_ATTRIBUTES), span.name
        assert not any("picture" in str(v) or "terse" in str(v) for v in span.attributes.values())
    assert logs.get_finished_logs() == ()


# --- on the span ---------------------------------------------------------------------------


async def test_chat_text_and_images(sdk, capture, telemetry, emulator):
    capture("true")

    response = await resolve(sdk.chat.completions.create(model=MODEL, messages=picture_messages()))

    span = only_span(telemetry)
    assert content(span) == {
        "gen_ai.input.messages": PICTURE_INPUT,
        "gen_ai.output.messages": [
            message(
                "assistant",
                text(response.choices[0].message.content),
                finish_reason="stop",
                name=None,
            )
        ],
    }
    assert response.choices[0].message.content == "Emulated reply to: what is in this picture"
    # Content comes on top of the usual attributes, which stay as they are.
    plain = {k: v for k, v in span.attributes.items() if k not in CONTENT_ATTRIBUTES}
    assert plain == base_attributes(emulator, model=MODEL) | chat_response_attributes(response)


@pytest.mark.skipif(not HAS_TOOLS, reason=NO_TOOLS)
async def test_chat_tool_call_and_definitions(sdk, capture, telemetry):
    capture("true")

    response = await resolve(
        sdk.chat.completions.create(
            model=MODEL,
            messages=[{"role": "user", "content": "weather in Paris?"}],
            tools=[WEATHER_TOOL],
        )
    )

    (call,) = response.choices[0].message.tool_calls
    assert content(only_span(telemetry)) == {
        "gen_ai.input.messages": [user(text("weather in Paris?"))],
        "gen_ai.output.messages": [
            message(
                "assistant",
                {
                    "type": "tool_call",
                    "name": "get_weather",
                    "id": call.id,
                    "arguments": json.loads(call.function.arguments),  # an object, not a string
                },
                finish_reason="tool_call",
                name=None,
            )
        ],
        "gen_ai.tool.definitions": [WEATHER_DEFINITION],
    }


@pytest.mark.skipif(not HAS_TOOLS, reason=NO_TOOLS)
async def test_chat_tool_results_in_the_history(sdk, capture, telemetry):
    capture("true")
    history = [
        {"role": "user", "content": "weather in Paris?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "sunny, 21C"},
    ]

    response = await resolve(
        sdk.chat.completions.create(model=MODEL, messages=history, tools=[WEATHER_TOOL])
    )

    assert content(only_span(telemetry)) == {
        "gen_ai.input.messages": [
            user(text("weather in Paris?")),
            message(
                "assistant",
                {
                    "type": "tool_call",
                    "name": "get_weather",
                    "id": "call_1",
                    "arguments": {"city": "Paris"},
                },
                name=None,
            ),
            message(
                "tool",
                {"type": "tool_call_response", "id": "call_1", "response": "sunny, 21C"},
                name=None,
            ),
        ],
        "gen_ai.output.messages": [
            message(
                "assistant",
                text(response.choices[0].message.content),
                finish_reason="stop",
                name=None,
            )
        ],
        "gen_ai.tool.definitions": [WEATHER_DEFINITION],
    }


async def test_chat_stream_output_is_assembled(sdk, capture, telemetry):
    capture("true")

    chunks = await drain(
        await resolve(
            sdk.chat.completions.create(
                model=MODEL, messages=[{"role": "user", "content": "count to three"}], stream=True
            )
        )
    )

    reply = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert reply == "Emulated reply to: count to three"
    assert content(only_span(telemetry)) == {
        "gen_ai.input.messages": [user(text("count to three"))],
        "gen_ai.output.messages": [
            message("assistant", text(reply), finish_reason="stop", name=None)
        ],
    }


@pytest.mark.skipif(not HAS_TOOLS, reason=NO_TOOLS)
async def test_chat_stream_tool_call_is_assembled(sdk, capture, telemetry):
    capture("true")

    chunks = await drain(
        await resolve(
            sdk.chat.completions.create(
                model=MODEL,
                messages=[{"role": "user", "content": "weather?"}],
                tools=[WEATHER_TOOL],
                stream=True,
            )
        )
    )

    deltas = [c.choices[0].delta.tool_calls for c in chunks if c.choices[0].delta.tool_calls]
    assert len(deltas) > 2  # the arguments arrive in pieces
    call_id = deltas[0][0].id
    arguments = "".join(d[0].function.arguments or "" for d in deltas)
    assert content(only_span(telemetry))["gen_ai.output.messages"] == [
        message(
            "assistant",
            {
                "type": "tool_call",
                "name": "get_weather",
                "id": call_id,
                "arguments": json.loads(arguments),
            },
            finish_reason="tool_call",
            name=None,
        )
    ]


async def test_legacy_completion_content(sdk, capture, telemetry):
    capture("true")

    response = await resolve(
        sdk.completions.create(model="gpt-3.5-turbo-instruct", prompt="Say this is a test")
    )

    assert content(only_span(telemetry)) == {
        "gen_ai.input.messages": [user(text("Say this is a test"))],
        "gen_ai.output.messages": [
            message(
                "assistant",
                text(response.choices[0].text),
                finish_reason=response.choices[0].finish_reason,
                name=None,
            )
        ],
    }


async def test_embeddings_carry_no_content(sdk, capture, telemetry):
    capture("true")
    await resolve(sdk.embeddings.create(model="text-embedding-3-small", input="secret text"))
    span = only_span(telemetry)
    assert content(span) == {}
    assert "secret text" not in str(dict(span.attributes))


@pytest.mark.skipif(not HAS_RESPONSES, reason=NO_RESPONSES)
async def test_responses_instructions_are_system_instructions(sdk, capture, telemetry, emulator):
    capture("true")

    response = await resolve(
        sdk.responses.create(model=MODEL, input="hello there", instructions="answer briefly")
    )

    span = only_span(telemetry)
    assert content(span) == {
        "gen_ai.system_instructions": [text("answer briefly")],
        "gen_ai.input.messages": [user(text("hello there"))],
        "gen_ai.output.messages": [
            message("assistant", text(response.output_text), finish_reason="stop", name=None)
        ],
    }
    plain = {k: v for k, v in span.attributes.items() if k not in CONTENT_ATTRIBUTES}
    assert plain == base_attributes(emulator, model=MODEL) | responses_response_attributes(response)


@pytest.mark.skipif(not HAS_RESPONSES, reason=NO_RESPONSES)
async def test_responses_tools_and_function_results(sdk, capture, telemetry):
    capture("true")
    tool = {"type": "function", **WEATHER_TOOL["function"]}

    called = await resolve(sdk.responses.create(model=MODEL, input="weather?", tools=[tool]))
    (call,) = called.output
    answered = await resolve(
        sdk.responses.create(
            model=MODEL,
            input=[
                {"role": "user", "content": [{"type": "input_text", "text": "weather?"}]},
                {
                    "type": "function_call",
                    "call_id": call.call_id,
                    "name": call.name,
                    "arguments": call.arguments,
                },
                {"type": "function_call_output", "call_id": call.call_id, "output": "sunny"},
            ],
            tools=[tool],
        )
    )

    first, second = telemetry.spans()
    tool_call = {
        "type": "tool_call",
        "name": "get_weather",
        "id": call.call_id,
        "arguments": json.loads(call.arguments),
    }
    assert content(first) == {
        "gen_ai.input.messages": [user(text("weather?"))],
        "gen_ai.output.messages": [
            message("assistant", tool_call, finish_reason="tool_call", name=None)
        ],
        "gen_ai.tool.definitions": [WEATHER_DEFINITION],
    }
    assert content(second) == {
        "gen_ai.input.messages": [
            user(text("weather?")),
            message("assistant", tool_call, name=None),
            message(
                "tool",
                {"type": "tool_call_response", "id": call.call_id, "response": "sunny"},
                name=None,
            ),
        ],
        "gen_ai.output.messages": [
            message("assistant", text(answered.output_text), finish_reason="stop", name=None)
        ],
        "gen_ai.tool.definitions": [WEATHER_DEFINITION],
    }


# --- size limit ----------------------------------------------------------------------------


OVER_LIMIT = "over the 10-byte content limit"


def cut(value: str, limit: int = 10) -> str:
    return f"{value[:limit]}...[truncated {len(value) - limit} chars]"


async def test_content_is_cut_per_part(sdk, capture, telemetry):
    capture("true", max_length=10)

    response = await resolve(sdk.chat.completions.create(model=MODEL, messages=picture_messages()))

    reply = response.choices[0].message.content
    assert len(reply) > 10
    span = only_span(telemetry)
    for name in ("gen_ai.input.messages", "gen_ai.output.messages"):
        json.loads(span.attributes[name])  # still valid JSON
    assert content(span) == {
        "gen_ai.input.messages": [
            message("system", text(cut("You are terse.")), name=None),
            user(
                text(cut("what is in this picture")),
                text(f"[image/png content of {len(PNG)} bytes omitted: {OVER_LIMIT}]"),
                # A URI is a reference, not content: it is kept whole.
                {"type": "uri", "mime_type": None, "modality": "image", "uri": IMAGE_URL},
            ),
        ],
        "gen_ai.output.messages": [
            message("assistant", text(cut(reply)), finish_reason="stop", name=None)
        ],
    }


@pytest.mark.skipif(not HAS_RESPONSES, reason=NO_RESPONSES)
async def test_system_instructions_are_cut_too(sdk, capture, telemetry):
    capture("true", max_length=10)
    await resolve(
        sdk.responses.create(model=MODEL, input="hi", instructions="answer briefly and kindly")
    )
    span = only_span(telemetry)
    assert content(span)["gen_ai.system_instructions"] == [text(cut("answer briefly and kindly"))]


# --- events --------------------------------------------------------------------------------


def event_records(logs):
    return [r.log_record for r in logs.get_finished_logs()]


async def test_event_only_keeps_content_off_the_span(sdk, capture, telemetry, emulator):
    logs = capture("EVENT_ONLY")

    response = await resolve(sdk.chat.completions.create(model=MODEL, messages=picture_messages()))

    span = only_span(telemetry)
    expected = base_attributes(emulator, model=MODEL) | chat_response_attributes(response)
    assert_span(span, f"chat {MODEL}", expected)  # exactly the attributes without content
    (event,) = event_records(logs)
    assert event.event_name == EVENT_NAME
    assert event.trace_id == span.context.trace_id
    assert event.span_id == span.context.span_id
    attributes = dict(event.attributes)
    # The event carries the content as structured values (blob content as bytes), not JSON.
    inputs = attributes.pop("gen_ai.input.messages")
    assert not isinstance(inputs, str)
    assert _plain(inputs) == PICTURE_INPUT
    assert _plain(attributes.pop("gen_ai.output.messages")) == [
        message(
            "assistant",
            text(response.choices[0].message.content),
            finish_reason="stop",
            name=None,
        )
    ]
    assert attributes == expected


def _plain(value):
    """An event attribute value as JSON-like data (tuples as lists, bytes as base64)."""
    if hasattr(value, "items"):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


async def test_span_and_event(sdk, capture, telemetry, emulator):
    logs = capture("SPAN_AND_EVENT")

    response = await resolve(
        sdk.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hi there"}])
    )

    span = only_span(telemetry)
    output = [
        message(
            "assistant", text(response.choices[0].message.content), finish_reason="stop", name=None
        )
    ]
    assert content(span) == {
        "gen_ai.input.messages": [user(text("hi there"))],
        "gen_ai.output.messages": output,
    }
    (event,) = event_records(logs)
    assert event.event_name == EVENT_NAME
    assert _plain(event.attributes["gen_ai.input.messages"]) == [user(text("hi there"))]
    assert _plain(event.attributes["gen_ai.output.messages"]) == output


async def test_true_is_accepted_without_a_warning(sdk, capture, telemetry, caplog):
    caplog.set_level(logging.WARNING)
    capture("true")
    await resolve(
        sdk.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hi"}])
    )
    assert "gen_ai.input.messages" in only_span(telemetry).attributes
    # Only OpenTelemetry's loggers: asyncio may report, at any time, clients that earlier
    # tests left to the garbage collector.
    assert [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.WARNING and r.name.startswith("opentelemetry")
    ] == []
