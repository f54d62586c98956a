"""Fixtures shared by the whole suite: the provider emulator and real OpenTelemetry SDK
pipelines with in-memory exporters and readers."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader, MetricsData
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

pytest_plugins = ["provider_emulator.pytest_plugin"]


@dataclass
class Telemetry:
    """A tracer provider and a meter provider whose output the test can read."""

    tracer_provider: TracerProvider
    meter_provider: MeterProvider
    span_exporter: InMemorySpanExporter
    metric_reader: InMemoryMetricReader

    def spans(self) -> list[ReadableSpan]:
        return list(self.span_exporter.get_finished_spans())

    def metrics(self) -> dict[str, list]:
        """Data points by metric name, from one collection."""
        data: MetricsData | None = self.metric_reader.get_metrics_data()
        points: dict[str, list] = {}
        if data is None:
            return points
        for resource_metrics in data.resource_metrics:
            for scope_metrics in resource_metrics.scope_metrics:
                for metric in scope_metrics.metrics:
                    points.setdefault(metric.name, []).extend(metric.data.data_points)
        return points

    def metric_units(self) -> dict[str, str]:
        data = self.metric_reader.get_metrics_data()
        units: dict[str, str] = {}
        if data is None:
            return units
        for resource_metrics in data.resource_metrics:
            for scope_metrics in resource_metrics.scope_metrics:
                for metric in scope_metrics.metrics:
                    units[metric.name] = metric.unit
        return units


@pytest.fixture
def telemetry() -> Iterator[Telemetry]:
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    yield Telemetry(tracer_provider, meter_provider, exporter, reader)
    tracer_provider.shutdown()
    meter_provider.shutdown()


ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class DemoRun:
    """One run of `examples/run_demo.py` (what `make demo` runs), into its own directory."""

    result: subprocess.CompletedProcess[str]
    output_dir: Path

    @property
    def telemetry_file(self) -> Path:
        return self.output_dir / "telemetry.otlp.jsonl"

    @property
    def report_html(self) -> Path:
        return self.output_dir / "report.html"


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """The demo, run once per session: its output and the files it wrote."""
    output_dir = tmp_path_factory.mktemp("demo-output")
    env = {
        key: value
        for key, value in os.environ.items()
        # The demo sets its own telemetry configuration; the caller's must not leak in.
        if not key.startswith(("OTEL_", "OPENAI_", "AGENTOPS_"))
    }
    env["PYTHONIOENCODING"] = "utf-8"
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "run_demo.py"), "--output-dir", str(output_dir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=400,
        check=False,
    )
    return DemoRun(result, output_dir)
