"""A small SDK written for the core's tests: one method per call shape the eight real SDKs use.

No network: "requests" are recorded in ``SENT`` with the span that was current when the SDK
sent them (as an HTTP instrumentation would see it) and the ``traceparent`` it would carry.
Replies are deterministic: the reply text is ``reply to <last message>``, one chunk per word,
and usage counts words.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

from opentelemetry import propagate, trace

__all__ = ["SENT", "Client"]


@dataclass
class Sent:
    method: str
    body: dict[str, Any]
    span: Any
    headers: dict[str, str] = field(default_factory=dict)


SENT: list[Sent] = []
TRACES_ITSELF = {"on": False}
"""When on, the SDK opens a span of its own for each request (as anthropic >= 1.14 does)."""


class FakeError(Exception):
    """What the SDK raises for a failed request; ``status_code`` like HTTP SDK errors."""

    def __init__(self, message: str, status_code: int = 500) -> None:
        super().__init__(message)
        self.status_code = status_code


def _send(method: str, body: dict[str, Any]) -> dict[str, Any]:
    tracer = trace.get_tracer("fake.sdk")
    if TRACES_ITSELF["on"]:
        with tracer.start_as_current_span("fake.sdk.request", kind=trace.SpanKind.CLIENT) as own:
            own.set_attribute("gen_ai.provider.name", "fake")
            return _record(method, body)
    return _record(method, body)


def _record(method: str, body: dict[str, Any]) -> dict[str, Any]:
    headers: dict[str, str] = {}
    propagate.inject(headers)
    SENT.append(Sent(method, dict(body), trace.get_current_span(), headers))
    if body.get("fail"):
        raise FakeError(str(body["fail"]), int(body.get("status", 500)))
    if body.get("reject") and body.get("extra"):
        raise FakeError(f"unknown parameter {body['reject']}", 400)
    messages = body.get("messages") or []
    last = messages[-1]["content"] if messages else body.get("prompt", "")
    text = f"reply to {last}"
    return {
        "id": "fake-1",
        "model": f"{body['model']}-2026",
        "text": text,
        "finish_reason": "stop",
        "usage": {"input": len(str(last).split()), "output": len(text.split())},
    }


def _chunks(reply: dict[str, Any], cut: bool = False) -> list[dict[str, Any]]:
    words = reply["text"].split()
    chunks: list[dict[str, Any]] = [
        {"id": reply["id"], "model": reply["model"], "text": f"{word} "} for word in words
    ]
    chunks[-1]["finish_reason"] = "stop"
    chunks.append({"usage": reply["usage"]})
    if cut:
        return chunks[: len(chunks) // 2]
    return chunks


class Stream:
    """An SDK stream object: iterable, a context manager, closeable, with an HTTP response."""

    def __init__(self, chunks: list[dict[str, Any]], fail_after: int | None = None) -> None:
        self._chunks = chunks
        self._fail_after = fail_after
        self.closed = False
        self.response = Response()

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for index, chunk in enumerate(self._chunks):
            if self._fail_after is not None and index == self._fail_after:
                raise FakeError("connection reset mid-stream")
            if self.closed:
                return
            yield chunk

    def __enter__(self) -> Stream:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self.closed = True


class AsyncStream:
    def __init__(self, chunks: list[dict[str, Any]]) -> None:
        self._chunks = chunks
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        for chunk in self._chunks:
            if self.closed:
                return
            yield chunk

    async def __aenter__(self) -> AsyncStream:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    async def close(self) -> None:
        self.closed = True


class DualStream:
    """Both iterable and async-iterable over one position, as LiteLLM's stream wrapper is."""

    def __init__(self, chunks: list[dict[str, Any]]) -> None:
        self._chunks = list(chunks)
        self._position = 0

    def __iter__(self) -> DualStream:
        return self

    def __next__(self) -> dict[str, Any]:
        if self._position >= len(self._chunks):
            raise StopIteration
        self._position += 1
        return self._chunks[self._position - 1]

    def __aiter__(self) -> DualStream:
        return self

    async def __anext__(self) -> dict[str, Any]:
        if self._position >= len(self._chunks):
            raise StopAsyncIteration
        self._position += 1
        return self._chunks[self._position - 1]


class Response:
    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True


class HelperStream:
    """A stream object whose helpers consume the stream themselves (Anthropic's
    ``MessageStream``): ``text_stream``, ``get_final_message()``, ``until_done()``."""

    def __init__(self, chunks: list[dict[str, Any]]) -> None:
        self._iterator = iter(chunks)
        self._final: dict[str, Any] = {"text": ""}
        self.text_stream = self._text()

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for chunk in self._iterator:
            self._final["text"] += chunk.get("text", "")
            if "usage" in chunk:
                self._final["usage"] = chunk["usage"]
            yield chunk

    def _text(self) -> Iterator[str]:
        for chunk in self:
            if "text" in chunk:
                yield chunk["text"]

    def until_done(self) -> None:
        for _ in self:
            pass

    def get_final_message(self) -> dict[str, Any]:
        self.until_done()
        return self._final

    def close(self) -> None:
        pass

    def __enter__(self) -> HelperStream:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class AsyncHelperStream:
    def __init__(self, chunks: list[dict[str, Any]]) -> None:
        self._chunks = chunks
        self._position = 0
        self._final: dict[str, Any] = {"text": ""}
        self.text_stream = self._text()

    def __aiter__(self) -> AsyncHelperStream:
        return self

    async def __anext__(self) -> dict[str, Any]:
        if self._position >= len(self._chunks):
            raise StopAsyncIteration
        chunk = self._chunks[self._position]
        self._position += 1
        self._final["text"] += chunk.get("text", "")
        if "usage" in chunk:
            self._final["usage"] = chunk["usage"]
        return chunk

    async def _text(self) -> AsyncIterator[str]:
        async for chunk in self:
            if "text" in chunk:
                yield chunk["text"]

    async def until_done(self) -> None:
        async for _ in self:
            pass

    async def get_final_message(self) -> dict[str, Any]:
        await self.until_done()
        return self._final

    async def close(self) -> None:
        pass


class StreamManager:
    """Sends the request on ``__enter__``; a manager never entered sends nothing."""

    def __init__(self, body: dict[str, Any]) -> None:
        self._body = body

    def __enter__(self) -> HelperStream:
        return HelperStream(_chunks(_send("stream_manager", self._body)))

    def __exit__(self, *exc: Any) -> None:
        pass


class AsyncStreamManager:
    def __init__(self, body: dict[str, Any]) -> None:
        self._body = body

    async def __aenter__(self) -> AsyncHelperStream:
        return AsyncHelperStream(_chunks(_send("async_stream_manager", self._body)))

    async def __aexit__(self, *exc: Any) -> None:
        pass


class RawResponse:
    """What ``with_raw_response`` methods return: HTTP details now, the model on ``parse()``."""

    def __init__(self, parsed: Any) -> None:
        self.http_response = Response()
        self._parsed = parsed

    def parse(self) -> Any:
        return self._parsed


def required_args(function: Any) -> Any:
    """A plain-``def`` decorator, as Stainless SDKs put around their ``async def`` methods."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return function(*args, **kwargs)

    return wrapper


class Chat:
    def __init__(self, client: Client) -> None:
        self._client = client

    def create(
        self,
        *,
        model: str,
        messages: Any = (),
        stream: bool = False,
        raw: bool = False,
        **extra: Any,
    ) -> Any:
        body = {"model": model, "messages": list(messages), "stream": stream, **extra}
        reply = _send("create", body)
        result = Stream(_chunks(reply)) if stream else reply
        return RawResponse(result) if raw else result

    def generate(self, model: str, prompt: str, temperature: float = 1.0) -> Any:
        """Positional arguments that matter (``ollama.generate("llama3.2", "hi")``)."""
        return _send("generate", {"model": model, "prompt": prompt, "temperature": temperature})

    def stream_lazy(self, *, model: str, messages: Any = ()) -> Iterator[dict[str, Any]]:
        """A generator: the request goes out on the first ``next()`` (Cohere's chat_stream)."""
        reply = _send("stream_lazy", {"model": model, "messages": list(messages)})
        yield from _chunks(reply)

    def stream_returned(self, *, model: str, messages: Any = ()) -> Iterator[dict[str, Any]]:
        """A plain ``def`` returning a generator whose request goes out on the first read
        (Ollama's ``Client.chat(stream=True)``)."""

        def chunks() -> Iterator[dict[str, Any]]:
            reply = _send("stream_returned", {"model": model, "messages": list(messages)})
            yield from _chunks(reply)

        return chunks()

    def dual(self, *, model: str, messages: Any = ()) -> DualStream:
        return DualStream(_chunks(_send("dual", {"model": model, "messages": list(messages)})))

    def stream(self, *, model: str, messages: Any = ()) -> StreamManager:
        return StreamManager({"model": model, "messages": list(messages)})

    @property
    def with_raw_response(self) -> RawChat:
        return RawChat(self)


class RawChat:
    def __init__(self, chat: Chat) -> None:
        # As Stainless SDKs do: the same method, asked (by a header there) for the raw reply.
        self.create = lambda **kwargs: chat.create(raw=True, **kwargs)


class AsyncChat:
    def __init__(self, client: Client) -> None:
        self._client = client

    @required_args
    async def create(
        self, *, model: str, messages: Any = (), stream: bool = False, **extra: Any
    ) -> Any:
        body = {"model": model, "messages": list(messages), "stream": stream, **extra}
        reply = _send("async_create", body)
        return AsyncStream(_chunks(reply)) if stream else reply

    async def create_native(self, *, model: str, messages: Any = ()) -> Any:
        return _send("async_create_native", {"model": model, "messages": list(messages)})

    async def stream_agen(self, *, model: str, messages: Any = ()) -> AsyncIterator[dict[str, Any]]:
        """An async generator function (Cohere's async chat_stream)."""
        reply = _send("stream_agen", {"model": model, "messages": list(messages)})
        for chunk in _chunks(reply):
            yield chunk

    async def chat_iter(self, *, model: str, messages: Any = ()) -> AsyncIterator[dict[str, Any]]:
        """A coroutine returning an async generator whose request goes out on the first read
        (Ollama's ``AsyncClient.chat(stream=True)``)."""

        async def chunks() -> AsyncIterator[dict[str, Any]]:
            reply = _send("chat_iter", {"model": model, "messages": list(messages)})
            for chunk in _chunks(reply):
                yield chunk

        return chunks()

    def dual(self, *, model: str, messages: Any = ()) -> DualStream:
        return DualStream(_chunks(_send("dual", {"model": model, "messages": list(messages)})))

    def stream(self, *, model: str, messages: Any = ()) -> AsyncStreamManager:
        """A plain ``def`` returning an async context manager (Anthropic's)."""
        return AsyncStreamManager({"model": model, "messages": list(messages)})


class Client:
    def __init__(self, api_key: str = "fake-key-0123456789abcdef", rebind: bool = False) -> None:
        self.api_key = api_key
        self.base_url = "https://fake.example.com/v1"
        self.chat = Chat(self)
        self.achat = AsyncChat(self)
        if rebind:
            # Cohere's clients wrap their methods on the instance in __init__: a class patch
            # made later never reaches this instance's attribute.
            self.create = _experimental(self.chat.create)


def _experimental(method: Any) -> Any:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return method(*args, **kwargs)

    return wrapper


_default = Client()
chat = _default.chat.create
"""A module-level function bound at import to a client the SDK made (``ollama.chat``)."""


def completion(*, model: str, messages: Any = (), stream: bool = False) -> Any:
    """A module-level function apps import by name (``from litellm import completion``)."""
    return _default.chat.create(model=model, messages=messages, stream=stream)
