"""What the bench scripts share: the pipeline, CPU timing, per-round series, instrumenting a
target with chosen settings, and the report's small helpers."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.metadata
import os
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from opentelemetry.instrumentation.agentops.core.settings import (
    AGENTOPS_GENAI_STREAM_CHUNK_TIMING,
    OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT,
)
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

# --- Pipeline -------------------------------------------------------------------------------


class DropSpanExporter(SpanExporter):
    """Accepts every batch and keeps nothing: the export itself is not what we measure."""

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        pass


@dataclass
class Pipeline:
    """The providers the measured calls (and the floor) emit into."""

    tracer_provider: TracerProvider
    meter_provider: MeterProvider
    metric_reader: InMemoryMetricReader

    def flush(self) -> None:
        self.tracer_provider.force_flush()

    def shutdown(self) -> None:
        self.tracer_provider.shutdown()
        self.meter_provider.shutdown()


def production_pipeline() -> Pipeline:
    """What a production setup looks like: spans batched on a worker thread (to an exporter
    that drops them), metrics aggregated in memory and read only when we ask."""
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(BatchSpanProcessor(DropSpanExporter()))
    reader = InMemoryMetricReader()
    return Pipeline(tracer_provider, MeterProvider(metric_readers=[reader]), reader)


# --- Instrumenting with chosen settings -----------------------------------------------------


@contextlib.contextmanager
def environment(values: Mapping[str, str | None]) -> Iterator[None]:
    """Set (or, with None, unset) environment variables for the block, then restore them."""
    saved = {name: os.environ.get(name) for name in values}
    try:
        for name, value in values.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def instrument(
    instrumentor: Any,
    pipeline: Pipeline | None = None,
    *,
    chunk_timing: bool = True,
    content: bool | None = None,
    **providers: Any,
) -> None:
    """Instrument with the per-chunk metric on or off (the core reads its settings when it
    instruments, so the variables only need to be set around this call). ``content`` None
    leaves message-content capture as the environment says."""
    values: dict[str, str | None] = {
        AGENTOPS_GENAI_STREAM_CHUNK_TIMING: "true" if chunk_timing else "false"
    }
    if content is not None:
        values[OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT] = str(content).lower()
    if pipeline is not None:
        providers.setdefault("tracer_provider", pipeline.tracer_provider)
        providers.setdefault("meter_provider", pipeline.meter_provider)
    with environment(values):
        instrumentor.instrument(**providers)


# --- Timing ---------------------------------------------------------------------------------

# CPU time of the whole process (every thread, so the span processor's worker counts too):
# the machine is shared, and time spent descheduled is not the code's cost. The calls never
# sleep or wait (the emulator runs in-process with sleeping off), so CPU time is their time.
clock: Final = time.process_time_ns


def time_sync(fn: Callable[[], Any], calls: int) -> float:
    """CPU microseconds per call over a batch."""
    start = clock()
    for _ in range(calls):
        fn()
    return (clock() - start) / calls / 1000


async def _time_async_batch(call: Callable[[], Awaitable[Any]], calls: int) -> float:
    start = clock()
    for _ in range(calls):
        await call()
    return (clock() - start) / calls / 1000


def time_async(
    loop: asyncio.AbstractEventLoop, call: Callable[[], Awaitable[Any]], calls: int
) -> float:
    """CPU microseconds per call over a batch of sequential calls, on one event loop."""
    return loop.run_until_complete(_time_async_batch(call, calls))


@dataclass
class Series:
    """Per-round values of one quantity."""

    values: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        self.values.append(value)

    @property
    def median(self) -> float:
        return statistics.median(self.values) if self.values else float("nan")

    def quartiles(self) -> tuple[float, float]:
        if not self.values:
            return float("nan"), float("nan")
        if len(self.values) < 4:
            return min(self.values), max(self.values)
        q = statistics.quantiles(self.values, n=4)
        return q[0], q[2]

    def iqr(self, digits: int = 0) -> str:
        low, high = self.quartiles()
        return f"{low:.{digits}f}..{high:.{digits}f}"


# --- Report helpers -------------------------------------------------------------------------


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        print(f"{name}={raw!r} is not a positive integer; using {default}")
        return default
    return value


def version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL  <<<<<<<<<<"


def load_average() -> float:
    return os.getloadavg()[0]


def banner(failed: int, total: int, elapsed_s: float, what: str = "targets") -> None:
    print()
    if failed:
        print("=" * 72)
        print(f"RESULT: FAIL - {failed} of {total} {what} missed (a report: exit 0)")
        print("=" * 72)
    else:
        print(f"RESULT: PASS - all {total} {what} met")
    print(f"(took {elapsed_s:.1f} s)")
