"""Results whose payload the caller reads later: SDK raw-response wrappers.

``client.x.with_raw_response.create(...)`` returns an object holding the HTTP response; the
model (or stream) appears when the caller calls ``.parse()``. Such wrappers are recognised by
their shape (an ``http_response`` and a ``parse()``, which every Stainless-generated SDK's
raw responses have), never by SDK classes, which live in private modules. The proxy keeps the
SDK's type and finishes the span from what ``parse()`` returns. A response never parsed ends
its span when it is closed or garbage-collected, with what is known (no usage).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from opentelemetry.instrumentation.agentops.core._guard import report_internal_error
from wrapt import ObjectProxy

if TYPE_CHECKING:
    from opentelemetry.instrumentation.agentops.core._telemetry import Trace

__all__ = ["AsyncDeferredResult", "DeferredResult", "raw_response_kind"]

RawKind = Literal["sync", "async"]
Settle = Callable[[Any], Any]
"""Turns what ``parse()`` returned into what the caller receives (finishing the span, or
following a stream)."""

_kinds: dict[type, RawKind | None] = {}


def raw_response_kind(result: Any) -> RawKind | None:
    """Whether ``result`` is a raw-response wrapper, and whether its ``parse()`` is awaited.

    Decided once per type: every instance of an SDK's raw-response class has both members.
    """
    cls = type(result)
    try:
        return _kinds[cls]
    except KeyError:
        pass
    except TypeError:  # an unhashable type
        return None
    parse = getattr(cls, "parse", None)
    kind: RawKind | None = None
    if callable(parse) and not isinstance(parse, (classmethod, staticmethod)):
        try:
            has_http = hasattr(result, "http_response")
        except Exception:
            has_http = False
        if has_http:
            kind = "async" if inspect.iscoroutinefunction(parse) else "sync"
    _kinds[cls] = kind
    return kind


class DeferredResult(ObjectProxy[Any]):
    def __init__(self, raw: Any, settle: Settle, trace: Trace) -> None:
        super().__init__(raw)
        self._self_settle = settle
        self._self_trace: Trace | None = trace
        self._self_parsed: Any = None

    def parse(self, *args: Any, **kwargs: Any) -> Any:
        return self._settle(self.__wrapped__.parse(*args, **kwargs))

    def _settle(self, parsed: Any) -> Any:
        trace = self._self_trace
        if trace is None:
            return self._self_parsed if self._self_parsed is not None else parsed
        self._self_trace = None
        try:
            self._self_parsed = self._self_settle(parsed)
        except Exception:
            report_internal_error("reading a raw response")
            trace.finish(None)
            self._self_parsed = parsed
        return self._self_parsed

    def close(self) -> Any:
        try:
            return self.__wrapped__.close()
        finally:
            self._abandon()

    def _abandon(self) -> None:
        trace, self._self_trace = self._self_trace, None
        if trace is not None:
            trace.finish(None)

    def __del__(self) -> None:
        try:
            self._abandon()
        except Exception:
            report_internal_error("finishing an unread raw response")


class AsyncDeferredResult(DeferredResult):
    """For async SDK clients, whose raw responses have ``async def parse``."""

    async def parse(self, *args: Any, **kwargs: Any) -> Any:
        return self._settle(await self.__wrapped__.parse(*args, **kwargs))

    async def close(self) -> Any:
        try:
            return await self.__wrapped__.close()
        finally:
            self._abandon()
