"""Where the instrumentation's time goes, step by step, inside real calls.

`uv run --frozen python tests/bench/breakdown.py`

Not part of `make bench`: a diagnostic for when a target fails. It runs the same workloads as
`run.py` (A: non-streaming chat, B: 50-chunk stream) instrumented, with timing shims around
the steps of our code path and of util-genai (and the SDK calls they make), and prints the
inclusive CPU-clock microseconds per call of each step, nested as the calls nest.

The shims cost about a quarter of a microsecond each (printed below); a step's figure
includes the shims of the steps inside it. Part 2 times the per-chunk pieces in isolation
(tight loops over real chunk objects), which is optimistic: in situ the same code runs
1.5-2.5x slower because the SDK's parsing in between evicts it from the CPU caches.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import opentelemetry.util.genai._invocation as util_invocation
from opentelemetry.instrumentation.genai_core import streams as core_streams
from opentelemetry.instrumentation.genai_core import telemetry as core_telemetry
from opentelemetry.instrumentation.genai_core import wrappers as core_wrappers
from opentelemetry.instrumentation.genai_core.mapper import Call
from opentelemetry.instrumentation.genai_core.telemetry import GenAITelemetry
from opentelemetry.instrumentation.openai import chat as openai_chat
from opentelemetry.instrumentation.openai import common as openai_common
from opentelemetry.sdk import trace as sdk_trace
from opentelemetry.sdk.metrics._internal import instrument as sdk_instrument
from opentelemetry.util.genai import _inference_invocation as util_inference
from opentelemetry.util.genai import handler as util_handler

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # the bench's workloads and pipeline (a script, not a package)

_clock = time.perf_counter_ns


class Shims:
    """Timing wrappers put around functions and methods, and taken off again."""

    def __init__(self) -> None:
        self.ns: dict[str, int] = defaultdict(int)
        self.calls: dict[str, int] = defaultdict(int)
        self._undo: list[tuple[Any, str, Any]] = []

    def wrap(self, owner: Any, name: str, label: str) -> None:
        original = vars(owner)[name]
        ns, calls = self.ns, self.calls

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = _clock()
            try:
                return original(*args, **kwargs)
            finally:
                ns[label] += _clock() - start
                calls[label] += 1

        setattr(owner, name, timed)
        self._undo.append((owner, name, original))

    def reset(self) -> None:
        self.ns.clear()
        self.calls.clear()

    def remove(self) -> None:
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)
        self._undo.clear()


_I = util_inference.InferenceInvocation
_G = util_invocation.GenAIInvocation

# Steps with one call site, as a tree: (owner, attribute, label, depth), printed in order.
STEPS: list[tuple[Any, str, str, int]] = [
    (core_wrappers, "_begin", "wrappers._begin (before the SDK call)", 0),
    (core_wrappers, "is_instrumentation_enabled", "is_instrumentation_enabled()", 1),
    (openai_chat.ChatMapper, "request", "ChatMapper.request", 1),
    (openai_common, "endpoint_of", "endpoint_of", 2),
    (core_telemetry.GenAITelemetry, "start", "GenAITelemetry.start", 1),
    (util_handler.TelemetryHandler, "inference", "TelemetryHandler.inference", 2),
    (sdk_trace.Tracer, "start_span", "SDK Tracer.start_span  [floor]", 3),
    (util_invocation, "attach", "context attach", 3),
    (util_inference, "_should_emit_event", "_should_emit_event (environment read)", 3),
    (core_telemetry.GenAITelemetry, "_apply_request", "GenAITelemetry._apply_request", 2),
    (openai_chat.ChatMapper, "prepare", "ChatMapper.prepare", 1),
    (core_wrappers, "_complete", "wrappers._complete (after the SDK call)", 0),
    (openai_chat.ChatMapper, "response", "ChatMapper.response", 1),
    (openai_common, "usage_of", "usage_of", 2),
    (openai_chat.ChatMapper, "accumulator", "ChatMapper.accumulator", 1),
    (core_telemetry.Trace, "stream", "Trace.stream (wrap in TracedStream)", 1),
    (core_streams, "_accept", "streams._accept (every chunk)", 0),
    (openai_chat.ChatStreamState, "add", "ChatStreamState.add", 1),
    (_I, "_on_stream_chunk", "InferenceInvocation._on_stream_chunk (every chunk)", 0),
    (_G, "_on_stream_chunk", "GenAIInvocation._on_stream_chunk", 1),
    (core_streams, "_finish_from", "streams._finish_from (end of stream)", 0),
    (openai_chat.ChatStreamState, "response", "ChatStreamState.response", 1),
    (core_telemetry.Trace, "finish", "Trace.finish", 0),
    (core_telemetry.Trace, "_apply_response", "Trace._apply_response", 1),
    (_G, "_finish", "GenAIInvocation._finish (invocation.stop)", 1),
    (_I, "_apply_finish", "InferenceInvocation._apply_finish", 2),
    (util_inference, "get_value", "context get_value", 3),
    (_I, "enrich_from_context", "enrich_from_context (merge of InferenceData)", 3),
    (_I, "_get_attributes", "_get_attributes", 3),
    (_I, "_get_message_attributes", "_get_message_attributes", 3),
    (sdk_trace.Span, "set_attributes", "SDK Span.set_attributes", 3),
    (_G, "_record_client_metrics", "_record_client_metrics (3 records inside)", 3),
    (_I, "_maybe_create_event", "_maybe_create_event", 3),
    (_G, "_call_completion_hook", "_call_completion_hook", 3),
    (util_invocation, "detach", "context detach", 2),
    (sdk_trace.Span, "end", "SDK Span.end  [floor]", 2),
]

# Functions called from several of the places above: all their calls, counted once here.
SHARED: list[tuple[Any, str, str]] = [
    (sdk_instrument.Histogram, "record", "SDK Histogram.record  [floor]"),
    (_I, "_get_metric_attributes", "_get_metric_attributes (a new dict each time)"),
    (util_inference.InferenceData, "__init__", "InferenceData() (dataclass, 50 fields)"),
    (util_invocation, "set_value", "context set_value"),
    (_G, "suspend", "invocation.suspend"),
]


def shim_overhead_us() -> float:
    """Cost of one timing shim around an empty function."""

    class Target:
        def noop(self) -> None:
            pass

    shims = Shims()
    plain = Target()
    n = 50_000
    start = _clock()
    for _ in range(n):
        plain.noop()
    bare = _clock() - start
    shims.wrap(Target, "noop", "noop")
    start = _clock()
    for _ in range(n):
        plain.noop()
    wrapped = _clock() - start
    shims.remove()
    return (wrapped - bare) / n / 1000


def profile_in_situ(bench: run.Bench, label: str, fn: Callable[[], Any], calls: int) -> None:
    """Per step, the median over calls of its time within one call (the median drops the
    calls during which the process was descheduled: the clock here is wall time)."""
    shims = Shims()
    for owner, name, step, _depth in STEPS:
        shims.wrap(owner, name, step)
    for owner, name, step in SHARED:
        shims.wrap(owner, name, step)
    per_call: dict[str, list[int]] = defaultdict(list)
    bench.instrument()
    try:
        for _ in range(10):
            fn()
        gc.collect()
        for _ in range(calls):
            shims.reset()
            fn()
            for step, ns in shims.ns.items():
                per_call[step].append(ns)
    finally:
        bench.uninstrument()
        shims.remove()
    counts = dict(shims.calls)
    print()
    print(f"{label}: microseconds per call (median of {calls} calls), times called per call")

    def line(step: str, depth: int) -> None:
        if step in per_call:
            median = statistics.median(per_call[step]) / 1000
            width = 60 - 2 * depth
            print(f"  {'  ' * depth}{step:<{width}}{median:>9.1f}{counts.get(step, 0):>7}x")

    for _owner, _name, step, depth in STEPS:
        line(step, depth)
    print("  called from several of the above (all calls):")
    for _owner, _name, step in SHARED:
        line(step, 1)


def median_us(fn: Callable[[int], None], n: int = 20_000, repeats: int = 5) -> float:
    samples = []
    for _ in range(repeats):
        start = _clock()
        fn(n)
        samples.append((_clock() - start) / n / 1000)
    return statistics.median(samples)


def isolated_per_chunk(bench: run.Bench) -> None:
    """Per-chunk pieces in tight loops, on real chunk objects and a real invocation."""
    chunks = list(
        bench.client.chat.completions.create(
            model=run.MODEL,
            messages=run.MESSAGES,  # type: ignore[arg-type]
            stream=True,
            extra_headers=run.STREAM_HEADERS,
            extra_body={"stream_options": {"include_usage": True}},
        )
    )
    content = chunks[10]
    telemetry = GenAITelemetry(
        "bench.breakdown",
        "0",
        tracer_provider=bench.pipeline.tracer_provider,
        meter_provider=bench.pipeline.meter_provider,
    )
    mapper = openai_chat.ChatMapper()
    kwargs = {"model": run.MODEL, "messages": run.MESSAGES, "stream": True}
    call = Call(bench.client.chat.completions, (), kwargs)
    request = mapper.request(call, False)
    assert request is not None
    trace = telemetry.start(request)
    assert trace is not None
    invocation = trace.invocation
    invocation.suspend()
    state = openai_chat.ChatStreamState(request, False, True)
    invocation._on_stream_chunk(
        time.perf_counter()
    )  # the first chunk, so the rest are "per output"
    attributes = invocation._get_metric_attributes()
    histogram = invocation._instruments.time_per_output_chunk
    context = invocation.context

    def add(n: int) -> None:
        for _ in range(n):
            state.add(content)

    def metric_attributes(n: int) -> None:
        for _ in range(n):
            invocation._get_metric_attributes()

    def record(n: int) -> None:
        for _ in range(n):
            histogram.record(0.0001, attributes=attributes, context=context)

    def record_no_context(n: int) -> None:
        for _ in range(n):
            histogram.record(0.0001, attributes=attributes)

    def on_chunk(n: int) -> None:
        clock = time.perf_counter
        for _ in range(n):
            invocation._on_stream_chunk(clock())

    class PassThrough:
        def add(self, chunk: Any) -> bool:
            return True

        def response(self) -> Any:
            return None

    def proxy_only(n: int) -> None:
        inner = telemetry.start(request)
        assert inner is not None
        inner.invocation._on_stream_chunk = lambda at: None  # type: ignore[method-assign]
        for _ in core_streams.TracedStream(iter([content] * n), inner, PassThrough()):
            pass

    print()
    print("Per-chunk pieces in isolation (tight loops, optimistic), microseconds each")
    rows = [
        ("TracedStream.__next__ + _accept, no accumulator/metric", proxy_only),
        ("ChatStreamState.add (content chunk)", add),
        ("_get_metric_attributes (dict copy + 5 ifs + update)", metric_attributes),
        ("SDK Histogram.record, span context (exemplars)  [floor]", record),
        ("SDK Histogram.record, no context", record_no_context),
        ("InferenceInvocation._on_stream_chunk (all, incl. record)", on_chunk),
    ]
    for label, fn in rows:
        print(f"  {label:<58}{median_us(fn):>8.2f}")
    invocation.stop()


class QuickWins:
    """Prototypes of the cheap fixes, monkeypatched for the measurement only.

    Each stands in for a change proposed to the lead; none is how the change should be
    written (they skip edge cases: a failing call would keep stale metric attributes).
    """

    def __init__(self) -> None:
        self._undo: list[tuple[Any, str, Any]] = []

    def _set(self, owner: Any, name: str, value: Any) -> None:
        self._undo.append((owner, name, vars(owner)[name]))
        setattr(owner, name, value)

    def apply(self) -> None:
        enrich = _I.enrich_from_context

        def enrich_if_published(self: Any, data: Any) -> None:
            # Inner invocations always publish their provider name; none did.
            if data.provider_name is not None:
                enrich(self, data)

        emit_event = util_inference._should_emit_event
        emit_cache: dict[Any, bool] = {}

        def emit_event_once(mode: Any) -> bool:
            if mode not in emit_cache:
                emit_cache[mode] = emit_event(mode)
            return emit_cache[mode]

        endpoint_of = openai_common.endpoint_of
        endpoints: dict[int, tuple[Any, Any]] = {}

        def endpoint_by_url_object(resource: Any) -> Any:
            url = getattr(getattr(resource, "_client", None), "base_url", None)
            cached = endpoints.get(id(url))
            if cached is not None and cached[0] is url:
                return cached[1]
            endpoints[id(url)] = (url, endpoint := endpoint_of(resource))
            return endpoint

        metric_attributes = _I._get_metric_attributes

        def metric_attributes_once(self: Any) -> Any:
            key = self.data.response_model
            cached = self.__dict__.get("_bench_metric_attributes")
            if cached is None or cached[0] != key:
                cached = (key, metric_attributes(self))
                self.__dict__["_bench_metric_attributes"] = cached
            return cached[1]

        message_attributes = _I._get_message_attributes

        def message_attributes_if_capturing(self: Any, *, for_span: bool) -> Any:
            if self._content_capturing_mode is util_invocation.ContentCapturingMode.NO_CONTENT:
                return {}
            return message_attributes(self, for_span=for_span)

        completion_hook = _G._call_completion_hook

        def completion_hook_if_active(self: Any, **kwargs: Any) -> None:
            if util_invocation._is_active_completion_hook(self._completion_hook):
                completion_hook(self, **kwargs)

        self._set(_I, "enrich_from_context", enrich_if_published)
        self._set(util_inference, "_should_emit_event", emit_event_once)
        self._set(openai_common, "endpoint_of", endpoint_by_url_object)
        self._set(_I, "_get_metric_attributes", metric_attributes_once)
        self._set(_I, "_get_message_attributes", message_attributes_if_capturing)
        self._set(_G, "_call_completion_hook", completion_hook_if_active)

    def remove(self) -> None:
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)
        self._undo.clear()


def quick_wins(bench: run.Bench, rounds: int = 14) -> None:
    """Overhead of A and per-chunk gap of B, as is and with the prototypes, interleaved."""
    wins = QuickWins()
    variants = ("base", "as is", "quick wins")
    a: dict[str, list[float]] = {v: [] for v in variants}
    gap: dict[str, list[float]] = {v: [] for v in variants}
    for index in range(rounds):
        shift = index % len(variants)
        for variant in variants[shift:] + variants[:shift]:
            if variant != "base":
                bench.instrument()
            if variant == "quick wins":
                wins.apply()
            try:
                a[variant].append(run.time_sync(lambda: run.call_a(bench.client), 40))
                gap[variant].append(run.chunk_interval_us(bench.client, None, 2))
            finally:
                wins.remove()
                if variant != "base":
                    bench.uninstrument()

    def overhead(values: dict[str, list[float]], variant: str) -> float:
        return statistics.median(
            x - b for x, b in zip(values[variant], values["base"], strict=True)
        )

    print()
    print(
        "Prototyped quick wins (enrich_from_context only when an inner call published, "
        "_should_emit_event read once, endpoint cached per base_url object, metric attributes "
        "built once per invocation, no message attributes or completion hook when content "
        "capture is off and no hook is set); CPU microseconds, medians over "
        f"{rounds} interleaved rounds"
    )
    print(
        f"  A overhead per call: as is {overhead(a, 'as is'):.1f}, "
        f"with quick wins {overhead(a, 'quick wins'):.1f}"
    )
    print(
        f"  B chunk-to-chunk gap above uninstrumented: as is {overhead(gap, 'as is'):.2f}, "
        f"with quick wins {overhead(gap, 'quick wins'):.2f}"
    )


def main() -> int:
    bench = run.Bench()
    try:
        bench.calibrate()
        bench.warm_up()
        print(f"timing shim cost: {shim_overhead_us():.2f} us per shimmed call")
        profile_in_situ(bench, "A (non-streaming)", lambda: run.call_a(bench.client), 500)
        profile_in_situ(bench, "B (50-chunk stream)", lambda: run.call_b(bench.client), 100)
        isolated_per_chunk(bench)
        quick_wins(bench)
    finally:
        bench.client.close()
        bench.loop.run_until_complete(bench.aclient.close())
        bench.loop.close()
        bench.pipeline.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
