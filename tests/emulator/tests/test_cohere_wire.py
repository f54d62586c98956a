"""The emulator's Cohere wire formats (v1 and v2), checked with the real newest `cohere` SDK.

Checks that also hold on cohere 5.4.0 (v1 only) and 5.8 (first v2) live in
test_cohere_wire_any_sdk.py.
"""

from __future__ import annotations

import json
import math

import cohere
import httpx
import pytest
from provider_emulator import EmulatorServer

MODEL = "command-a-03-2025"
USER = "Tell me a short story about a brave little toaster please"
REPLY = "Emulated reply to: Tell me a short story about a brave..."
TEMPLATE_TOKENS = 64
V1_TOOL = {
    "name": "get_weather",
    "description": "Current weather",
    "parameter_definitions": {
        "city": {"type": "str", "required": True},
        "days": {"type": "int", "required": True},
        "verbose": {"type": "bool"},
    },
}
V2_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
            "required": ["city", "days"],
        },
    },
}
WEATHER_ARGS = {"city": "example", "days": 0}
# The SDK's generated models use pydantic APIs deprecated in pydantic 2; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def options(**headers: str) -> dict:
    """Request options: no retries, and emulator control headers."""
    return {"max_retries": 0, "additional_headers": headers}


@pytest.fixture
def v1(emulator: EmulatorServer) -> cohere.Client:
    return cohere.Client(base_url=emulator.cohere_base_url, api_key="co-emulator")


@pytest.fixture
def v2(emulator: EmulatorServer) -> cohere.ClientV2:
    return cohere.ClientV2(base_url=emulator.cohere_base_url, api_key="co-emulator")


def words(text: str) -> int:
    return len(text.split())


def user(text: str = USER) -> list[dict]:
    return [{"role": "user", "content": text}]


# --- v1 chat --------------------------------------------------------------------------------


def test_v1_chat(v1: cohere.Client, emulator: EmulatorServer) -> None:
    history = [
        {"role": "USER", "message": "Earlier question"},
        {"role": "CHATBOT", "message": "Earlier answer here"},
    ]
    response = v1.chat(
        message=USER,
        model="command-r-plus",
        preamble="Be brief.",
        chat_history=history,
        documents=[{"title": "Toasters", "snippet": "they toast bread"}],
        temperature=0.3,
        p=0.9,
        k=5,
        seed=7,
        max_tokens=100,
        frequency_penalty=0.1,
        presence_penalty=0.2,
    )
    assert response.text == REPLY
    assert response.finish_reason == "COMPLETE"
    assert response.generation_id and response.response_id
    prompt = 2 + 2 + 3 + words(USER) + 4
    billed = response.meta.billed_units
    assert billed.input_tokens == prompt
    assert billed.output_tokens == words(REPLY)
    # The SDK types counts as floats (the wire carries integers, as the API does).
    assert isinstance(billed.input_tokens, float)
    assert response.meta.tokens.input_tokens == prompt + TEMPLATE_TOKENS
    assert [turn.role for turn in response.chat_history] == ["USER", "CHATBOT", "USER", "CHATBOT"]
    assert response.documents[0]["id"] == "doc_0"
    sent = emulator.requests[0]
    assert sent.path == "/cohere/v1/chat"
    assert sent.body["p"] == 0.9 and sent.body["seed"] == 7


def test_v1_chat_stream(v1: cohere.Client) -> None:
    events = list(v1.chat_stream(message=USER))
    kinds = [event.event_type for event in events]
    assert kinds == ["stream-start", *["text-generation"] * words(REPLY), "stream-end"]
    assert "".join(e.text for e in events if e.event_type == "text-generation") == REPLY
    end = events[-1]
    assert end.finish_reason == "COMPLETE"
    assert end.response.text == REPLY
    assert end.response.meta.billed_units.output_tokens == words(REPLY)
    assert end.response.meta.tokens.input_tokens == words(USER) + TEMPLATE_TOKENS


async def test_v1_async(emulator: EmulatorServer) -> None:
    client = cohere.AsyncClient(base_url=emulator.cohere_base_url, api_key="co-emulator")
    response = await client.chat(message=USER)
    assert response.text == REPLY
    events = [event async for event in client.chat_stream(message=USER)]
    assert events[-1].event_type == "stream-end"


def test_v1_tools_and_results(v1: cohere.Client) -> None:
    response = v1.chat(message="What is the weather?", tools=[V1_TOOL])
    assert [(call.name, call.parameters) for call in response.tool_calls] == [
        ("get_weather", WEATHER_ARGS)
    ]
    assert response.text == "I will use get_weather to answer this."
    results = [{"call": response.tool_calls[0].dict(), "outputs": [{"forecast": "sunny warm"}]}]
    answer = v1.chat(message="What is the weather?", tools=[V1_TOOL], tool_results=results)
    assert answer.tool_calls is None
    assert answer.text == "Emulated reply to: What is the weather?"
    assert answer.meta.billed_units.input_tokens == 4 + 2


def test_v1_tool_stream(v1: cohere.Client) -> None:
    events = list(v1.chat_stream(message="What is the weather?", tools=[V1_TOOL]))
    chunks = [event for event in events if event.event_type == "tool-calls-chunk"]
    plan = "".join(event.text or "" for event in chunks)
    assert plan == "I will use get_weather to answer this."
    deltas = [event.tool_call_delta for event in chunks if event.tool_call_delta]
    assert deltas[0].name == "get_weather"
    assert json.loads("".join(delta.parameters or "" for delta in deltas)) == WEATHER_ARGS
    generated = next(event for event in events if event.event_type == "tool-calls-generation")
    assert generated.tool_calls[0].parameters == WEATHER_ARGS
    assert events[-1].event_type == "stream-end"


def test_v1_max_tokens_stop_sequences_json(v1: cohere.Client) -> None:
    cut = v1.chat(message=USER, max_tokens=4)
    assert cut.finish_reason == "MAX_TOKENS"
    assert cut.text == "Emulated reply to: Tell"
    stopped = v1.chat(message=USER, stop_sequences=["story"])
    assert stopped.text == "Emulated reply to: Tell me a short "
    schema = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
    structured = v1.chat(message=USER, response_format={"type": "json_object", "schema": schema})
    assert json.loads(structured.text) == {"name": "example"}


# --- v1 embed, rerank, generate -------------------------------------------------------------


def test_v1_embed_shapes(v1: cohere.Client) -> None:
    floats = v1.embed(texts=["a b", "c"], model="embed-english-v3.0", input_type="search_query")
    assert floats.response_type == "embeddings_floats"
    assert [len(vector) for vector in floats.embeddings] == [8, 8]
    assert math.isclose(sum(v * v for v in floats.embeddings[0]), 1.0, rel_tol=1e-5)
    assert floats.meta.billed_units.input_tokens == 3
    typed = v1.embed(
        texts=["a b", "c"],
        model="embed-english-v3.0",
        input_type="search_query",
        embedding_types=["float", "int8", "uint8", "binary", "base64"],
    )
    assert typed.response_type == "embeddings_by_type"
    assert typed.embeddings.float_ == floats.embeddings
    assert all(-128 <= value <= 127 for value in typed.embeddings.int8[0])
    assert [u - 128 for u in typed.embeddings.uint8[0]] == typed.embeddings.int8[0]
    assert len(typed.embeddings.binary[0]) == 1
    assert len(typed.embeddings.base64) == 2


def test_v1_rerank(v1: cohere.Client) -> None:
    documents = ["nothing to see", "a brave toaster story", "toaster manual"]
    result = v1.rerank(
        query="brave toaster",
        documents=documents,
        model="rerank-v3.5",
        top_n=2,
        return_documents=True,
    )
    assert [item.index for item in result.results] == [1, 2]
    assert result.results[0].relevance_score > result.results[1].relevance_score
    assert result.results[0].document.text == "a brave toaster story"
    assert result.meta.billed_units.search_units == 1


def test_v1_generate(v1: cohere.Client) -> None:
    generation = v1.generate(prompt="Once upon a time", num_generations=2)
    texts = [item.text for item in generation.generations]
    assert texts == [
        "Emulated completion of: Once upon a time",
        "Choice 2: Emulated completion of: Once upon a time",
    ]
    assert generation.meta.billed_units.input_tokens == 4
    events = list(v1.generate_stream(prompt="Once upon a time"))
    assert events[-1].event_type == "stream-end"
    text = "".join(e.text for e in events if e.event_type == "text-generation")
    assert text == "Emulated completion of: Once upon a time"


# --- v2 chat --------------------------------------------------------------------------------


def test_v2_chat(v2: cohere.ClientV2, emulator: EmulatorServer) -> None:
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "First question"},
        {"role": "assistant", "content": "First answer"},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": USER},
                {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
            ],
        },
    ]
    response = v2.chat(
        model=MODEL,
        messages=messages,
        documents=["toasters toast bread"],
        temperature=0.2,
        p=0.5,
        k=3,
        seed=1,
        max_tokens=200,
        frequency_penalty=0.1,
        presence_penalty=0.1,
    )
    assert response.finish_reason == "COMPLETE"
    assert response.message.content[0].text == REPLY
    prompt = 2 + 2 + 2 + words(USER) + 10 + 3
    assert response.usage.billed_units.input_tokens == prompt
    assert response.usage.tokens.input_tokens == prompt + TEMPLATE_TOKENS
    assert response.usage.billed_units.output_tokens == words(REPLY)
    assert emulator.requests[0].path == "/cohere/v2/chat"


def test_v2_chat_stream(v2: cohere.ClientV2) -> None:
    events = list(v2.chat_stream(model=MODEL, messages=user()))
    kinds = [event.type for event in events]
    assert kinds == [
        "message-start",
        "content-start",
        *["content-delta"] * words(REPLY),
        "content-end",
        "message-end",
    ]
    text = "".join(e.delta.message.content.text for e in events if e.type == "content-delta")
    assert text == REPLY
    end = events[-1]
    assert end.delta.finish_reason == "COMPLETE"
    assert end.delta.usage.billed_units.output_tokens == words(REPLY)


async def test_v2_async(emulator: EmulatorServer) -> None:
    client = cohere.AsyncClientV2(base_url=emulator.cohere_base_url, api_key="co-emulator")
    response = await client.chat(model=MODEL, messages=user())
    assert response.message.content[0].text == REPLY
    events = [event async for event in client.chat_stream(model=MODEL, messages=user())]
    assert events[-1].type == "message-end"


def test_v2_tool_calls(v2: cohere.ClientV2) -> None:
    response = v2.chat(model=MODEL, messages=user(), tools=[V2_TOOL])
    assert response.finish_reason == "TOOL_CALL"
    assert response.message.tool_plan == "I will use get_weather to answer this."
    call = response.message.tool_calls[0]
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == WEATHER_ARGS
    messages = [
        *user(),
        {"role": "assistant", "tool_plan": response.message.tool_plan, "tool_calls": [call.dict()]},
        {"role": "tool", "tool_call_id": call.id, "content": "sunny"},
    ]
    answer = v2.chat(model=MODEL, messages=messages, tools=[V2_TOOL])
    assert answer.finish_reason == "COMPLETE"
    assert answer.message.content[0].text == REPLY
    off = v2.chat(model=MODEL, messages=user(), tools=[V2_TOOL], tool_choice="NONE")
    assert off.finish_reason == "COMPLETE"


def test_v2_tool_stream(v2: cohere.ClientV2) -> None:
    events = list(v2.chat_stream(model=MODEL, messages=user(), tools=[V2_TOOL]))
    kinds = [event.type for event in events]
    assert kinds[0] == "message-start"
    assert "tool-plan-delta" in kinds
    assert kinds[-3:] == ["tool-call-delta", "tool-call-end", "message-end"]
    plan = "".join(e.delta.message.tool_plan for e in events if e.type == "tool-plan-delta")
    assert plan == "I will use get_weather to answer this."
    start = next(e for e in events if e.type == "tool-call-start")
    assert start.delta.message.tool_calls.function.name == "get_weather"
    arguments = "".join(
        e.delta.message.tool_calls.function.arguments for e in events if e.type == "tool-call-delta"
    )
    assert json.loads(arguments) == WEATHER_ARGS
    assert events[-1].delta.finish_reason == "TOOL_CALL"


def test_v2_thinking_json_limits(v2: cohere.ClientV2) -> None:
    thought = v2.chat(
        model=MODEL, messages=user(), thinking={"type": "enabled", "token_budget": 500}
    )
    assert [item.type for item in thought.message.content] == ["thinking", "text"]
    thinking = thought.message.content[0].thinking
    assert thought.usage.billed_units.output_tokens == words(thinking) + words(REPLY)
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    structured = v2.chat(
        model=MODEL, messages=user(), response_format={"type": "json_object", "json_schema": schema}
    )
    assert json.loads(structured.message.content[0].text) == {"n": 0}
    cut = v2.chat(model=MODEL, messages=user(), max_tokens=3)
    assert cut.finish_reason == "MAX_TOKENS"
    stopped = v2.chat(model=MODEL, messages=user(), stop_sequences=["brave"])
    assert stopped.finish_reason == "STOP_SEQUENCE"


def test_v2_embed_and_rerank(v2: cohere.ClientV2) -> None:
    embedded = v2.embed(
        model="embed-v4.0",
        texts=["a b c"],
        input_type="search_document",
        embedding_types=["float", "int8"],
        output_dimension=16,
    )
    assert len(embedded.embeddings.float_[0]) == 16
    assert len(embedded.embeddings.int8[0]) == 16
    assert embedded.meta.billed_units.input_tokens == 3
    default = v2.embed(model="embed-v4.0", texts=["x"], input_type="search_query")
    assert len(default.embeddings.float_[0]) == 8
    ranked = v2.rerank(model="rerank-v3.5", query="brave toaster", documents=["x", "brave toaster"])
    assert [item.index for item in ranked.results] == [1, 0]
    assert ranked.meta.billed_units.search_units == 1


# --- errors and controls ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("http-400", cohere.BadRequestError),
        ("http-401", cohere.UnauthorizedError),
        ("http-403", cohere.ForbiddenError),
        ("http-404", cohere.NotFoundError),
        ("http-429", cohere.TooManyRequestsError),
        ("http-500", cohere.InternalServerError),
        ("http-503", cohere.ServiceUnavailableError),
        # Cohere never sends 529; the SDK has no class for it.
        ("http-529", cohere.core.ApiError),
    ],
)
def test_http_faults(
    v1: cohere.Client, v2: cohere.ClientV2, fault: str, error: type[Exception]
) -> None:
    opts = options(**{"x-emulator-fault": fault})
    status = int(fault.removeprefix("http-"))
    with pytest.raises(error) as raised:
        v2.chat(model=MODEL, messages=user(), request_options=opts)
    assert raised.value.status_code == status
    assert isinstance(raised.value.body["message"], str)
    with pytest.raises(error):
        v1.chat(message=USER, request_options=opts)
    with pytest.raises(error):
        list(v2.chat_stream(model=MODEL, messages=user(), request_options=opts))


def test_stream_error_events(v1: cohere.Client, v2: cohere.ClientV2) -> None:
    opts = options(**{"x-emulator-fault": "stream-error"})
    events = list(v2.chat_stream(model=MODEL, messages=user(), request_options=opts))
    assert "content-delta" in [event.type for event in events]
    end = events[-1]
    assert end.type == "message-end"
    assert end.delta.finish_reason == "ERROR"
    assert end.delta.error
    v1_events = list(v1.chat_stream(message=USER, request_options=opts))
    assert v1_events[-1].event_type == "stream-end"
    assert v1_events[-1].finish_reason == "ERROR"
    generated = list(v1.generate_stream(prompt="Once upon a time", request_options=opts))
    assert generated[-1].event_type == "stream-error"


def test_stream_cut(v1: cohere.Client, v2: cohere.ClientV2) -> None:
    opts = options(**{"x-emulator-fault": "stream-cut"})
    with pytest.raises(httpx.RemoteProtocolError):
        list(v2.chat_stream(model=MODEL, messages=user(), request_options=opts))
    with pytest.raises(httpx.RemoteProtocolError):
        list(v1.chat_stream(message=USER, request_options=opts))


def test_chunks_and_cached_tokens(v1: cohere.Client, v2: cohere.ClientV2) -> None:
    opts = options(**{"x-emulator-chunks": "4", "x-emulator-cached-tokens": "20"})
    events = list(v2.chat_stream(model=MODEL, messages=user(), request_options=opts))
    assert len([event for event in events if event.type == "content-delta"]) == 4
    usage = events[-1].delta.usage
    assert usage.cached_tokens == 20
    assert usage.billed_units.input_tokens == words(USER) + 20
    v1_events = list(v1.chat_stream(message=USER, request_options=opts))
    assert len([e for e in v1_events if e.event_type == "text-generation"]) == 4
    assert v1_events[-1].response.meta.cached_tokens == 20


def test_malformed_json(v2: cohere.ClientV2) -> None:
    with pytest.raises(Exception) as raised:
        v2.chat(
            model=MODEL,
            messages=user(),
            request_options=options(**{"x-emulator-fault": "malformed-json"}),
        )
    assert not isinstance(raised.value, cohere.core.ApiError) or raised.value.status_code == 200


def test_missing_model_and_unknown_path(v2: cohere.ClientV2, emulator: EmulatorServer) -> None:
    response = httpx.post(emulator.cohere_base_url + "/v2/chat", json={"messages": user()})
    assert response.status_code == 400
    assert response.json() == {"message": "invalid request: model is required"}
    missing = httpx.post(emulator.cohere_base_url + "/v9/nothing", json={})
    assert missing.status_code == 404
    # The path form of cohere < 5.8 (base URL ending in /v1, relative paths) reaches the same
    # endpoint.
    old_style = httpx.post(emulator.cohere_v1_base_url + "/chat", json={"message": "hi"})
    assert old_style.json()["text"] == "Emulated reply to: hi"
