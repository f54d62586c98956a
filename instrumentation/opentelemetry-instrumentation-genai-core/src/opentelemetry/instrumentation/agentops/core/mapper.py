"""The contract between a provider package and the core.

A provider package writes one ``Mapper`` per kind of SDK call. The mapper reads the call's
arguments into a ``Request``, the SDK's result into a ``Response`` and, for streams, supplies
a ``StreamAccumulator``. It never touches spans or metrics: the core does all emission.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from opentelemetry.instrumentation.agentops.core.deferred import AsyncDeferredResult, DeferredResult
from opentelemetry.instrumentation.agentops.core.records import Request, Response

if TYPE_CHECKING:
    from opentelemetry.instrumentation.agentops.core.streams import StreamAccumulator
    from opentelemetry.instrumentation.agentops.core.telemetry import Trace

__all__ = ["Call", "Mapper"]


@dataclass(slots=True)
class Call:
    """One intercepted SDK call: the object it was made on and its arguments."""

    instance: Any
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


class Mapper(ABC):
    """Maps one kind of SDK call onto the shared record."""

    @abstractmethod
    def request(self, call: Call, capture_content: bool) -> Request | None:
        """Describe the call; None means the call is not one to trace."""

    def prepare(self, call: Call, request: Request) -> None:  # noqa: B027
        """Adjust ``call.kwargs`` before the call is sent (by default, nothing).

        Only for changes the caller cannot observe, such as asking a provider to report
        stream usage; the stream accumulator then hides what the change added.
        """

    def response(self, result: Any, request: Request, capture_content: bool) -> Response | None:
        """Describe a non-streamed result."""
        return None

    def accumulator(
        self, result: Any, request: Request, capture_content: bool
    ) -> StreamAccumulator | None:
        """Return per-stream state when ``result`` is a stream, else None."""
        return None

    def raw_kind(self, result: Any) -> Literal["sync", "async"] | None:
        """Whether ``result`` is an SDK raw-response wrapper, and whether its ``parse()`` is
        awaited; None for ordinary results."""
        return None

    def on_result(self, result: Any, trace: Trace) -> Any:
        """Finish ``trace`` from ``result`` and return what the caller receives.

        Covers plain results, streams and raw-response wrappers (see ``deferred``).
        """
        kind = self.raw_kind(result)
        if kind is not None:
            proxy = AsyncDeferredResult if kind == "async" else DeferredResult
            # The caller's work until parse() must not be parented under this span.
            trace.suspend()
            return proxy(result, self, trace)
        accumulator = self.accumulator(result, trace.request, trace.capture_content)
        if accumulator is not None:
            return trace.stream(result, accumulator)
        trace.finish(self.response(result, trace.request, trace.capture_content))
        return result
