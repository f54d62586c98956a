"""Streams of the shared OpenAI-shaped chat mapping, on plain objects shaped like SDK chunks.

APIs whose streams report usage without being asked (Groq's ``x_groq``): a ``ChatMapper`` made
with ``ask_stream_usage=False`` sends streamed calls exactly as the caller made them, and the
stream's usage and attributes come from the extension's chunk hooks. And a streamed tool call
is assembled as the same call made without streaming reads."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from opentelemetry.instrumentation.agentops.core import Call, Usage
from opentelemetry.instrumentation.agentops.core.openai_compatible import (
    ChatExtension,
    ChatMapper,
)
from opentelemetry.instrumentation.agentops.core.settings import Settings

CLIENT = SimpleNamespace(base_url="http://127.0.0.1:9/v1", api_key="k")


class ElsewhereUsage(ChatExtension):
    """Usage and a server timing in a ``meta`` object some chunks carry."""

    def chunk_usage(self, chunk: Any) -> Any:
        meta = getattr(chunk, "meta", None)
        return getattr(meta, "usage", None)

    def chunk_attributes(self, chunk: Any) -> dict[str, Any] | None:
        meta = getattr(chunk, "meta", None)
        return {"server.seconds": meta.seconds} if meta is not None else None


def a_call(**kwargs: Any) -> Call:
    return Call(instance=None, args=(), kwargs=kwargs, arguments=dict(kwargs), settings=Settings())


def chunk(
    text: str | None,
    finish: str | None = None,
    meta: Any = None,
    role: str | None = None,
    tool_calls: list[Any] | None = None,
) -> Any:
    delta = SimpleNamespace(content=text, role=role, tool_calls=tool_calls)
    choice = SimpleNamespace(index=0, delta=delta, finish_reason=finish)
    return SimpleNamespace(id="c-1", model="m-1", choices=[choice], usage=None, meta=meta)


@pytest.mark.parametrize("ask", [True, False])
def test_a_streamed_call_is_altered_only_when_the_mapper_asks_for_usage(ask):
    mapper = ChatMapper("p", lambda _: CLIENT, ask_stream_usage=ask)
    call = a_call(model="m", messages=[{"role": "user", "content": "hi"}], stream=True)
    request = mapper.request(call, capture_content=False)
    assert request is not None

    alteration = mapper.prepare(call, request)

    if ask:
        assert alteration is not None
        assert call.kwargs["extra_body"] == {"stream_options": {"include_usage": True}}
        assert request.attributes == {"agentops.stream.usage_requested": True}
    else:
        assert alteration is None
        assert call.kwargs == {
            "model": "m",
            "messages": [{"role": "user", "content": "hi"}],
            "stream": True,
        }
        assert request.attributes == {}
        assert request.state is None


def test_stream_usage_and_attributes_from_the_extension():
    mapper = ChatMapper("p", lambda _: CLIENT, extension=ElsewhereUsage(), ask_stream_usage=False)
    call = a_call(model="m", messages=[], stream=True)
    request = mapper.request(call, capture_content=False)
    assert request is not None and mapper.prepare(call, request) is None
    state = mapper.accumulator(object(), request, capture_content=False)
    assert state is not None
    usage = SimpleNamespace(prompt_tokens=3, completion_tokens=2)
    chunks = [
        chunk("Hello ", meta=SimpleNamespace(usage=None, seconds=0.5)),
        chunk("there"),
        chunk(None, "stop", meta=SimpleNamespace(usage=usage, seconds=0.25)),
    ]

    # Nothing is hidden: the request was not altered, so every chunk is the caller's.
    assert [state.add(c) for c in chunks] == [True, True, True]

    response = state.response()
    assert response.usage == Usage(input_tokens=3, output_tokens=2)
    assert response.finish_reasons == ["stop"]
    assert response.attributes == {"server.seconds": 0.25}
    assert state.output_chars == len("Hello there")


@pytest.mark.parametrize("first_content", ["", None])
def test_a_streamed_tool_call_has_no_empty_text_part(first_content):
    mapper = ChatMapper("p", lambda _: CLIENT)
    call = a_call(model="m", messages=[], stream=True)
    request = mapper.request(call, capture_content=True)
    assert request is not None
    state = mapper.accumulator(object(), request, capture_content=True)
    assert state is not None
    function = SimpleNamespace(name="get_weather", arguments='{"city": "Paris"}')
    tool_call = SimpleNamespace(index=0, id="call_1", function=function)
    # Servers open with a role chunk whose content is "" (OpenAI, Groq), then the call.
    for each in (
        chunk(first_content, role="assistant"),
        chunk(None, tool_calls=[tool_call]),
        chunk(None, "tool_calls"),
    ):
        state.add(each)

    (message,) = state.response().output_messages or []
    assert message.finish_reason == "tool_call"
    assert [type(part).__name__ for part in message.parts] == ["ToolCallRequestPart"]
    (part,) = message.parts
    assert (part.name, part.id, part.arguments) == ("get_weather", "call_1", {"city": "Paris"})


def test_an_empty_streamed_reply_keeps_its_empty_text():
    mapper = ChatMapper("p", lambda _: CLIENT)
    request = mapper.request(a_call(model="m", messages=[], stream=True), capture_content=True)
    assert request is not None
    state = mapper.accumulator(object(), request, capture_content=True)
    assert state is not None
    state.add(chunk("", role="assistant"))
    state.add(chunk(None, "length"))

    (message,) = state.response().output_messages or []
    assert [(type(p).__name__, p.content) for p in message.parts] == [("TextPart", "")]
