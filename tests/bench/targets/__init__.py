"""What ``make bench`` measures for each provider: one ``BenchTarget`` per provider package.

A target makes the provider's calls with its real SDK over an in-process transport (the
emulator behind an httpx/httpx2 ``MockTransport``, no sockets, no sleeping), so the timings are
the SDK's and ours, not the network's. ``tests/bench/run.py`` measures every target the same
way: a plain call (sync and async), a fully consumed stream of ``chunks`` content chunks, each
uninstrumented, instrumented and against the telemetry floor.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar

from agentops_semconv.providers import instrumented

__all__ = ["TARGETS", "BenchTarget"]


class BenchTarget(ABC):
    name: ClassVar[str]
    """The provider, as the report names it."""

    @abstractmethod
    def instrumentor(self) -> Any:
        """The provider's instrumentor."""

    @abstractmethod
    def sync_client(self) -> Any:
        """A sync client over the in-process transport, retries off."""

    @abstractmethod
    def async_client(self) -> Any:
        """An async client over the in-process transport, retries off."""

    @abstractmethod
    def call(self, client: Any) -> None:
        """One plain chat call."""

    @abstractmethod
    async def acall(self, client: Any) -> None:
        """One plain chat call on the async client."""

    @abstractmethod
    def stream(self, client: Any, chunks: int) -> int:
        """One streamed chat call of ``chunks`` content chunks, fully consumed; returns how
        many chunks the caller saw (ask the emulator with ``x-emulator-chunks``)."""

    def close(self, client: Any) -> None:
        close = getattr(client, "close", None)
        if close is not None:
            close()


_HERE = Path(__file__).resolve().parent
TARGETS: tuple[str, ...] = tuple(
    row.seed for row in instrumented() if row.seed and (_HERE / f"{row.seed}.py").exists()
)
"""Modules of this package (``<seed>.py``, each defining ``Target``), in the seed's order."""
