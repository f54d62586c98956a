"""What a provider package asks the core to patch, and how each call is made.

The way a call is traced depends on its shape: a plain value (which may still be a stream
object or a raw response, told apart by the mapper and by shape), a coroutine, a lazy
generator, or a stream manager. The shape is read from the original function itself, never
guessed from a result; where the function cannot tell (a plain ``def`` that returns a context
manager), the patch states it.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from enum import Enum
from typing import Any

from opentelemetry.instrumentation.agentops.core._mapper import Mapper

__all__ = ["CallShape", "Patch", "shape_of"]


class CallShape(Enum):
    """How a patched function returns its result."""

    VALUE = "value"
    """A plain call. Its result may be a stream object (followed by a proxy that offers
    exactly the protocols the stream has: sync, async or both), a generator that sends its
    request on the first read (which then runs in the span's context, as for ``GENERATOR``),
    a raw-response wrapper, or an awaitable a decorator returned (awaited inside the span)."""
    COROUTINE = "coroutine"
    """An ``async def``: the span starts when the coroutine runs, in the context it is
    awaited in. An async generator it returns (Ollama's streams) is read as ``VALUE``'s
    generators are: its first read runs in the span's context."""
    GENERATOR = "generator"
    """A generator function: a lazy stream whose request goes out on the first read, which
    runs inside the span's context."""
    ASYNC_GENERATOR = "async_generator"
    """An async generator function: as ``GENERATOR``, read with ``async for``."""
    STREAM_MANAGER = "stream_manager"
    """Returns a context manager (``with`` or ``async with``) that sends the request on enter
    and yields a stream object: the span starts on enter; a manager never entered opens no
    span. Never read from the function: a patch states it."""


@dataclass(frozen=True, slots=True)
class Patch:
    """One SDK function or method to trace.

    ``target`` is ``"Class.method"`` or ``"function"`` inside ``module``, e.g.
    ``Patch("openai.resources.embeddings", "Embeddings.create", EmbeddingsMapper())``. A target
    the installed SDK lacks is skipped, so one list covers every supported SDK version.
    """

    module: str
    target: str
    mapper: Mapper[Any]
    shape: CallShape | None = None
    """None: read from the original function (see ``shape_of``)."""
    on_demand: bool = False
    """The SDK imports ``module`` only when a feature needs it (a heavy submodule): patch it
    when that import happens, instead of importing it when the SDK is imported."""


def shape_of(function: Any) -> CallShape:
    """The shape a function's own definition shows.

    The outermost callable decides: an ``async def`` is a coroutine, a generator function a
    lazy stream. A plain ``def`` is a ``VALUE`` even if a decorator wraps an ``async def`` in
    it (it may run the coroutine itself); if it returns an awaitable, the core awaits it
    inside the span. A patch states ``COROUTINE`` where it knows better.
    """
    target = getattr(function, "__func__", function)
    if inspect.isasyncgenfunction(target):
        return CallShape.ASYNC_GENERATOR
    if inspect.iscoroutinefunction(target):
        return CallShape.COROUTINE
    if inspect.isgeneratorfunction(target):
        return CallShape.GENERATOR
    return CallShape.VALUE
