"""Overhead benchmark of every provider instrumentation: `make bench` (see docs/benchmarks.md).

For each bench target (tests/bench/targets; `BENCH_TARGETS=openai,anthropic` picks some,
`BENCH_EXTRA_TARGETS=path/to/x.py` adds files): one in-process fake transport (the provider
emulator behind a MockTransport, no sleeping), real OpenTelemetry SDK providers
(BatchSpanProcessor to an exporter that drops everything; InMemoryMetricReader). Each round
runs four phases in a rotating order: uninstrumented, instrumented, instrumented without the
per-chunk metric (streams only) and floor. Times are CPU time of the process; figures are
medians over rounds of differences paired within a round.

The floor is what any instrumentation emitting our telemetry must pay: a span with the name
and attributes of one of ours and the same metric points (read back from a real instrumented
call of that target), emitted with the SDK alone through the same providers. It is measured
in situ, around a real uninstrumented call at the points where we emit, and in a tight loop
for reference.

Scenarios, per target:
  A    a plain chat call (sync client)
  B    a streamed chat call of 50 content chunks, fully consumed, as the caller wrote it
  C    A on the async client, sequential awaits on one event loop
  B10  B with 10 chunks, to separate per-chunk from per-call costs

The run prints a section per target, then one table with a row per provider, PASS/FAIL
against the targets, and always exits 0: it is a report.
"""

from __future__ import annotations

import asyncio
import gc
import os
import platform
import statistics
import sys
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Final

from agentops_semconv.providers import by_seed
from emulator_probe import ChunkProbe, GapRecorder, emulator_cost_us, recorded_requests
from harness import (
    Series,
    banner,
    env_int,
    instrument,
    load_average,
    production_pipeline,
    time_async,
    time_sync,
    verdict,
    version,
)
from opentelemetry.instrumentation.agentops.core.settings import Settings
from provider_emulator.wire import EmulatedRequest
from targets import BenchTarget, load_targets
from telemetry_floor import TIME_PER_OUTPUT_CHUNK, Floor, Telemetry, capture_telemetry

# --- Workload and schedule (about 20 s per target on a quiet 2-core machine) ----------------

CHUNKS: Final = 50
# A shorter stream of the same request: the difference between the two streams' overheads is
# the cost per extra chunk, free of everything paid once per call.
SHORT_CHUNKS: Final = 10

ROUNDS: Final = env_int("BENCH_ROUNDS", 20)
CALLS_A: Final = 40
CALLS_B: Final = 10
CALLS_B_SHORT: Final = 20
CALLS_C: Final = 40
GAP_STREAMS: Final = 3
FLOOR_CALLS: Final = 200
WARMUP_CALLS: Final = 30

# --- Targets --------------------------------------------------------------------------------

TARGET_RATIO: Final = 1.5  # A and C: overhead <= 1.5 x floor
TARGET_PER_CHUNK_US: Final = 2.0  # B: (overhead - floor) / 50 <= 2 us
TARGET_READ_PATH_US: Final = 2.0  # B: our work per chunk on the caller's read path <= 2 us

BASE, INSTRUMENTED, NO_CHUNK_METRIC, FLOOR = "base", "instrumented", "no chunk metric", "floor"
PHASES: Final = (BASE, INSTRUMENTED, NO_CHUNK_METRIC, FLOOR)


@dataclass
class Scenario:
    key: str
    title: str
    base: Series = field(default_factory=Series)
    instrumented: Series = field(default_factory=Series)
    overhead: Series = field(default_factory=Series)
    floor: Series = field(default_factory=Series)  # in situ: floor call - base call
    isolated_floor: Series = field(default_factory=Series)
    telemetry: Telemetry | None = None

    def ratio(self) -> float:
        """Overhead over the in-situ floor; NaN when noise left no positive floor."""
        floor = self.floor.median
        return self.overhead.median / floor if floor > 0 else float("nan")


@dataclass
class Summary:
    """One provider's row of the final table."""

    name: str
    error: str | None = None
    a_overhead: float = float("nan")
    a_ratio: float = float("nan")
    c_overhead: float = float("nan")
    c_ratio: float = float("nan")
    b_overhead: float = float("nan")
    b_per_chunk: float = float("nan")
    chunk_metric_per_chunk: float = float("nan")
    read_path_per_chunk: float = float("nan")
    verdicts: list[tuple[str, str, bool]] = field(default_factory=list)


class TargetBench:
    """Everything measured for one target."""

    def __init__(self, target: BenchTarget, probe: ChunkProbe) -> None:
        self.target = target
        self.probe = probe
        self.pipeline = production_pipeline()
        self.instrumentor = target.instrumentor()
        self.client = target.sync_client()
        self.aclient = target.async_client()
        self.loop = asyncio.new_event_loop()
        self.a = Scenario("A", "sync call")
        self.b = Scenario("B", f"sync stream, {CHUNKS} chunks")
        self.c = Scenario("C", "async call")
        self.b_short = Scenario("B10", f"sync stream, {SHORT_CHUNKS} chunks")
        self.scenarios = (self.a, self.b, self.c, self.b_short)
        self.floors: dict[str, Floor] = {}
        self.chunks_seen: dict[str, int] = {}
        self.requests: dict[str, EmulatedRequest] = {}
        self.notes: list[str] = []
        self.sends_changed_stream = False
        # B uninstrumented as the instrumentation sends it, minus B as the caller wrote it.
        self.as_sent_extra = Series()
        # B instrumented minus B instrumented with the per-chunk metric switched off.
        self.chunk_metric = Series()
        # Median chunk-to-chunk gap inside B streams, per phase.
        self.gaps = {phase: Series() for phase in PHASES}

    # -- instrumenting ------------------------------------------------------------------

    def instrument(self, chunk_timing: bool = True) -> None:
        instrument(self.instrumentor, self.pipeline, chunk_timing=chunk_timing)

    def uninstrument(self) -> None:
        self.instrumentor.uninstrument()

    # -- calibration: what the instrumentation emits and sends ---------------------------

    def _recorded(self, key: str, fn: Callable[[], Any]) -> Any:
        with recorded_requests() as seen:
            result = fn()
        if seen:
            self.requests[key] = seen[-1]
        return result

    def calibrate(self) -> None:
        t = self.target
        self._recorded("A", lambda: t.call(self.client))
        self.chunks_seen["plain"] = self._recorded("B", lambda: t.stream(self.client, CHUNKS))
        as_sent = self._recorded("B as sent", lambda: t.stream_as_sent(self.client, CHUNKS))
        if as_sent is not None:
            self.sends_changed_stream = True
            self.chunks_seen["as sent"] = as_sent
        else:
            self.requests.pop("B as sent", None)
        self.instrument()
        try:
            self.chunks_seen["instrumented"] = t.stream(self.client, CHUNKS)
        finally:
            self.uninstrument()
        if self.chunks_seen["instrumented"] != self.chunks_seen["plain"]:
            self.notes.append(
                f"the caller sees {self.chunks_seen['instrumented']} chunks instrumented but "
                f"{self.chunks_seen['plain']} uninstrumented: the instrumentation changes the "
                "stream the caller reads"
            )

        runs: dict[str, Callable[[], Any]] = {
            "A": lambda: t.call(self.client),
            "B": lambda: t.stream(self.client, CHUNKS),
            "C": lambda: self.loop.run_until_complete(t.acall(self.aclient)),
            "B10": lambda: t.stream(self.client, SHORT_CHUNKS),
        }
        for scenario in self.scenarios:
            scenario.telemetry = capture_telemetry(self.instrumentor, runs[scenario.key])
            self.floors[scenario.key] = Floor(self.pipeline, scenario.telemetry)
        points = self.floors["B"].chunk_points
        if points != self.chunks_seen["plain"]:
            self.notes.append(
                f"{points} per-chunk points for {self.chunks_seen['plain']} chunks the caller "
                "sees: the in-situ floor records one per chunk read and the rest at the end"
            )

    # -- one batch of one scenario --------------------------------------------------------

    def _floor_stream(self, floor: Floor, chunks: int) -> None:
        state = floor.open()
        self.probe.hook = lambda: floor.chunk(state)
        try:
            self.target.stream(self.client, chunks)
        finally:
            self.probe.hook = None
        floor.close(state)

    def _run(self, phase: str, key: str, calls: int) -> float:
        t, floor = self.target, self.floors[key]
        if key == "C":
            if phase == FLOOR:

                async def floor_call() -> None:
                    state = floor.open()
                    await t.acall(self.aclient)
                    floor.close(state)

                call: Callable[[], Awaitable[Any]] = floor_call
            else:
                call = lambda: t.acall(self.aclient)  # noqa: E731
            return time_async(self.loop, call, calls)
        if key == "A":
            if phase == FLOOR:

                def fn() -> None:
                    state = floor.open()
                    t.call(self.client)
                    floor.close(state)

            else:
                fn = lambda: t.call(self.client)  # noqa: E731
            return time_sync(fn, calls)
        chunks = CHUNKS if key == "B" else SHORT_CHUNKS
        if phase == FLOOR:
            return time_sync(lambda: self._floor_stream(floor, chunks), calls)
        return time_sync(lambda: t.stream(self.client, chunks), calls)

    def gap_us(self, floor: Floor | None) -> float:
        """Median wall-clock gap between consecutive chunk reads of B streams, microseconds.

        The gap holds everything done per chunk (SDK parsing, our proxy, the metric record)
        and nothing done once per call; the median shrugs off the odd gap where the process
        was descheduled. With `floor`, the floor's per-chunk record is made at each read.
        """
        recorder = GapRecorder()
        for _ in range(GAP_STREAMS):
            recorder.start_stream()
            state = floor.open() if floor is not None else None
            if floor is not None and state is not None:

                def hook(floor: Floor = floor, state: Any = state) -> None:
                    floor.chunk(state)
                    recorder()

                self.probe.hook = hook
            else:
                self.probe.hook = recorder
            try:
                self.target.stream(self.client, CHUNKS)
            finally:
                self.probe.hook = None
            if floor is not None and state is not None:
                floor.close(state)
        if not recorder.gaps_ns:
            return float("nan")
        return statistics.median(recorder.gaps_ns) / 1000

    def _phase(self, phase: str, calls: dict[str, int]) -> dict[str, float]:
        instrumented = phase in (INSTRUMENTED, NO_CHUNK_METRIC)
        if instrumented:
            self.instrument(chunk_timing=phase == INSTRUMENTED)
        try:
            keys = {"B": calls["B"]} if phase == NO_CHUNK_METRIC else calls
            results = {key: self._run(phase, key, n) for key, n in keys.items()}
            results["gap"] = self.gap_us(self.floors["B"] if phase == FLOOR else None)
            return results
        finally:
            if instrumented:
                self.uninstrument()

    # -- schedule -----------------------------------------------------------------------

    def warm_up(self) -> None:
        calls = {"A": WARMUP_CALLS, "B": WARMUP_CALLS // 5, "C": WARMUP_CALLS, "B10": 10}
        for phase in PHASES + PHASES:
            self._phase(phase, calls)
        if self.sends_changed_stream:
            for _ in range(WARMUP_CALLS // 5):
                self.target.stream_as_sent(self.client, CHUNKS)
        for floor in self.floors.values():
            for _ in range(WARMUP_CALLS):
                floor.emit()
        # Everything alive now (SDKs, pydantic models, the emulator) is long-lived: freezing
        # it keeps full collections, whose cost depends on the heap and not on our code,
        # from landing at random in the batches. New garbage is still collected normally.
        gc.collect()
        gc.freeze()

    def round(self, index: int) -> None:
        # Rotate the phase order so no phase always runs first or last.
        shift = index % len(PHASES)
        order = PHASES[shift:] + PHASES[:shift]
        calls = {"A": CALLS_A, "B": CALLS_B, "C": CALLS_C, "B10": CALLS_B_SHORT}
        gc.collect()
        results = {phase: self._phase(phase, calls) for phase in order}
        if self.sends_changed_stream:
            t = self.target

            def plain() -> float:
                return time_sync(lambda: t.stream(self.client, CHUNKS), CALLS_B)

            def sent() -> float:
                return time_sync(lambda: t.stream_as_sent(self.client, CHUNKS), CALLS_B)

            if index % 2:
                b_plain, b_sent = plain(), sent()
            else:
                b_sent, b_plain = sent(), plain()
            self.as_sent_extra.add(b_sent - b_plain)
        base = results[BASE]
        for scenario in self.scenarios:
            key = scenario.key
            scenario.base.add(base[key])
            scenario.instrumented.add(results[INSTRUMENTED][key])
            scenario.overhead.add(results[INSTRUMENTED][key] - base[key])
            scenario.floor.add(results[FLOOR][key] - base[key])
            repeats = FLOOR_CALLS // 5 if key.startswith("B") else FLOOR_CALLS
            scenario.isolated_floor.add(time_sync(self.floors[key].emit, repeats))
        self.chunk_metric.add(results[INSTRUMENTED]["B"] - results[NO_CHUNK_METRIC]["B"])
        for phase in PHASES:
            self.gaps[phase].add(results[phase]["gap"])

    def run(self) -> None:
        self.calibrate()
        self.warm_up()
        for index in range(ROUNDS):
            self.round(index)

    def close(self) -> None:
        if getattr(self.instrumentor, "is_instrumented_by_opentelemetry", False):
            self.uninstrument()
        try:
            self.target.close(self.client)
            self.loop.run_until_complete(self.target.aclose(self.aclient))
        finally:
            self.loop.close()
            self.pipeline.shutdown()
            gc.unfreeze()

    # -- derived figures ------------------------------------------------------------------

    def per_chunk_above_floor(self) -> float:
        return (self.b.overhead.median - self.b.floor.median) / CHUNKS

    def chunk_metric_points(self) -> int:
        telemetry = self.b.telemetry
        return telemetry.count(TIME_PER_OUTPUT_CHUNK) if telemetry is not None else 0

    def gap_increase(self, phase: str, over: str = BASE) -> Series:
        return Series(
            [
                high - low
                for high, low in zip(self.gaps[phase].values, self.gaps[over].values, strict=True)
            ]
        )

    def summary(self) -> Summary:
        per_chunk = self.per_chunk_above_floor()
        points = self.chunk_metric_points()
        read_path = self.gap_increase(INSTRUMENTED).median
        return Summary(
            name=self.target.name,
            a_overhead=self.a.overhead.median,
            a_ratio=self.a.ratio(),
            c_overhead=self.c.overhead.median,
            c_ratio=self.c.ratio(),
            b_overhead=self.b.overhead.median,
            b_per_chunk=per_chunk,
            chunk_metric_per_chunk=(self.chunk_metric.median / points if points else float("nan")),
            read_path_per_chunk=read_path,
            verdicts=[
                (
                    f"A overhead <= {TARGET_RATIO} x floor",
                    _cell(self.a.ratio(), 2, "x"),
                    self.a.ratio() <= TARGET_RATIO,
                ),
                (
                    f"B (overhead - floor) / {CHUNKS} <= {TARGET_PER_CHUNK_US:g} us",
                    f"{per_chunk:.2f} us",
                    per_chunk <= TARGET_PER_CHUNK_US,
                ),
                (
                    f"C overhead <= {TARGET_RATIO} x floor",
                    _cell(self.c.ratio(), 2, "x"),
                    self.c.ratio() <= TARGET_RATIO,
                ),
                (
                    f"read path (B) <= {TARGET_READ_PATH_US:g} us per chunk",
                    f"{read_path:.2f} us",
                    read_path <= TARGET_READ_PATH_US,
                ),
            ],
        )


# --- Report ---------------------------------------------------------------------------------


def report_environment(names: list[str]) -> None:
    settings = Settings.from_env()
    print("Environment")
    print(
        f"  python {platform.python_version()} ({sys.implementation.name}), "
        f"{os.cpu_count()} CPUs, {platform.machine()} {platform.system()}; "
        f"load average (1 min) {load_average():.2f}"
    )
    packages = ("opentelemetry-sdk", "opentelemetry-util-genai", "wrapt", "pydantic")
    print("  " + ", ".join(f"{package} {version(package)}" for package in packages))
    print("  times are CPU time of the process, all threads; the machine may be shared")
    print("  tracing: TracerProvider + BatchSpanProcessor -> exporter that drops every batch")
    print("  metrics: MeterProvider + InMemoryMetricReader (collected only outside timing)")
    print(
        f"  settings: content {settings.content_mode.name}, stream usage "
        f"{'on' if settings.stream_usage else 'off'}; the per-chunk metric on, and off in "
        "its own phase"
    )
    print(
        f"  schedule: {ROUNDS} rounds (BENCH_ROUNDS); per round and phase A {CALLS_A}, "
        f"B {CALLS_B}, C {CALLS_C}, B10 {CALLS_B_SHORT} calls; medians over rounds"
    )
    print(f"  targets: {', '.join(names) if names else 'none'}")


def report_target(bench: TargetBench, load: tuple[float, float], elapsed_s: float) -> None:
    t = bench.target
    row = next(iter(by_seed(t.name)), None)
    package = row.package if row is not None and row.package else None
    sdk = t.sdk
    versions = f"{sdk} {version(sdk)}" if sdk else "SDK unknown"
    if package:
        versions += f", {package} {version(package)}"
    print()
    print("=" * 100)
    print(f"{t.name}: {versions}; load {load[0]:.2f} -> {load[1]:.2f}; {elapsed_s:.1f} s")
    print("=" * 100)
    print("Telemetry per call (read back from a real instrumented call)")
    for scenario in bench.scenarios:
        assert scenario.telemetry is not None
        print(f"  {scenario.key}: {scenario.telemetry.describe()}")
    seen = bench.chunks_seen
    line = (
        f"  B: the caller sees {seen['plain']} chunks uninstrumented, "
        f"{seen['instrumented']} instrumented"
    )
    if "as sent" in seen:
        line += f"; {seen['as sent']} arrive as the instrumentation sends the request"
    print(line)
    for note in bench.notes:
        print(f"  note: {note}")

    print()
    print(
        "CPU microseconds per call: medians over rounds; overhead = instrumented - "
        "uninstrumented, floor = floor call - uninstrumented, paired within each round"
    )
    header = (
        f"{'scenario':<30}{'uninstr':>9}{'instr':>9}{'overhead':>10}{'(IQR)':>13}"
        f"{'floor':>8}{'ovh/floor':>11}{'iso.floor':>11}"
    )
    print(header)
    print("-" * len(header))
    for s in bench.scenarios:
        print(
            f"{s.key + '  ' + s.title:<30}{s.base.median:>9.1f}{s.instrumented.median:>9.1f}"
            f"{s.overhead.median:>10.1f}{s.overhead.iqr():>13}{s.floor.median:>8.1f}"
            f"{_cell(s.ratio(), 2, 'x'):>11}{s.isolated_floor.median:>11.1f}"
        )
    emulator = {key: emulator_cost_us(request) for key, request in bench.requests.items()}
    if "A" in emulator and "B" in emulator:
        print(
            f"  the emulator's own work (server-side, in this process only because the "
            f"transport is) is in the uninstrumented times: A {emulator['A']:.0f}, "
            f"B {emulator['B']:.0f} us"
        )

    b = bench.b
    per_chunk = bench.per_chunk_above_floor()
    print()
    print(
        f"B per chunk: (overhead - floor) / {CHUNKS} = ({b.overhead.median:.1f} - "
        f"{b.floor.median:.1f}) / {CHUNKS} = {per_chunk:.2f} us; against the isolated "
        f"floor {(b.overhead.median - b.isolated_floor.median) / CHUNKS:.2f} us"
    )
    if bench.sends_changed_stream:
        extra = bench.as_sent_extra.median
        logic = (b.overhead.median - extra - b.floor.median) / CHUNKS
        line = (
            f"  the request as the instrumentation sends it costs {extra:.1f} us more per "
            f"stream uninstrumented (IQR {bench.as_sent_extra.iqr(1)})"
        )
        if "B as sent" in emulator and "B" in emulator:
            line += f", {emulator['B as sent'] - emulator['B']:.1f} us of it the emulator's"
        print(line)
        print(f"  without it: (overhead - that - floor) / {CHUNKS} = {logic:.2f} us per chunk")
    extra_chunks = CHUNKS - SHORT_CHUNKS
    excess = Series(
        [
            ((lo - so) - (lf - sf)) / extra_chunks
            for lo, so, lf, sf in zip(
                b.overhead.values,
                bench.b_short.overhead.values,
                b.floor.values,
                bench.b_short.floor.values,
                strict=True,
            )
        ]
    )
    print(
        f"  slope between the {CHUNKS}- and {SHORT_CHUNKS}-chunk streams, ours above the "
        f"floor: {excess.median:.2f} us per chunk (IQR {excess.iqr(2)}; nothing paid once "
        "per call, noisy)"
    )
    above_floor = bench.gap_increase(INSTRUMENTED, FLOOR)
    print(
        f"  read path, median chunk-to-chunk gap: {bench.gaps[BASE].median:.1f} us "
        f"uninstrumented, {bench.gap_increase(INSTRUMENTED).median:+.2f} instrumented, "
        f"{bench.gap_increase(FLOOR).median:+.2f} floor; ours above the floor "
        f"{above_floor.median:.2f} us per chunk (IQR {above_floor.iqr(2)})"
    )
    points = bench.chunk_metric_points()
    metric_gap = bench.gap_increase(INSTRUMENTED, NO_CHUNK_METRIC)
    per_point = f"{bench.chunk_metric.median / points:.2f}" if points else "n/a"
    print(
        f"Per-chunk metric ({points} time_per_output_chunk points per stream): "
        f"{bench.chunk_metric.median:.1f} us per stream (IQR {bench.chunk_metric.iqr()}), "
        f"{per_point} us per point; {metric_gap.median:+.2f} us on the read-path gap "
        f"(AGENTOPS_GENAI_STREAM_CHUNK_TIMING=false saves it)"
    )

    print("Targets (against the in-situ floor)")
    for label, value, ok in bench.summary().verdicts:
        print(f"  {label:<36}{value:>10}   {verdict(ok)}")


def _cell(value: float, digits: int = 1, suffix: str = "") -> str:
    return "n/a" if value != value else f"{value:.{digits}f}{suffix}"


def report_summary(summaries: list[Summary]) -> int:
    """The table of all providers; returns how many targets were missed (errors count)."""
    print()
    print("=" * 100)
    print(
        "What a user pays, per provider: CPU microseconds, medians over rounds, against the "
        "uninstrumented SDK"
    )
    header = (
        f"{'provider':<14}{'A call':>8}{'/floor':>8}{'C call':>8}{'/floor':>8}"
        f"{'B stream':>10}{'B/chunk':>9}{'metric':>8}{'read':>7}   targets"
    )
    print(header)
    print("-" * 100)
    failed = 0
    for s in summaries:
        if s.error is not None:
            failed += 1
            print(f"{s.name:<14}ERROR {s.error}")
            continue
        missed = [label.split(" ", 1)[0] for label, _, ok in s.verdicts if not ok]
        failed += len(missed)
        print(
            f"{s.name:<14}{_cell(s.a_overhead):>8}{_cell(s.a_ratio, 2, 'x'):>8}"
            f"{_cell(s.c_overhead):>8}{_cell(s.c_ratio, 2, 'x'):>8}"
            f"{_cell(s.b_overhead, 0):>10}{_cell(s.b_per_chunk, 2):>9}"
            f"{_cell(s.chunk_metric_per_chunk, 2):>8}{_cell(s.read_path_per_chunk, 2):>7}   "
            + ("PASS" if not missed else f"FAIL {', '.join(missed)}")
        )
    print("-" * 100)
    print(
        "  A call, C call: overhead per plain call (sync, async); /floor: that over the "
        f"in-situ floor (target <= {TARGET_RATIO}x)"
    )
    print(
        f"  B stream: overhead per {CHUNKS}-chunk stream; B/chunk: (B overhead - floor) / "
        f"{CHUNKS} (target <= {TARGET_PER_CHUNK_US:g} us)"
    )
    print(
        "  metric: the time_per_output_chunk metric per point (on minus off); read: our work "
        "per chunk on the caller's read path (median chunk-to-chunk gap increase; "
        f"target <= {TARGET_READ_PATH_US:g} us)"
    )
    return failed


def main() -> int:
    started = time.perf_counter()
    loaded = load_targets()
    report_environment([item.name for item in loaded])
    probe = ChunkProbe()
    probe.install()
    summaries: list[Summary] = []
    try:
        for item in loaded:
            if item.target is None:
                print(f"\n{item.name}: could not load the target: {item.error}")
                summaries.append(Summary(item.name, error=f"loading: {item.error}"))
                continue
            target_started, load_before = time.perf_counter(), load_average()
            bench: TargetBench | None = None
            try:
                bench = TargetBench(item.target, probe)
                bench.run()
                report_target(
                    bench,
                    (load_before, load_average()),
                    time.perf_counter() - target_started,
                )
                summaries.append(bench.summary())
            except Exception as error:
                print(f"\n{item.name}: the bench failed")
                traceback.print_exc(file=sys.stdout)
                summaries.append(Summary(item.name, error=f"{type(error).__name__}: {error}"))
            finally:
                if bench is not None:
                    bench.close()
    finally:
        probe.uninstall()
    failed = report_summary(summaries)
    total = sum(len(s.verdicts) if s.error is None else 1 for s in summaries)
    banner(failed, total, time.perf_counter() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
