"""What a provider package gives the conformance suite: how to make its calls.

A provider's test directory subclasses ``ProviderCase`` and provides a ``case`` fixture; the
suite (``suite.py``) then checks what every provider package must do. Expected values come from
the SDK's own results (its usage counts, its text), never from constants.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ClassVar


class ProviderCase(ABC):
    """One provider's calls against the emulator, sync and async."""

    provider: ClassVar[str]
    """The ``gen_ai.provider.name`` its spans carry."""
    operation: ClassVar[str] = "chat"
    model: ClassVar[str]
    scope: ClassVar[str]
    """The instrumentation scope name of its spans."""
    api_key: ClassVar[str]
    """The key the clients are given (the suite checks it never reaches telemetry)."""
    error_types: ClassVar[Mapping[str, str]]
    """``error.type`` expected for emulator faults: ``http-400``, ``http-401``, ``http-429``,
    ``http-500`` at least."""
    stream_cut_error: ClassVar[bool] = True
    """Whether a stream cut mid-way raises in the caller (an SDK may end the stream quietly)."""
    closable: ClassVar[bool] = True
    """Whether its stream objects have ``close()`` (sync) / an async close."""
    context_manager: ClassVar[bool] = True
    """Whether its stream objects work with ``with`` / ``async with``."""
    releasable: ClassVar[bool] = True
    """Whether a stream left mid-way can be let go: closed, or dropped (a generator dropped is
    closed by the garbage collector). False for an SDK generator that swallows the close
    (``except: pass`` around its ``yield``), which raises there uninstrumented too."""
    sdk_loggers: ClassVar[tuple[str, ...]] = ()
    """Top-level loggers of the SDK itself, left out of the check that no log line carries the
    client's key (ai21 2.0 logs every request's headers at INFO: the SDK's doing, not ours)."""

    def __init__(self, emulator: Any, telemetry: Any) -> None:
        self.emulator = emulator
        self.telemetry = telemetry

    # -- what the provider package supplies -------------------------------------------------

    @abstractmethod
    def instrumentor(self) -> Any:
        """A fresh instance of the provider's instrumentor (they are singletons)."""

    @abstractmethod
    def client(self, asynchronous: bool, api_key: str | None = None) -> Any:
        """A client pointed at the emulator, with retries off."""

    @abstractmethod
    def call(self, client: Any, headers: Mapping[str, str] | None = None) -> Any:
        """A plain chat call (returns the result, or an awaitable for async clients)."""

    @abstractmethod
    def stream(self, client: Any, headers: Mapping[str, str] | None = None) -> Any:
        """A streamed chat call (returns the stream, or an awaitable of it)."""

    @abstractmethod
    def text(self, result: Any) -> str:
        """The reply text of a plain result."""

    @abstractmethod
    def chunk_text(self, chunk: Any) -> str:
        """The text a stream chunk carries ('' for none)."""

    @abstractmethod
    def usage(self, result: Any) -> tuple[int, int]:
        """(input, output) tokens as the SDK reports them on a plain result, in the
        conventions' terms (input includes cached tokens)."""

    @abstractmethod
    def dump(self, value: Any) -> Any:
        """A comparable form of a result or chunk (e.g. ``model_dump()`` without ids that vary)."""

    def prompt(self) -> str:
        return "please tell the conformance suite a short story"

    # -- derived ----------------------------------------------------------------------------

    @property
    def server(self) -> dict[str, Any]:
        return {"server.address": "127.0.0.1", "server.port": self.emulator.port}

    def start_attributes(self) -> dict[str, Any]:
        return {
            "gen_ai.operation.name": self.operation,
            "gen_ai.provider.name": self.provider,
            "gen_ai.request.model": self.model,
            **self.server,
        }

    @property
    def span_name(self) -> str:
        return f"{self.operation} {self.model}"


class OpenAIShapedResults:
    """``text``, ``chunk_text`` and ``usage`` of a ``ProviderCase`` whose SDK answers in the
    OpenAI chat shape (choices with a message or a delta; usage in prompt and completion
    tokens). Put it first among the bases: ``class MyCase(OpenAIShapedResults, ProviderCase)``.
    """

    def text(self, result: Any) -> str:
        return result.choices[0].message.content

    def chunk_text(self, chunk: Any) -> str:
        return "".join(choice.delta.content or "" for choice in chunk.choices)

    def usage(self, result: Any) -> tuple[int, int]:
        return result.usage.prompt_tokens, result.usage.completion_tokens


class OpenAIShapedCase(OpenAIShapedResults, ProviderCase):
    """A provider whose SDK has OpenAI's chat surface (``client.chat.completions.create``,
    choices, deltas, ``usage.prompt_tokens``): openai and groq. It supplies ``client`` and
    ``dump``."""

    def _create(self, client: Any, headers: Mapping[str, str] | None, **kwargs: Any) -> Any:
        return client.chat.completions.create(
            model=self.model,
            messages=[{"role": "user", "content": self.prompt()}],
            extra_headers=dict(headers or {}),
            **kwargs,
        )

    def call(self, client: Any, headers: Mapping[str, str] | None = None) -> Any:
        return self._create(client, headers)

    def stream(self, client: Any, headers: Mapping[str, str] | None = None) -> Any:
        return self._create(client, headers, stream=True)


async def resolve(value: Any) -> Any:
    return (await value) if inspect.isawaitable(value) else value


async def drain(stream: Any, limit: int | None = None) -> list[Any]:
    chunks: list[Any] = []
    if hasattr(stream, "__aiter__"):
        async for chunk in stream:
            chunks.append(chunk)
            if limit is not None and len(chunks) >= limit:
                break
    else:
        for chunk in stream:
            chunks.append(chunk)
            if limit is not None and len(chunks) >= limit:
                break
    return chunks


async def close(stream: Any) -> None:
    closing = getattr(stream, "aclose", None) or stream.close
    await resolve(closing())


# -- helpers every provider's own tests share ---------------------------------------------------


@contextmanager
def uninstrumented(instrumentor: Any, telemetry: Any, **kwargs: Any) -> Iterator[None]:
    """Run the block with the SDK unpatched, then instrument again with the test's pipeline."""
    instrumentor.uninstrument()
    try:
        yield
    finally:
        instrumentor.instrument(
            tracer_provider=telemetry.tracer_provider,
            meter_provider=telemetry.meter_provider,
            **kwargs,
        )
