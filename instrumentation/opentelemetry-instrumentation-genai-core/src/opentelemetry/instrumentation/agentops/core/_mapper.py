"""The contract between a provider package and the core.

A provider package writes one ``Mapper`` per kind of SDK call. The mapper reads the call's
arguments into a ``Request``, the SDK's result into a ``Response`` and, for streams, supplies
a ``StreamAccumulator``. It receives and returns data only: it never sees a span, a trace or
a meter, and the core does all emission.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic

from opentelemetry.instrumentation.agentops.core._records import Request, Response, StateT
from opentelemetry.instrumentation.agentops.core.settings import Settings

__all__ = ["Alteration", "Call", "Mapper", "StreamAccumulator", "StreamHelpers"]


@dataclass(slots=True)
class Call:
    """One intercepted SDK call."""

    instance: Any
    """The object the method was called on (None for a module-level function)."""
    args: tuple[Any, ...]
    """Positional arguments, as they will be sent."""
    kwargs: dict[str, Any]
    """Keyword arguments, as they will be sent: a copy that ``Mapper.prepare`` may change."""
    arguments: Mapping[str, Any]
    """Every argument by parameter name, positional ones bound to the method's signature.
    Mappers read this, never ``args``."""
    settings: Settings
    """The instrumentation's settings (read once, when it was instrumented)."""

    def get(self, name: str, default: Any = None) -> Any:
        return self.arguments.get(name, default)


@dataclass(frozen=True, slots=True)
class Alteration:
    """A change ``Mapper.prepare`` made to a call, such as asking for stream usage.

    If the call then fails and ``rejected_by(error)`` says the server refused the change, the
    core sends the call again exactly as the caller made it, returns that result, and calls
    ``on_rejected()`` when the retry succeeds (so the mapper stops altering calls to that
    server).
    """

    rejected_by: Callable[[BaseException], bool]
    on_rejected: Callable[[], None]


class StreamAccumulator(ABC):
    """Per-stream state a provider package keeps while chunks go by."""

    __slots__ = ("model", "output_chars")

    def __init__(self) -> None:
        self.model: str | None = None
        """The response model once a chunk has named it: it joins the chunk-timing metric
        points from the first chunk on, as it does on the duration point."""
        self.output_chars: int = 0
        """Characters of output text seen so far, where the accumulator counts them: the
        core estimates output usage from it if the stream is abandoned before usage came."""

    @abstractmethod
    def add(self, chunk: Any) -> bool:
        """Take one chunk into account; return False to keep it from the caller."""

    @abstractmethod
    def response(self) -> Response:
        """What the chunks seen so far say about the response."""

    def caused_by_instrumentation(self, chunk: Any) -> bool:
        """Whether ``chunk`` exists only because the instrumentation asked for it.

        Consulted only when ``add`` raised, so a broken accumulator still hides what the
        instrumentation added to the stream.
        """
        return False


@dataclass(frozen=True, slots=True, eq=False)
class StreamHelpers:
    """SDK stream methods that read the stream themselves, routed through the core's proxy.

    Some SDK stream objects offer helpers that consume the underlying stream on their own
    (``get_final_message()``, ``until_done()``, ``text_stream``), bypassing the proxy's
    iteration. Naming them here makes every chunk pass through the accumulator and timing
    whatever the caller uses.
    """

    drain: frozenset[str] = frozenset()
    """Methods to run after the rest of the stream has been read through the proxy (their
    result, computed by the SDK from what it saw, is returned unchanged)."""
    views: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)
    """Attributes that are iterators derived from the stream: each becomes an iterator over
    the proxy's chunks, yielding ``view(chunk)`` for each chunk where it is not None."""


class Mapper(ABC, Generic[StateT]):
    """Maps one kind of SDK call onto the shared record."""

    stream_helpers: ClassVar[StreamHelpers | None] = None
    """Helpers of the stream objects this mapper's calls return, if any."""

    @abstractmethod
    def request(self, call: Call, capture_content: bool) -> Request[StateT] | None:
        """Describe the call; None means the call is not one to trace."""

    def prepare(self, call: Call, request: Request[StateT]) -> Alteration | None:
        """Adjust ``call.kwargs`` before the call is sent (by default, nothing).

        Only for changes the caller cannot observe, such as asking a provider to report
        stream usage; the stream accumulator then hides what the change added. Returns how
        to recognise the server refusing the change, when one was made.
        """
        return None

    def response(
        self, result: Any, request: Request[StateT], capture_content: bool
    ) -> Response | None:
        """Describe a non-streamed result."""
        return None

    def accumulator(
        self, result: Any, request: Request[StateT], capture_content: bool
    ) -> StreamAccumulator | None:
        """Per-stream state when ``result`` is a stream, else None."""
        return None

    def credentials(self, instance: Any) -> Iterable[str]:
        """Values the client behind ``instance`` was given that must never reach telemetry:
        its API key, auth and custom header values, URL credentials. Asked only when a call
        fails, to scrub them (and echoed fragments of them) from error messages."""
        return ()
