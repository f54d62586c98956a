"""Memory the instrumentation holds, per bench target: `make bench` (see docs/benchmarks.md).

Everything runs with message content off, through the same in-process transport and pipeline
as run.py, measured with tracemalloc:

  per call     the peak during one call above the level before it, for a plain call and a
               50-chunk stream, uninstrumented and instrumented (median of a few calls)
  per stream   the peak during a 10,000-chunk stream against a 100-chunk one; ours is
               instrumented minus uninstrumented, and must not grow with the chunks (O(1))

The emulator builds each response whole before sending it, in our process: when the
instrumentation changes the request (OpenAI asks for usage), the emulator's response to it
is bigger, and that difference, server-side memory, is taken out of ours.
  per process  memory still held after N calls (a third sync calls, a third async calls, a
               third 5-chunk streams; BENCH_LEAK_CALLS), once the span processor is flushed
               and gc.collect has run, against the level before them; the instrumented run
               must hold no more than the uninstrumented one, within a small slack

It prints PASS/FAIL lines and always exits 0: it is a report.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import sys
import time
import traceback
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from emulator_probe import recorded_requests
from harness import (
    Pipeline,
    banner,
    env_int,
    instrument,
    load_average,
    production_pipeline,
    verdict,
)
from provider_emulator.core import handle
from provider_emulator.wire import EmulatedRequest
from targets import BenchTarget, load_targets

KIB: Final = 1024
PEAK_CALLS: Final = 5
CHUNKS: Final = 50
SHORT_STREAM: Final = 100
LONG_STREAM: Final = 10_000
LEAK_STREAM_CHUNKS: Final = 5
LEAK_CALLS: Final = env_int("BENCH_LEAK_CALLS", 3_000)
LEAK_WARMUP_CALLS: Final = 300

# A stream holding anything per chunk (one float in a list is 40 bytes) would grow by at
# least 390 KiB between 100 and 10,000 chunks; the slack absorbs allocator and gc jitter.
STREAM_SLACK_BYTES: Final = 32 * KIB
# One object kept per call (56 bytes at the least) over 3,000 calls is 164 KiB.
LEAK_SLACK_BYTES: Final = 64 * KIB


def peak_during(fn: Callable[[], Any]) -> int:
    """tracemalloc peak (bytes) during `fn`, above the traced level before it."""
    gc.collect()
    tracemalloc.reset_peak()
    start, _ = tracemalloc.get_traced_memory()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    return peak - start


def median_peak(fn: Callable[[], Any], calls: int = PEAK_CALLS, warm: bool = True) -> float:
    if warm:
        fn()  # the first call may fill caches
    return statistics.median(peak_during(fn) for _ in range(calls))


@dataclass
class Peak:
    """Peaks (bytes) of one call, uninstrumented and instrumented."""

    base: float
    instrumented: float
    server_extra: float = 0.0
    """How much bigger the emulator's response to the instrumented request is (OpenAI: the
    instrumentation asks for usage, so every chunk carries a usage field). The emulator builds
    a whole response before sending it, in our process only because the transport is: it is
    server-side memory, not ours."""

    @property
    def ours(self) -> float:
        return self.instrumented - self.base - self.server_extra


def response_bytes(request: EmulatedRequest | None) -> int:
    """Memory the emulator's response to `request` holds."""
    if request is None:
        return 0
    handle(request)  # the first answer may fill the emulator's caches
    sizes = []
    for _ in range(3):
        gc.collect()
        before, _ = tracemalloc.get_traced_memory()
        response = handle(request)
        after, _ = tracemalloc.get_traced_memory()
        del response
        sizes.append(after - before)
    return min(sizes)


@dataclass
class MemoryResult:
    name: str
    error: str | None = None
    per_call: dict[str, Peak] = field(default_factory=dict)
    streams: dict[int, Peak] = field(default_factory=dict)
    # (uninstrumented growth, instrumented growth), bytes
    held: tuple[int, int] = (0, 0)
    top_growth: list[str] = field(default_factory=list)

    @property
    def stream_growth(self) -> float:
        return self.streams[LONG_STREAM].ours - self.streams[SHORT_STREAM].ours

    @property
    def stream_ok(self) -> bool:
        return self.stream_growth <= STREAM_SLACK_BYTES

    @property
    def held_extra(self) -> int:
        return self.held[1] - self.held[0]

    @property
    def held_ok(self) -> bool:
        return self.held_extra <= LEAK_SLACK_BYTES


class MemoryBench:
    def __init__(self, target: BenchTarget) -> None:
        self.target = target
        self.pipeline: Pipeline = production_pipeline()
        self.instrumentor = target.instrumentor()
        self.client = target.sync_client()
        self.aclient = target.async_client()
        self.loop = asyncio.new_event_loop()
        self.result = MemoryResult(target.name)

    def instrumented(self, fn: Callable[[], Any]) -> Any:
        instrument(self.instrumentor, self.pipeline, content=False)
        try:
            return fn()
        finally:
            self.instrumentor.uninstrument()

    @staticmethod
    def _peak(fn: Callable[[], Any], calls: int, warm: bool) -> tuple[float, Any]:
        with recorded_requests() as seen:
            peak = median_peak(fn, calls, warm)
        return peak, seen[-1] if seen else None

    def compare(self, fn: Callable[[], Any], calls: int = PEAK_CALLS, warm: bool = True) -> Peak:
        base, base_request = self._peak(fn, calls, warm)
        instrumented, request = self.instrumented(lambda: self._peak(fn, calls, warm))
        extra = response_bytes(request) - response_bytes(base_request)
        return Peak(base, instrumented, extra)

    def measure_peaks(self) -> None:
        t = self.target
        self.result.per_call["A"] = self.compare(lambda: t.call(self.client))
        self.result.per_call["B"] = self.compare(lambda: t.stream(self.client, CHUNKS))
        self.result.streams[SHORT_STREAM] = self.compare(
            lambda: t.stream(self.client, SHORT_STREAM)
        )
        # Once per phase (it is slow); the short streams warmed everything.
        self.result.streams[LONG_STREAM] = self.compare(
            lambda: t.stream(self.client, LONG_STREAM), calls=1, warm=False
        )

    def _churn(self, calls: int) -> None:
        t, share = self.target, max(1, calls // 3)
        for _ in range(share):
            t.call(self.client)
        for _ in range(share):
            t.stream(self.client, LEAK_STREAM_CHUNKS)

        async def sequential() -> None:
            for _ in range(share):
                await t.acall(self.aclient)

        self.loop.run_until_complete(sequential())

    def _settled(self) -> int:
        self.pipeline.flush()
        gc.collect()
        return tracemalloc.get_traced_memory()[0]

    def _held(self, keep_snapshot: bool) -> int:
        self._churn(LEAK_WARMUP_CALLS)
        before = self._settled()
        snapshot = tracemalloc.take_snapshot() if keep_snapshot else None
        self._churn(LEAK_CALLS)
        after = self._settled()
        if snapshot is not None and after - before > LEAK_SLACK_BYTES:
            stats = tracemalloc.take_snapshot().compare_to(snapshot, "lineno")
            self.result.top_growth = [str(stat) for stat in stats[:8] if stat.size_diff > 0]
        return after - before

    def measure_held(self) -> None:
        base = self._held(keep_snapshot=False)
        instrumented = self.instrumented(lambda: self._held(keep_snapshot=True))
        self.result.held = (base, instrumented)

    def run(self) -> MemoryResult:
        tracemalloc.start()
        try:
            self.measure_peaks()
            self.measure_held()
        finally:
            tracemalloc.stop()
        return self.result

    def close(self) -> None:
        if getattr(self.instrumentor, "is_instrumented_by_opentelemetry", False):
            self.instrumentor.uninstrument()
        try:
            self.target.close(self.client)
            self.loop.run_until_complete(self.target.aclose(self.aclient))
        finally:
            self.loop.close()
            self.pipeline.shutdown()


def _kib(value: float) -> str:
    return f"{value / KIB:.1f}"


def _peak_line(label: str, peak: Peak) -> str:
    line = (
        f"  peak during {label}: uninstrumented {_kib(peak.base)} KiB, instrumented "
        f"{_kib(peak.instrumented)} KiB"
    )
    if peak.server_extra:
        line += f", the emulator's bigger response {_kib(peak.server_extra)} KiB"
    return line + f"; ours {peak.ours / KIB:+.1f} KiB"


def report_target(result: MemoryResult, elapsed_s: float) -> None:
    print()
    print(f"{result.name} ({elapsed_s:.1f} s)")
    print(_peak_line("one plain call", result.per_call["A"]))
    print(_peak_line(f"one {CHUNKS}-chunk stream", result.per_call["B"]))
    for length, peak in result.streams.items():
        print(_peak_line(f"a {length:,}-chunk stream", peak))
    print(
        f"  ours from {SHORT_STREAM:,} to {LONG_STREAM:,} chunks: "
        f"{result.stream_growth / KIB:+.1f} KiB (slack {STREAM_SLACK_BYTES // KIB} KiB)   "
        f"{verdict(result.stream_ok)}"
    )
    base, instrumented = result.held
    print(
        f"  held after {LEAK_CALLS:,} calls: uninstrumented {base / KIB:+.1f} KiB, instrumented "
        f"{instrumented / KIB:+.1f} KiB, ours {result.held_extra / KIB:+.1f} KiB "
        f"({result.held_extra / LEAK_CALLS:+.2f} bytes per call; slack "
        f"{LEAK_SLACK_BYTES // KIB} KiB)   {verdict(result.held_ok)}"
    )
    for line in result.top_growth:
        print(f"    grew: {line}")


def main() -> int:
    started = time.perf_counter()
    loaded = load_targets()
    print(
        f"Memory (tracemalloc, message content off); load average {load_average():.2f}; "
        f"targets: {', '.join(item.name for item in loaded) or 'none'}"
    )
    results: list[MemoryResult] = []
    for item in loaded:
        if item.target is None:
            print(f"\n{item.name}: could not load the target: {item.error}")
            results.append(MemoryResult(item.name, error=f"loading: {item.error}"))
            continue
        target_started = time.perf_counter()
        bench: MemoryBench | None = None
        try:
            bench = MemoryBench(item.target)
            result = bench.run()
            report_target(result, time.perf_counter() - target_started)
            results.append(result)
        except Exception as error:
            print(f"\n{item.name}: the memory bench failed")
            traceback.print_exc(file=sys.stdout)
            results.append(MemoryResult(item.name, error=f"{type(error).__name__}: {error}"))
        finally:
            if bench is not None:
                bench.close()

    print()
    print("Memory per provider (ours = instrumented - uninstrumented - the emulator's extra)")
    header = (
        f"{'provider':<14}{'call':>8}{'stream':>8}{f'{SHORT_STREAM:,} ch':>10}"
        f"{f'{LONG_STREAM:,} ch':>11}{'O(1)':>7}{'held':>10}{'no state':>10}"
    )
    print(header)
    print("-" * len(header))
    failed = 0
    for r in results:
        if r.error is not None:
            failed += 2
            print(f"{r.name:<14}ERROR {r.error}")
            continue
        failed += (not r.stream_ok) + (not r.held_ok)
        print(
            f"{r.name:<14}{r.per_call['A'].ours / KIB:>+8.1f}{r.per_call['B'].ours / KIB:>+8.1f}"
            f"{r.streams[SHORT_STREAM].ours / KIB:>+10.1f}"
            f"{r.streams[LONG_STREAM].ours / KIB:>+11.1f}"
            f"{'PASS' if r.stream_ok else 'FAIL':>7}{r.held_extra / KIB:>+10.1f}"
            f"{'PASS' if r.held_ok else 'FAIL':>10}"
        )
    print(
        f"  KiB; call, stream: peak during one plain call, one {CHUNKS}-chunk stream; "
        f"{SHORT_STREAM:,} ch, {LONG_STREAM:,} ch: peak during such streams;"
    )
    print(f"  held: memory still held after {LEAK_CALLS:,} calls (BENCH_LEAK_CALLS)")
    banner(failed, sum(2 for _ in results), time.perf_counter() - started, "memory checks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
