"""Emulator checks that use only Cohere SDK APIs present since cohere 5.4.0.

They pass with the newest SDK and with old ones (5.4.0: v1 only; 5.8: the first v2 client; see
the emulator README for the pins). cohere < 5.8 takes a base URL ending in `/v1` and relative
paths, later ones the bare prefix and `v1/...` / `v2/...` paths.
"""

from __future__ import annotations

import importlib
import inspect
import json

import cohere
import httpx
import pytest
from provider_emulator import EmulatorServer

MODEL = "command-r-plus"
MESSAGE = "Hello there brave emulator"
REPLY = "Emulated reply to: Hello there brave emulator"
HAS_V2 = hasattr(cohere, "ClientV2")
TOOL = {
    "name": "lookup",
    "description": "Look something up",
    "parameter_definitions": {"query": {"type": "str", "required": True}},
}
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def base_url(emulator: EmulatorServer) -> str:
    return emulator.cohere_base_url if HAS_V2 else emulator.cohere_v1_base_url


def options(**headers: str) -> dict:
    return {"max_retries": 0, "additional_headers": headers}


@pytest.fixture
def client(emulator: EmulatorServer) -> cohere.Client:
    return cohere.Client(base_url=base_url(emulator), api_key="co-emulator")


def test_chat(client: cohere.Client, emulator: EmulatorServer) -> None:
    response = client.chat(message=MESSAGE, model=MODEL)
    assert response.text == REPLY
    assert response.meta.billed_units.input_tokens == 4
    assert response.meta.billed_units.output_tokens == 7
    assert emulator.requests[0].path == "/cohere/v1/chat"


def test_chat_stream(client: cohere.Client) -> None:
    events = list(client.chat_stream(message=MESSAGE, model=MODEL))
    assert events[0].event_type == "stream-start"
    text = "".join(e.text for e in events if e.event_type == "text-generation")
    assert text == REPLY
    assert events[-1].event_type == "stream-end"
    assert events[-1].finish_reason == "COMPLETE"
    assert events[-1].response.meta.billed_units.output_tokens == 7


def test_tool_calls(client: cohere.Client) -> None:
    response = client.chat(message=MESSAGE, model=MODEL, tools=[TOOL])
    assert response.tool_calls[0].name == "lookup"
    assert response.tool_calls[0].parameters == {"query": "example"}
    events = list(client.chat_stream(message=MESSAGE, model=MODEL, tools=[TOOL]))
    generated = [e for e in events if e.event_type == "tool-calls-generation"]
    assert generated[0].tool_calls[0].parameters == {"query": "example"}
    # `tool-calls-chunk` only reaches SDKs whose stream types know it (5.5.7 and later).
    kinds = {event.event_type for event in events}
    assert kinds <= {"stream-start", "tool-calls-chunk", "tool-calls-generation", "stream-end"}
    stream_types = importlib.import_module("cohere.types.streamed_chat_response")
    knows_chunks = "tool-calls-chunk" in inspect.getsource(stream_types)
    assert ("tool-calls-chunk" in kinds) == knows_chunks


def test_embed_and_rerank(client: cohere.Client) -> None:
    floats = client.embed(texts=["a b"], model="embed-english-v3.0", input_type="search_query")
    assert floats.response_type == "embeddings_floats"
    assert len(floats.embeddings[0]) == 8
    typed = client.embed(
        texts=["a b"],
        model="embed-english-v3.0",
        input_type="search_query",
        embedding_types=["float", "int8"],
    )
    assert typed.response_type == "embeddings_by_type"
    assert len(typed.embeddings.int8[0]) == 8
    ranked = client.rerank(
        query="brave", documents=["x", "a brave one"], model="rerank-english-v3.0"
    )
    assert [item.index for item in ranked.results] == [1, 0]
    assert ranked.meta.billed_units.search_units == 1


def test_generate(client: cohere.Client) -> None:
    generation = client.generate(prompt="Once upon a time")
    assert generation.generations[0].text == "Emulated completion of: Once upon a time"
    events = list(client.generate_stream(prompt="Once upon a time"))
    assert events[-1].event_type == "stream-end"


@pytest.mark.skipif(not HAS_V2, reason=f"cohere {cohere.__version__} has no v2 client")
def test_v2_chat(emulator: EmulatorServer) -> None:
    client = cohere.ClientV2(base_url=emulator.cohere_base_url, api_key="co-emulator")
    messages = [{"role": "user", "content": MESSAGE}]
    response = client.chat(model=MODEL, messages=messages)
    assert response.message.content[0].text == REPLY
    assert response.usage.billed_units.output_tokens == 7
    events = list(client.chat_stream(model=MODEL, messages=messages))
    assert events[0].type == "message-start"
    text = "".join(e.delta.message.content.text for e in events if e.type == "content-delta")
    assert text == REPLY
    assert events[-1].type == "message-end"
    assert events[-1].delta.usage.billed_units.input_tokens == 4
    assert emulator.requests[-1].path == "/cohere/v2/chat"
    tool = {
        "type": "function",
        "function": {"name": "lookup", "parameters": {"type": "object", "required": ["q"]}},
    }
    called = client.chat(model=MODEL, messages=messages, tools=[tool])
    assert json.loads(called.message.tool_calls[0].function.arguments) == {"q": "example"}


@pytest.mark.parametrize("status", [400, 401, 403, 404, 429, 500, 503, 529])
def test_http_faults(client: cohere.Client, status: int) -> None:
    # Every SDK error class is an ApiError. For chat, 5.4.0 has a class of its own for 429 only
    # (whose body is a typed model); newer SDKs have one for each status but 529.
    with pytest.raises(cohere.core.ApiError) as raised:
        client.chat(
            message=MESSAGE, request_options=options(**{"x-emulator-fault": f"http-{status}"})
        )
    assert raised.value.status_code == status
    body = raised.value.body
    if isinstance(body, dict):
        assert isinstance(body["message"], str)
    if status == 429:
        assert isinstance(raised.value, cohere.TooManyRequestsError)


def test_stream_error_and_cut(client: cohere.Client) -> None:
    events = list(
        client.chat_stream(
            message=MESSAGE, request_options=options(**{"x-emulator-fault": "stream-error"})
        )
    )
    assert events[-1].event_type == "stream-end"
    assert events[-1].finish_reason == "ERROR"
    with pytest.raises(httpx.RemoteProtocolError):
        list(
            client.chat_stream(
                message=MESSAGE, request_options=options(**{"x-emulator-fault": "stream-cut"})
            )
        )
