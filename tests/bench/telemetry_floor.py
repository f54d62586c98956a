"""The telemetry floor: what any instrumentation emitting our telemetry must pay.

``capture_telemetry`` reads back the span and metric points one real instrumented call emits;
``Floor`` emits the same with the OpenTelemetry SDK alone, through the bench's providers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from harness import Pipeline, instrument
from opentelemetry.context import Context
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import HistogramDataPoint, InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.semconv._incubating.metrics import gen_ai_metrics
from opentelemetry.trace import Span, SpanKind, Tracer, set_span_in_context
from opentelemetry.util.genai._instruments import _Instruments

TIME_TO_FIRST_CHUNK: Final = gen_ai_metrics.GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK
TIME_PER_OUTPUT_CHUNK: Final = gen_ai_metrics.GEN_AI_CLIENT_OPERATION_TIME_PER_OUTPUT_CHUNK
_CHUNK_METRICS: Final = frozenset({TIME_TO_FIRST_CHUNK, TIME_PER_OUTPUT_CHUNK})


@dataclass
class MetricPoints:
    """Points recorded into one histogram by one call: `count` records with `attributes`."""

    name: str
    unit: str
    attributes: dict[str, Any]
    count: int
    mean_value: float


@dataclass
class Telemetry:
    """The span and metric points one instrumented call produces."""

    span_name: str
    span_kind: SpanKind
    span_attributes: dict[str, Any]
    points: list[MetricPoints] = field(default_factory=list)

    def count(self, name: str) -> int:
        return sum(p.count for p in self.points if p.name == name)

    def total_points(self) -> int:
        return sum(p.count for p in self.points)

    def describe(self) -> str:
        counts = ", ".join(
            f"{name.removeprefix('gen_ai.client.')} {self.count(name)}"
            for name in dict.fromkeys(p.name for p in self.points)
        )
        return (
            f"span '{self.span_name}' with {len(self.span_attributes)} attributes; "
            f"{self.total_points()} metric points ({counts})"
        )


def capture_telemetry(instrumentor: Any, run_once: Callable[[], Any]) -> Telemetry:
    """Instrument into fresh in-memory providers, make one call, return what it emitted."""
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    instrument(instrumentor, tracer_provider=tracer_provider, meter_provider=meter_provider)
    try:
        run_once()
    finally:
        instrumentor.uninstrument()
    spans = exporter.get_finished_spans()
    if len(spans) != 1:
        raise RuntimeError(f"expected one span per call, got {len(spans)}")
    span = spans[0]
    telemetry = Telemetry(span.name, span.kind, dict(span.attributes or {}))
    data = reader.get_metrics_data()
    for resource_metrics in data.resource_metrics if data else ():
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                for point in metric.data.data_points:
                    if not isinstance(point, HistogramDataPoint):
                        raise RuntimeError(f"unexpected point type for {metric.name}")
                    telemetry.points.append(
                        MetricPoints(
                            name=metric.name,
                            unit=metric.unit,
                            attributes=dict(point.attributes or {}),
                            count=point.count,
                            mean_value=point.sum / point.count if point.count else 0.0,
                        )
                    )
    tracer_provider.shutdown()
    meter_provider.shutdown()
    return telemetry


Record = tuple[Any, dict[str, Any], float | None]


@dataclass
class FloorState:
    span: Span
    context: Context
    started: float
    last: float
    next_record: int = 0


class Floor:
    """Emits the same span and metric points as one instrumented call, with the SDK alone.

    No instrumentation logic: the span name, kind and attribute dict are copied from a real
    span, the metric attribute dicts from real metric points, all built once. Time-valued
    points take a clock reading each (nothing can record a duration without one), and the
    records are made in the span's context, as ours are, so exemplar sampling costs the same.
    The instruments are util-genai's own definitions (names, units, buckets), created on a
    separate meter of the same MeterProvider.

    Two ways to use it:
      - `emit()`: everything back to back in a tight loop (the isolated floor);
      - `open()` / `chunk()` / `close()` around a real uninstrumented call, at the points an
        instrumentation would emit (the in-situ floor). Per-chunk points left over when the
        stream had fewer chunks than points are recorded at `close()`, so the count is exact.
    """

    def __init__(self, pipeline: Pipeline, telemetry: Telemetry) -> None:
        self._tracer: Tracer = pipeline.tracer_provider.get_tracer("bench.floor")
        instruments = _Instruments(pipeline.meter_provider.get_meter("bench.floor"))
        by_name = {
            gen_ai_metrics.GEN_AI_CLIENT_OPERATION_DURATION: instruments.operation_duration,
            gen_ai_metrics.GEN_AI_CLIENT_TOKEN_USAGE: instruments.token_usage,
            TIME_TO_FIRST_CHUNK: instruments.time_to_first_chunk,
            TIME_PER_OUTPUT_CHUNK: instruments.time_per_output_chunk,
        }
        self._name = telemetry.span_name
        self._kind = telemetry.span_kind
        self._attributes = dict(telemetry.span_attributes)
        # (histogram, attributes, value or None for "elapsed since the last reading").
        self._chunk_records: list[Record] = []
        self._end_records: list[Record] = []
        # Per-chunk points first (time to first chunk before time per output chunk).
        ordered = sorted(telemetry.points, key=lambda p: p.name != TIME_TO_FIRST_CHUNK)
        for points in ordered:
            target = self._chunk_records if points.name in _CHUNK_METRICS else self._end_records
            value = None if points.unit == "s" else points.mean_value
            for _ in range(points.count):
                target.append((by_name[points.name], dict(points.attributes), value))
        self.chunk_points = len(self._chunk_records)

    def emit(self) -> None:
        state = self.open()
        for _ in range(self.chunk_points):
            self.chunk(state)
        self.close(state)

    def open(self) -> FloorState:
        started = time.perf_counter()
        span = self._tracer.start_span(self._name, kind=self._kind, attributes=self._attributes)
        return FloorState(span, set_span_in_context(span), started, started)

    def chunk(self, state: FloorState) -> None:
        if state.next_record < self.chunk_points:
            histogram, attributes, _ = self._chunk_records[state.next_record]
            state.next_record += 1
            now = time.perf_counter()
            histogram.record(now - state.last, attributes=attributes, context=state.context)
            state.last = now

    def close(self, state: FloorState) -> None:
        while state.next_record < self.chunk_points:
            self.chunk(state)
        context = state.context
        for histogram, attributes, value in self._end_records:
            if value is None:
                value = time.perf_counter() - state.started
            histogram.record(value, attributes=attributes, context=context)
        state.span.end()
