"""Two views into the emulator's in-process transport that every bench target uses.

- ``ChunkProbe`` runs a hook each time an SDK reads the next chunk of a streamed body. A
  target's ``stream()`` consumes its stream itself, so the bench cannot put code in the
  caller's loop; the next read from the transport is the nearest point every SDK shares (an
  SDK reads chunk k+1 only once the caller has had chunk k). The in-situ floor records its
  per-chunk points there, and the chunk-to-chunk gaps are timed there.
- ``recorded_requests`` keeps the requests the emulator answers, so what the emulator itself
  spends on them (server-side work, in our process only because the transport is) can be
  timed apart.

Neither touches the instrumentation or the SDKs: they wrap the emulator's own functions.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import Any

from harness import clock
from provider_emulator import mock_transport
from provider_emulator.core import handle
from provider_emulator.wire import EmulatedRequest, EmulatedResponse


class ChunkProbe:
    """Installed once for the whole run, so every phase pays its small cost alike."""

    def __init__(self) -> None:
        self.hook: Callable[[], Any] | None = None
        self._original: Any = None

    def install(self) -> None:
        original = self._original = EmulatedResponse.iter_bytes
        probe = self

        def iter_bytes(response: EmulatedResponse, *, sleep: bool = True) -> Iterator[bytes]:
            hook = probe.hook
            for data in original(response, sleep=sleep):
                if hook is not None:
                    hook()
                yield data

        EmulatedResponse.iter_bytes = iter_bytes

    def uninstall(self) -> None:
        if self._original is not None:
            EmulatedResponse.iter_bytes = self._original
            self._original = None

    @contextlib.contextmanager
    def hooked(self, hook: Callable[[], Any]) -> Iterator[None]:
        self.hook = hook
        try:
            yield
        finally:
            self.hook = None


class GapRecorder:
    """Wall-clock readings at each chunk read, per stream; gaps between consecutive reads."""

    def __init__(self) -> None:
        self.gaps_ns: list[int] = []
        self._last: int | None = None
        self._first = True

    def start_stream(self) -> None:
        # The first gap of a stream holds the first chunk's once-per-call work (time to first
        # chunk, the metric attributes): it is left out, as is the end of the stream.
        self._last = None
        self._first = True

    def __call__(self) -> None:
        now = time.perf_counter_ns()
        if self._last is not None:
            if self._first:
                self._first = False
            else:
                self.gaps_ns.append(now - self._last)
        self._last = now


@contextlib.contextmanager
def recorded_requests() -> Iterator[list[EmulatedRequest]]:
    """The requests the emulator answers inside the block, in order."""
    seen: list[EmulatedRequest] = []
    original = mock_transport.handle

    def record(request: EmulatedRequest) -> EmulatedResponse:
        seen.append(request)
        return original(request)

    mock_transport.handle = record
    try:
        yield seen
    finally:
        mock_transport.handle = original


def emulator_cost_us(request: EmulatedRequest, repeats: int = 40) -> float:
    """CPU microseconds the emulator spends answering `request` (best of five batches)."""
    samples = []
    for _ in range(5):
        start = clock()
        for _ in range(repeats):
            response = handle(request)
            for _chunk in response.iter_bytes(sleep=False):
                pass
        samples.append((clock() - start) / repeats / 1000)
    return min(samples)
