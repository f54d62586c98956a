"""A broken telemetry pipeline never breaks, blocks or changes the caller's LLM call."""

from __future__ import annotations

from collections.abc import Sequence

import openai
import pytest
from opentelemetry.instrumentation.agentops.openai import OpenAIInstrumentor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import (
    MetricExporter,
    MetricExportResult,
    PeriodicExportingMetricReader,
)
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult

MESSAGES = [{"role": "user", "content": "hello there"}]


class ExplodingSpanExporter(SpanExporter):
    def __init__(self) -> None:
        self.calls = 0

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.calls += 1
        raise ConnectionError("collector unreachable")


class ExplodingMetricExporter(MetricExporter):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def export(self, metrics_data, timeout_millis: float = 10_000, **kwargs) -> MetricExportResult:
        self.calls += 1
        raise ConnectionError("collector unreachable")

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        return True

    def shutdown(self, timeout_millis: float = 30_000, **kwargs) -> None:
        pass


@pytest.fixture
def broken():
    spans, metrics = ExplodingSpanExporter(), ExplodingMetricExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    reader = PeriodicExportingMetricReader(metrics, export_interval_millis=3_600_000)
    meter_provider = MeterProvider(metric_readers=[reader])
    instrumentor = OpenAIInstrumentor()
    instrumentor.instrument(tracer_provider=tracer_provider, meter_provider=meter_provider)
    yield spans, metrics, meter_provider
    instrumentor.uninstrument()
    tracer_provider.shutdown()
    meter_provider.shutdown()  # its last export fails too, inside the test, not at exit


def test_exporters_that_raise_leave_calls_and_streams_intact(emulator, broken):
    spans, metrics, meter_provider = broken
    with_telemetry = openai.OpenAI(api_key="k", base_url=emulator.openai_base_url, max_retries=0)

    completion = with_telemetry.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    chunks = list(
        with_telemetry.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)
    )
    meter_provider.force_flush()

    assert spans.calls == 2  # both spans reached the exporter, which failed
    assert metrics.calls >= 1
    assert completion.choices[0].message.content.startswith("Emulated reply to:")
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == (
        completion.choices[0].message.content
    )
