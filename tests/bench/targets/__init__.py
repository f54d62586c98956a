"""What ``make bench`` measures for each provider: one ``BenchTarget`` per provider package.

A target makes the provider's calls with its real SDK over an in-process transport (the
emulator behind an httpx/httpx2 ``MockTransport`` built with
``provider_emulator.mock_transport.handler`` / ``async_handler``, ``sleep=False``: no
sockets, no sleeping), so the timings are the SDK's and ours, not the network's. The bench
scripts measure every target the same way: a plain call (sync and async), a fully consumed
stream of ``chunks`` content chunks, each uninstrumented, instrumented and against the
telemetry floor; memory per stream and per call; see docs/benchmarks.md.

Which targets run: every ``<seed>.py`` of this package (``TARGETS``), then every file named in
``BENCH_EXTRA_TARGETS`` (paths separated by ``os.pathsep``, each defining ``Target``), kept
only if ``BENCH_TARGETS`` (comma-separated names) is unset or names them.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import traceback
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from agentops_semconv.providers import by_seed, instrumented

__all__ = [
    "EXTRA_TARGETS_ENV",
    "SELECT_ENV",
    "TARGETS",
    "BenchTarget",
    "LoadedTarget",
    "load_targets",
]

SELECT_ENV = "BENCH_TARGETS"
EXTRA_TARGETS_ENV = "BENCH_EXTRA_TARGETS"


class BenchTarget(ABC):
    name: ClassVar[str]
    """The provider, as the report names it (the seed name for this package's modules)."""

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

    def stream_as_sent(self, client: Any, chunks: int) -> int | None:
        """Optional: ``stream``'s call changed as the instrumentation changes it, made on the
        uninstrumented client (OpenAI: usage asked for, which the caller did not ask for).
        Returns the chunks the caller saw; None, the default, means the instrumentation sends
        the caller's request unchanged. With it the report says how much of the stream's
        overhead that change accounts for."""
        return None

    def close(self, client: Any) -> None:
        close = getattr(client, "close", None)
        if close is not None:
            close()

    async def aclose(self, client: Any) -> None:
        close = getattr(client, "close", None) or getattr(client, "aclose", None)
        if close is not None:
            result = close()
            if hasattr(result, "__await__"):
                await result

    @property
    def sdk(self) -> str | None:
        """The SDK's distribution name, for the report (from the provider registry)."""
        for row in by_seed(self.name):
            if row.sdk is not None:
                return row.sdk
        return None


_HERE = Path(__file__).resolve().parent
TARGETS: tuple[str, ...] = tuple(
    row.seed for row in instrumented() if row.seed and (_HERE / f"{row.seed}.py").exists()
)
"""Modules of this package (``<seed>.py``, each defining ``Target``), in the seed's order."""


@dataclass
class LoadedTarget:
    """A target ready to measure, or why it could not be loaded."""

    name: str
    target: BenchTarget | None = None
    error: str | None = None


def _load_module(label: str, load: Any) -> LoadedTarget:
    try:
        module = load()
        target = module.Target()
    except Exception as error:
        last = traceback.extract_tb(error.__traceback__)[-1]
        where = f"{Path(last.filename).name}:{last.lineno}"
        return LoadedTarget(label, error=f"{type(error).__name__}: {error} ({where})")
    return LoadedTarget(target.name, target=target)


def _load_file(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(f"bench_extra_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_targets(environ: Mapping[str, str] | None = None) -> list[LoadedTarget]:
    """The targets this run measures, in the registry's order, then the extra files'."""
    env = os.environ if environ is None else environ
    loaded = [
        _load_module(seed, lambda seed=seed: importlib.import_module(f"targets.{seed}"))
        for seed in TARGETS
    ]
    for raw in env.get(EXTRA_TARGETS_ENV, "").split(os.pathsep):
        if raw.strip():
            path = Path(raw.strip()).expanduser().resolve()
            loaded.append(_load_module(path.stem, lambda path=path: _load_file(path)))
    wanted = [name.strip() for name in env.get(SELECT_ENV, "").split(",") if name.strip()]
    if not wanted:
        return loaded
    names = {item.name for item in loaded}
    for name in wanted:
        if name not in names:
            print(f"{SELECT_ENV}: no target named {name!r} (found: {', '.join(sorted(names))})")
    return [item for item in loaded if item.name in wanted]
