"""Memory the instrumentation holds, per bench target: `make bench` (see docs/benchmarks.md).

Everything runs with message content off, through the same in-process transport and pipeline
as run.py, measured with tracemalloc:

  per call     the peak during one call above the level before it, for a plain call and a
               50-chunk stream, uninstrumented and instrumented (median of a few calls)
  per stream   the peak during a 10,000-chunk stream against a 100-chunk one; ours is
               instrumented minus uninstrumented, and must not grow with the chunks (O(1))
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

from harness import (
    Pipeline,
    banner,
    env_int,
    instrument,
    load_average,
    production_pipeline,
    verdict,
)
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
class MemoryResult:
    name: str
    error: str | None = None
    per_call: dict[str, tuple[float, float]] = field(default_factory=dict)
    # length -> (uninstrumented peak, instrumented peak), bytes
    streams: dict[int, tuple[float, float]] = field(default_factory=dict)
    # (uninstrumented growth, instrumented growth), bytes
    held: tuple[int, int] = (0, 0)
    baseline: str = "as written"
    top_growth: list[str] = field(default_factory=list)

    def ours(self, length: int) -> float:
        base, instrumented = self.streams[length]
        return instrumented - base

    @property
    def stream_growth(self) -> float:
        return self.ours(LONG_STREAM) - self.ours(SHORT_STREAM)

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
        self.instrumenting = False

    def instrumented(self, fn: Callable[[], Any]) -> Any:
        instrument(self.instrumentor, self.pipeline, content=False)
        self.instrumenting = True
        try:
            return fn()
        finally:
            self.instrumenting = False
            self.instrumentor.uninstrument()

    def both(self, fn: Callable[[], float]) -> tuple[float, float]:
        return fn(), self.instrumented(fn)

    def measure_peaks(self) -> None:
        t = self.target
        # The emulator builds a whole stream before sending it, in our process: when the
        # instrumentation changes the request (OpenAI asks for usage, so every chunk carries a
        # usage field), the uninstrumented baseline is that changed request, or the server's
        # bigger response would count as ours.
        as_sent = t.stream_as_sent(self.client, 1) is not None
        self.result.baseline = "as the instrumentation sends it" if as_sent else "as written"

        def stream(chunks: int) -> Callable[[], Any]:
            def run() -> None:
                if as_sent and not self.instrumenting:
                    t.stream_as_sent(self.client, chunks)
                else:
                    t.stream(self.client, chunks)

            return run

        self.result.per_call["A"] = self.both(lambda: median_peak(lambda: t.call(self.client)))
        self.result.per_call["B"] = self.both(lambda: median_peak(stream(CHUNKS)))
        # The long stream runs once per phase (it is slow); the short ones warmed everything.
        for length, calls in ((SHORT_STREAM, PEAK_CALLS), (LONG_STREAM, 1)):
            self.result.streams[length] = self.both(
                lambda length=length, calls=calls: median_peak(
                    stream(length), calls, warm=calls > 1
                )
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


def report_target(result: MemoryResult, elapsed_s: float) -> None:
    print()
    print(f"{result.name} ({elapsed_s:.1f} s; uninstrumented streams {result.baseline})")
    for key, (base, instrumented) in result.per_call.items():
        label = "plain call" if key == "A" else f"{CHUNKS}-chunk stream"
        print(
            f"  peak during one {label}: uninstrumented {_kib(base)} KiB, instrumented "
            f"{_kib(instrumented)} KiB, ours {(instrumented - base) / KIB:+.1f} KiB"
        )
    for length, (base, instrumented) in result.streams.items():
        print(
            f"  peak during a {length:,}-chunk stream: uninstrumented {_kib(base)} KiB, "
            f"instrumented {_kib(instrumented)} KiB, ours {(instrumented - base) / KIB:+.1f} KiB"
        )
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
    print("Memory per provider (ours = instrumented - uninstrumented)")
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
        call = r.per_call["A"][1] - r.per_call["A"][0]
        stream = r.per_call["B"][1] - r.per_call["B"][0]
        print(
            f"{r.name:<14}{call / KIB:>+8.1f}{stream / KIB:>+8.1f}"
            f"{r.ours(SHORT_STREAM) / KIB:>+10.1f}{r.ours(LONG_STREAM) / KIB:>+11.1f}"
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
