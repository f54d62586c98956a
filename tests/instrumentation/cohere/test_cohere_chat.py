"""v1 and v2 chat, sync and async: the exact span attributes and metric points, results
unchanged, request parameters, finish reasons, usage, content, errors, early clients."""

from __future__ import annotations

import json
from typing import Any

import cohere
import pytest
from cohere_helpers import (
    CHAT_SIGNATURE,
    HAS_V2,
    NO_V2,
    SDK,
    V1_MODEL,
    V1_TOOL,
    V2_CHAT_SIGNATURE,
    V2_MODEL,
    V2_TOOL,
    assert_call,
    chat_error_type,
    content_of,
    dump,
    make_client,
    message,
    only_span,
    options,
    output,
    reasoning,
    resolve,
    start_attributes,
    text,
    tool_call,
    tool_result,
    uninstrumented,
    usage_attributes,
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

USER = "Tell me a short story about a brave little toaster please"
SAMPLING = {
    "temperature": 1,  # an int: the attribute is still a double
    "p": 0.9,
    "k": 5,
    "seed": 7,
    "max_tokens": 100,
    "stop_sequences": ["THE END"],
    "frequency_penalty": 0.1,
    "presence_penalty": 0.2,
}
SAMPLING_ATTRIBUTES = {
    "gen_ai.request.temperature": 1.0,
    "gen_ai.request.top_p": 0.9,
    "gen_ai.request.top_k": 5.0,
    "gen_ai.request.seed": 7,
    "gen_ai.request.max_tokens": 100,
    "gen_ai.request.stop_sequences": ("THE END",),
    "gen_ai.request.frequency_penalty": 0.1,
    "gen_ai.request.presence_penalty": 0.2,
}


def user(text: str = USER) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


# -- plain calls ---------------------------------------------------------------------------------


async def test_v1_chat(v1, instrument, telemetry, emulator):
    def call() -> Any:
        return v1.chat(message=USER, model=V1_MODEL, conversation_id="conv-1", **SAMPLING)

    baseline = await uninstrumented(instrument, telemetry, call)
    result = await resolve(call())

    assert type(result) is type(baseline)
    assert dump(result) == dump(baseline)
    expected = {
        **start_attributes(emulator, "chat", V1_MODEL),
        **SAMPLING_ATTRIBUTES,
        "gen_ai.conversation.id": "conv-1",
        "gen_ai.response.id": result.response_id,
        "gen_ai.response.finish_reasons": ("stop",),
        **usage_attributes(result.meta),
    }
    assert result.finish_reason == "COMPLETE"
    assert_call(telemetry, f"chat {V1_MODEL}", expected)


async def test_v2_chat(v2, instrument, telemetry, emulator):
    def call() -> Any:
        return v2.chat(model=V2_MODEL, messages=user(), **SAMPLING)

    baseline = await uninstrumented(instrument, telemetry, call)
    result = await resolve(call())

    assert type(result) is type(baseline)
    assert dump(result) == dump(baseline)
    expected = {
        **start_attributes(emulator, "chat", V2_MODEL),
        **SAMPLING_ATTRIBUTES,
        "gen_ai.response.id": result.id,
        "gen_ai.response.finish_reasons": ("stop",),
        **usage_attributes(result.usage),
    }
    assert_call(telemetry, f"chat {V2_MODEL}", expected)


async def test_a_v1_chat_without_a_model_is_named_by_its_operation(v1, instrument, telemetry):
    await resolve(v1.chat(message=USER))
    span = only_span(telemetry)
    assert span.name == "chat"
    assert "gen_ai.request.model" not in span.attributes


async def test_token_counts_are_integers_and_cached_tokens_are_cache_reads(
    v1, instrument, telemetry
):
    headers = {"x-emulator-cached-tokens": "20"}
    result = await resolve(
        v1.chat(message=USER, model=V1_MODEL, request_options=options(**headers))
    )
    span = only_span(telemetry)
    usage = {k: v for k, v in span.attributes.items() if k.startswith("gen_ai.usage.")}
    assert usage == usage_attributes(result.meta)
    assert usage["gen_ai.usage.cache_read.input_tokens"] == 20
    assert all(type(value) is int for value in usage.values())


@pytest.mark.parametrize(
    ("kwargs", "sdk_reason", "reason"),
    [
        ({"max_tokens": 3}, "MAX_TOKENS", "length"),
        ({"stop_sequences": ["brave"]}, "STOP_SEQUENCE", "stop"),
        ({"tools": [V2_TOOL]}, "TOOL_CALL", "tool_call"),
    ],
    ids=["max-tokens", "stop-sequence", "tool-call"],
)
async def test_v2_finish_reasons_are_the_conventions(
    v2, instrument, telemetry, kwargs, sdk_reason, reason
):
    result = await resolve(v2.chat(model=V2_MODEL, messages=user(), **kwargs))
    assert result.finish_reason == sdk_reason
    span = only_span(telemetry)
    assert span.attributes["gen_ai.response.finish_reasons"] == (reason,)


async def test_v1_max_tokens_is_length(v1, instrument, telemetry):
    result = await resolve(v1.chat(message=USER, max_tokens=4))
    assert result.finish_reason == "MAX_TOKENS"
    assert only_span(telemetry).attributes["gen_ai.response.finish_reasons"] == ("length",)


@pytest.mark.skipif(
    "response_format" not in CHAT_SIGNATURE, reason=f"{SDK} chat takes no response_format"
)
@pytest.mark.parametrize(
    ("response_format", "output_type"),
    [({"type": "json_object"}, "json"), ({"type": "text"}, "text")],
    ids=["json", "text"],
)
async def test_response_format_is_the_output_type(
    v1, instrument, telemetry, response_format, output_type
):
    await resolve(v1.chat(message=USER, response_format=response_format))
    assert only_span(telemetry).attributes["gen_ai.output.type"] == output_type


# -- clients built before instrumenting ----------------------------------------------------------


def test_clients_built_before_instrumenting_are_traced(emulator, telemetry, instrument):
    instrument.uninstrument()
    v1 = make_client(emulator, "v1", asynchronous=False)
    clients = [v1] + ([make_client(emulator, "v2", asynchronous=False)] if HAS_V2 else [])
    # The SDK stores bound methods on each client: class patches alone would miss them.
    assert all("chat" in vars(client) for client in clients)
    instrument.instrument(
        tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
    )
    v1.chat(message=USER, model=V1_MODEL)
    list(v1.chat_stream(message=USER, model=V1_MODEL))
    if HAS_V2:
        clients[1].chat(model=V2_MODEL, messages=user())
    names = [span.name for span in telemetry.spans()]
    assert names == [f"chat {V1_MODEL}"] * 2 + ([f"chat {V2_MODEL}"] if HAS_V2 else [])
    assert [span.attributes.get("gen_ai.request.stream") for span in telemetry.spans()][:2] == [
        None,
        True,
    ]


@pytest.mark.skipif(not HAS_V2, reason=NO_V2)
def test_the_v2_client_of_a_v1_client_is_traced(emulator, instrument, telemetry):
    client = make_client(emulator, "v1", asynchronous=False)
    client.v2.chat(model=V2_MODEL, messages=user())
    span = only_span(telemetry)
    assert span.name == f"chat {V2_MODEL}"
    assert emulator.requests[-1].path == "/cohere/v2/chat"


# -- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [400, 401, 403, 404, 429, 500, 503, 529])
async def test_http_errors_carry_the_sdk_error_class(v1, instrument, telemetry, emulator, status):
    headers = {"x-emulator-fault": f"http-{status}"}
    with pytest.raises(cohere.core.ApiError) as raised:
        await resolve(v1.chat(message=USER, model=V1_MODEL, request_options=options(**headers)))
    assert raised.value.status_code == status
    error_type = chat_error_type(status)
    expected = {**start_attributes(emulator, "chat", V1_MODEL), "error.type": error_type}
    assert_call(telemetry, f"chat {V1_MODEL}", expected, error=error_type)
    # The error's public path is where users import the class from.
    module, _, name = error_type.rpartition(".")
    assert getattr(__import__(module, fromlist=[name]), name) is type(raised.value)


async def test_v2_http_errors_carry_the_sdk_error_class(v2, instrument, telemetry):
    with pytest.raises(cohere.TooManyRequestsError):
        await resolve(
            v2.chat(
                model=V2_MODEL,
                messages=user(),
                request_options=options(**{"x-emulator-fault": "http-429"}),
            )
        )
    assert only_span(telemetry).attributes["error.type"] == "cohere.TooManyRequestsError"


# -- content -----------------------------------------------------------------------------------


async def test_v1_content(v1, capture, instrument, telemetry):
    history = [
        {"role": "USER", "message": "Earlier question"},
        {"role": "CHATBOT", "message": "Let me look", "tool_calls": [
            {"name": "get_weather", "parameters": {"city": "Paris"}},
        ]},
        {"role": "TOOL", "tool_results": [
            {"call": {"name": "get_weather", "parameters": {"city": "Paris"}},
             "outputs": [{"forecast": "rain"}]},
        ]},
        {"role": "CHATBOT", "message": "It rains in Paris"},
    ]  # fmt: skip
    documents = [{"title": "Toasters", "snippet": "they toast bread"}]
    results = [
        {"call": {"name": "get_weather", "parameters": {"city": "Oslo"}}, "outputs": [{"t": 3}]}
    ]
    result = await resolve(
        v1.chat(
            message=USER,
            model=V1_MODEL,
            preamble="Be brief.",
            chat_history=history,
            documents=documents,
            tools=[V1_TOOL],
            tool_results=results,
        )
    )
    span = only_span(telemetry)
    assert content_of(span) == {
        "gen_ai.system_instructions": [text("Be brief.")],
        "gen_ai.input.messages": [
            message("user", text("Earlier question")),
            message(
                "assistant",
                text("Let me look"),
                tool_call("get_weather", None, {"city": "Paris"}),
            ),
            message("tool", tool_result([{"forecast": "rain"}], None)),
            message("assistant", text("It rains in Paris")),
            message("user", text(json.dumps(documents[0])), name="documents"),
            message("user", text(USER)),
            message("tool", tool_result([{"t": 3}], None)),
        ],
        "gen_ai.output.messages": output(text(result.text), finish_reason="stop"),
        "gen_ai.tool.definitions": [
            {
                "type": "function",
                "name": "get_weather",
                "description": "Current weather",
                "parameters": V1_TOOL["parameter_definitions"],
            }
        ],
    }


async def test_v1_tool_calls_are_output_parts(v1, capture, instrument, telemetry):
    result = await resolve(v1.chat(message=USER, model=V1_MODEL, tools=[V1_TOOL]))
    (call,) = result.tool_calls
    span = only_span(telemetry)
    assert content_of(span)["gen_ai.output.messages"] == output(
        text(result.text), tool_call(call.name, None, call.parameters), finish_reason="stop"
    )


async def test_v2_content(v2, capture, instrument, telemetry):
    arguments = json.dumps({"city": "Paris"})
    messages = [
        {"role": "system", "content": "Be brief."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "First question"},
                {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
            ],
        },
        {
            "role": "assistant",
            "tool_plan": "I will look it up",
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": arguments},
                }
            ],
        },
        {
            "role": "tool",
            "tool_call_id": "call_1",
            "content": [{"type": "document", "document": {"data": {"forecast": "rain"}}}],
        },
        {"role": "system", "content": "Answer in French."},
        {"role": "user", "content": USER},
    ]
    # cohere 5.8's v2 chat takes no documents.
    grounding = {"documents": ["toasters toast"]} if "documents" in V2_CHAT_SIGNATURE else {}
    result = await resolve(v2.chat(model=V2_MODEL, messages=messages, tools=[V2_TOOL], **grounding))
    (call,) = result.message.tool_calls
    span = only_span(telemetry)
    image = {"type": "uri", "uri": "https://example.com/a.png", "mime_type": None}
    assert content_of(span) == {
        # The system messages the conversation opens with; later ones stay in the messages.
        "gen_ai.system_instructions": [text("Be brief.")],
        "gen_ai.input.messages": [
            message("user", text("First question"), {**image, "modality": "image"}),
            message(
                "assistant",
                reasoning("I will look it up"),
                tool_call("get_weather", "call_1", {"city": "Paris"}),
            ),
            message(
                "tool",
                tool_result(
                    [{"type": "document", "document": {"data": {"forecast": "rain"}}}], "call_1"
                ),
            ),
            message("system", text("Answer in French.")),
            message("user", text(USER)),
            *([message("user", text("toasters toast"), name="documents")] if grounding else []),
        ],
        "gen_ai.output.messages": output(
            reasoning(result.message.tool_plan),
            tool_call(call.function.name, call.id, json.loads(call.function.arguments)),
            finish_reason="tool_call",
        ),
        "gen_ai.tool.definitions": [
            {
                "type": "function",
                "name": "get_weather",
                "description": "Current weather",
                "parameters": V2_TOOL["function"]["parameters"],
            }
        ],
    }


@pytest.mark.skipif("thinking" not in V2_CHAT_SIGNATURE, reason=f"{SDK} v2 chat takes no thinking")
async def test_v2_thinking_is_a_reasoning_part(v2, capture, instrument, telemetry):
    result = await resolve(
        v2.chat(model=V2_MODEL, messages=user(), thinking={"type": "enabled", "token_budget": 100})
    )
    thinking, answer = result.message.content
    span = only_span(telemetry)
    assert content_of(span)["gen_ai.output.messages"] == output(
        reasoning(thinking.thinking), text(answer.text), finish_reason="stop"
    )


async def test_no_content_without_capture(v1, instrument, telemetry):
    await resolve(v1.chat(message=USER, preamble="Be brief.", documents=[{"snippet": "x y"}]))
    span = only_span(telemetry)
    assert content_of(span) == {}
    assert USER not in json.dumps(dict(span.attributes))
