"""Our OpenAI instrumentation beside the official one (opentelemetry-instrumentation-openai-v2),
on the same workload: optional, not part of `make bench` (docs/benchmarks.md).

The official package needs an opentelemetry-util-genai release this project does not support,
so the two cannot share a process. Each measurement runs in its own process: this file run by
the project's interpreter measures ours, run by ``BENCH_PEER_PYTHON`` (an environment with
``opentelemetry-instrumentation-openai-v2`` and ``provider-emulator`` installed) it measures
the official package. Processes alternate, so both see the same load. Without
``BENCH_PEER_PYTHON``, or when the peer cannot import its package, the peer is skipped.

In each process: the production-like pipeline of run.py (BatchSpanProcessor to an exporter
that drops every batch, MeterProvider with an InMemoryMetricReader), the emulator behind an
in-process transport, and rounds of paired phases (uninstrumented, instrumented) in rotating
order. Figures are CPU microseconds of overhead, medians of the paired differences:

  A  a plain sync chat call
  B  a sync stream of 50 content chunks, fully consumed

    uv run --no-sync python tests/bench/peer_openai.py
    BENCH_PEER_PYTHON=/path/to/venv/bin/python BENCH_PEER_PROCESSES=6 uv run ...
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

CHUNKS = 50
ROUNDS = int(os.environ.get("BENCH_PEER_ROUNDS", "12"))
PROCESSES = int(os.environ.get("BENCH_PEER_PROCESSES", "4"))
CALLS = {"A": 40, "B": 10}
MODEL = "gpt-4o-mini"
MESSAGES = [{"role": "user", "content": "Say something short."}]

# Which instrumentation a measuring process uses: name -> (module, environment)
KINDS: dict[str, tuple[str, dict[str, str]]] = {
    "ours": ("opentelemetry.instrumentation.agentops.openai", {}),
    "ours, chunk timing off": (
        "opentelemetry.instrumentation.agentops.openai",
        {"AGENTOPS_GENAI_STREAM_CHUNK_TIMING": "false"},
    ),
    "official openai-v2": ("opentelemetry.instrumentation.openai_v2", {}),
}


def _measure(kind: str) -> dict[str, list[float]]:
    """Runs in the measuring process: per-round overheads of each scenario."""
    import importlib

    import httpx2
    import openai
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
    from provider_emulator.mock_transport import handler

    class Drop(SpanExporter):
        def export(self, spans: Sequence[Any]) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    module, environment = KINDS[kind]
    os.environ.update(environment)
    instrumentor = importlib.import_module(module).OpenAIInstrumentor()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(BatchSpanProcessor(Drop()))
    meter_provider = MeterProvider(metric_readers=[InMemoryMetricReader()])
    client = openai.OpenAI(
        api_key="sk-bench-0000000000000000",
        base_url="http://emulator.local/openai/v1",
        max_retries=0,
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler(httpx2, sleep=False))),
    )

    def call() -> None:
        client.chat.completions.create(model=MODEL, messages=MESSAGES)

    def stream() -> None:
        for _ in client.chat.completions.create(
            model=MODEL,
            messages=MESSAGES,
            stream=True,
            extra_headers={"x-emulator-chunks": str(CHUNKS)},
        ):
            pass

    scenarios: dict[str, Callable[[], None]] = {"A": call, "B": stream}

    def batch(fn: Callable[[], None], calls: int) -> float:
        start = time.process_time_ns()
        for _ in range(calls):
            fn()
        return (time.process_time_ns() - start) / calls / 1000

    def phase(instrumented: bool) -> dict[str, float]:
        if instrumented:
            instrumentor.instrument(tracer_provider=tracer_provider, meter_provider=meter_provider)
        try:
            return {name: batch(fn, CALLS[name]) for name, fn in scenarios.items()}
        finally:
            if instrumented:
                instrumentor.uninstrument()
            tracer_provider.force_flush()

    for instrumented in (False, True, False, True):  # warm-up
        phase(instrumented)
    gc.collect()
    gc.freeze()
    overheads: dict[str, list[float]] = {name: [] for name in scenarios}
    for round_ in range(ROUNDS):
        order = (False, True) if round_ % 2 == 0 else (True, False)
        results = {instrumented: phase(instrumented) for instrumented in order}
        for name in scenarios:
            overheads[name].append(results[True][name] - results[False][name])
    tracer_provider.shutdown()
    meter_provider.shutdown()
    return overheads


def _run(python: str, kind: str) -> dict[str, list[float]] | str:
    done = subprocess.run(
        [python, __file__, "--measure", kind], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        return lines[-1] if lines else f"exit {done.returncode}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def _quartiles(values: list[float]) -> tuple[float, float]:
    if len(values) < 4:
        return min(values), max(values)
    q = statistics.quantiles(values, n=4)
    return q[0], q[2]


def main() -> None:
    peer = os.environ.get("BENCH_PEER_PYTHON", "").strip()
    runs: list[tuple[str, str]] = [
        (sys.executable, "ours"),
        (sys.executable, "ours, chunk timing off"),
    ]
    if peer:
        runs.append((peer, "official openai-v2"))
    else:
        print("official openai-v2: SKIP (set BENCH_PEER_PYTHON to an interpreter that has it)")
    load = os.getloadavg()[0]
    print(f"load average (1 min) {load:.2f}; {PROCESSES} processes x {ROUNDS} rounds each")
    collected: dict[str, dict[str, list[float]]] = {}
    skipped: dict[str, str] = {}
    started = time.monotonic()
    for process in range(PROCESSES):
        for python, kind in runs if process % 2 == 0 else list(reversed(runs)):
            if kind in skipped:
                continue
            result = _run(python, kind)
            if isinstance(result, str):
                skipped[kind] = result
                continue
            for name, values in result.items():
                collected.setdefault(kind, {}).setdefault(name, []).extend(values)
    load, elapsed = os.getloadavg()[0], time.monotonic() - started
    print(f"load average (1 min) {load:.2f} at the end; {elapsed:.0f} s")
    print(f"{'instrumentation':<26}{'A call':>10}{'(IQR)':>14}{'B stream':>10}{'(IQR)':>14}")
    for kind, figures in collected.items():
        row = f"{kind:<26}"
        for name in ("A", "B"):
            values = figures[name]
            low, high = _quartiles(values)
            row += f"{statistics.median(values):>10.1f}{f'{low:.0f}..{high:.0f}':>14}"
        print(row)
    for kind, why in skipped.items():
        print(f"{kind}: SKIP ({why})")
    official = collected.get("official openai-v2")
    ours = collected.get("ours")
    if official and ours:
        ratio = statistics.median(ours["B"]) / statistics.median(official["B"])
        off = statistics.median(collected["ours, chunk timing off"]["B"])
        off_ratio = off / statistics.median(official["B"])
        print(f"B stream, ours / official: {ratio:.2f}x (target <= 1.3x)")
        print(f"B stream, ours with chunk timing off / official: {off_ratio:.2f}x (target <= 1x)")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        print(json.dumps(_measure(sys.argv[2])))
    else:
        main()
