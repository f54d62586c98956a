"""The contract ``agentops._compat`` relies on, checked against the installed SDK.

Each test names the private SDK detail it depends on. When an OpenTelemetry upgrade removes
or changes one, the test of that detail fails here, loudly, before the cost, limit or export
code that uses it misbehaves quietly.
"""

from __future__ import annotations

import inspect
import logging
import os
import subprocess
import sys

import pytest
from agentops import _compat
from agentops.export_health import GuardedMetricExporter
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import (
    OTLPSpanExporter as GRPCSpanExporter,
)
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk.metrics import Counter, MeterProvider
from opentelemetry.sdk.metrics.export import (
    AggregationTemporality,
    InMemoryMetricReader,
    MetricExporter,
    MetricExportResult,
    PeriodicExportingMetricReader,
)
from opentelemetry.sdk.trace import SpanLimits, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pipeline_helpers import fresh_process_state

_fresh_process_state = fresh_process_state


def test_the_proxy_meter_provider_is_what_an_unset_api_returns() -> None:
    # opentelemetry.metrics._internal._ProxyMeterProvider; checked in a fresh interpreter,
    # where nothing has set a meter provider.
    code = (
        "from opentelemetry import metrics; from agentops._compat import ProxyMeterProvider; "
        "assert isinstance(metrics.get_meter_provider(), ProxyMeterProvider)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_configurator_classes_and_the_builder() -> None:
    # opentelemetry.sdk._configuration: _BaseConfigurator, _OTelSDKConfigurator,
    # _initialize_components(auto_instrumentation_version=, resource_attributes=).
    assert issubclass(_compat.SDKConfigurator, _compat.BaseConfigurator)
    assert callable(_compat.BaseConfigurator.configure)
    parameters = inspect.signature(_compat.initialize_components).parameters
    assert {"auto_instrumentation_version", "resource_attributes"} <= set(parameters)


@pytest.mark.parametrize(
    ("name", "protocol", "expected"),
    [
        ("otlp", "http/protobuf", "otlp_proto_http"),
        ("otlp", "grpc", "otlp_proto_grpc"),
        ("otlp_proto_grpc", "grpc", "otlp_proto_grpc"),
        ("console", "grpc", "console"),
        ("prometheus", None, "prometheus"),
    ],
)
def test_exporter_names_resolve_as_the_sdk_resolves_them(name, protocol, expected) -> None:
    # opentelemetry.sdk._configuration._get_exporter_entry_point(name, signal).
    if protocol is not None:
        os.environ["OTEL_EXPORTER_OTLP_PROTOCOL"] = protocol
    assert _compat.exporter_entry_point_name(name, "traces") == expected


def test_an_unknown_protocol_is_a_runtime_error() -> None:
    os.environ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "carrier-pigeon"
    with pytest.raises(RuntimeError):
        _compat.exporter_entry_point_name("otlp", "metrics")


def test_span_processors_are_listed_in_order() -> None:
    # TracerProvider._active_span_processor._span_processors.
    provider = TracerProvider()
    first, second = SimpleSpanProcessor(InMemorySpanExporter()), SpanProcessor()
    provider.add_span_processor(first)
    provider.add_span_processor(second)
    assert _compat.span_processors(provider) == (first, second)


EXIT_SCRIPT = """
import atexit, sys
from agentops import _compat
from opentelemetry.sdk._logs import LoggerProvider, LogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider

def said(self, *args, **kwargs):
    print("shut down at exit", flush=True)

if "{kind}" == "TracerProvider":
    provider = TracerProvider()
    provider.add_span_processor(type("P", (SpanProcessor,), {{"shutdown": said}})())
elif "{kind}" == "MeterProvider":
    reader = type("R", (InMemoryMetricReader,), {{"shutdown": said}})()
    provider = MeterProvider(metric_readers=[reader])
else:
    provider = LoggerProvider()
    methods = {{"shutdown": said, "on_emit": said, "force_flush": said}}
    provider.add_log_record_processor(type("L", (LogRecordProcessor,), methods)())
handler = _compat.exit_shutdown(provider)
assert handler == provider.shutdown, handler
if "{take_over}" == "yes":
    atexit.unregister(handler)  # what export_health does at exit
"""


@pytest.mark.parametrize("kind", ["TracerProvider", "MeterProvider", "LoggerProvider"])
def test_the_exit_shutdown_is_the_one_registered_with_atexit(kind) -> None:
    # TracerProvider/MeterProvider._atexit_handler, LoggerProvider._at_exit_handler: the
    # bound shutdown the SDK registered with atexit, so unregistering it takes it over.
    def stdout(take_over: str) -> str:
        script = EXIT_SCRIPT.format(kind=kind, take_over=take_over)
        result = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True
        )
        return result.stdout

    assert stdout("no") == "shut down at exit\n"
    assert stdout("yes") == ""


@pytest.mark.parametrize("provider_type", [TracerProvider, MeterProvider, LoggerProvider])
def test_the_exit_shutdown_is_cleared_by_shutdown(provider_type) -> None:
    provider = provider_type()
    assert _compat.exit_shutdown(provider) == provider.shutdown
    provider.shutdown()
    assert _compat.exit_shutdown(provider) is None


class RecordingExporter(MetricExporter):
    def __init__(self) -> None:
        super().__init__()
        self.exports = 0
        self.shut_down = False

    def export(self, metrics_data, timeout_millis: float = 10_000, **kwargs) -> MetricExportResult:
        self.exports += 1
        return MetricExportResult.SUCCESS

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        return True

    def shutdown(self, timeout_millis: float = 30_000, **kwargs) -> None:
        self.shut_down = True


def test_a_reader_added_later_is_flushed_and_shut_down_with_its_provider() -> None:
    # MeterProvider._metric_readers: what force_flush and shutdown walk.
    provider = MeterProvider()
    exporter = RecordingExporter()
    _compat.add_metric_reader(
        provider, PeriodicExportingMetricReader(exporter, export_interval_millis=60_000)
    )
    provider.get_meter("test").create_counter("c").add(1)
    provider.force_flush()
    assert exporter.exports == 1
    provider.shutdown()
    assert exporter.exports == 2  # the last export at shutdown
    assert exporter.shut_down


def test_a_guarded_metric_exporter_keeps_the_temporality_its_exporter_asks_for() -> None:
    # MetricExporter._preferred_temporality / _preferred_aggregation, read by the reader.
    os.environ["OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE"] = "delta"
    inner = OTLPMetricExporter(endpoint="http://127.0.0.1:9/v1/metrics")
    preferences = _compat.metric_exporter_preferences(inner)
    assert preferences["preferred_temporality"][Counter] is AggregationTemporality.DELTA
    guarded = GuardedMetricExporter("otlp", inner)
    reader = InMemoryMetricReader(**_compat.metric_exporter_preferences(guarded))
    provider = MeterProvider(metric_readers=[reader])
    provider.get_meter("test").create_counter("c").add(1)
    (metric,) = reader.get_metrics_data().resource_metrics[0].scope_metrics[0].metrics
    assert metric.data.aggregation_temporality is AggregationTemporality.DELTA
    provider.shutdown()
    inner.shutdown()


def test_exporters_say_where_they_send() -> None:
    # OTLPSpanExporter._endpoint (HTTP: the full URL; gRPC: host:port).
    http = OTLPSpanExporter(endpoint="http://collector.example:4318/v1/traces")
    grpc = GRPCSpanExporter(endpoint="http://collector.example:4317", insecure=True)
    assert _compat.exporter_endpoint(http) == "http://collector.example:4318/v1/traces"
    assert _compat.exporter_endpoint(grpc) == "collector.example:4317"
    assert _compat.exporter_endpoint(object()) is None
    http.shutdown()
    grpc.shutdown()


class Ending(_compat.OnEndingSpanProcessor):
    def __init__(self, log: list[str]) -> None:
        self.log = log

    def on_ending(self, span) -> None:
        self.log.append("on_ending")
        _compat.write_span_attributes(span, {"added.on_ending": 1.5})
        _compat.add_span_event(span, "added.event", {"k": "v"})

    def on_end(self, span) -> None:
        self.log.append("on_end ending")


class Ended(SpanProcessor):
    def __init__(self, log: list[str]) -> None:
        self.log = log

    def on_end(self, span) -> None:
        self.log.append("on_end other")


def test_on_ending_runs_before_every_on_end_and_can_still_write(caplog) -> None:
    # SpanProcessor._on_ending (called by Span.end before on_end), Span._attributes
    # (BoundedAttributes internals), Span._events (BoundedList).
    log: list[str] = []
    exporter = InMemorySpanExporter()
    provider = TracerProvider(span_limits=SpanLimits(max_span_attributes=3))
    provider.add_span_processor(Ended(log))  # added first, still sees the write
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    provider.add_span_processor(Ending(log))
    assert Ending._on_ending is Ending.on_ending  # the SDK's hook name, no extra call
    with caplog.at_level(logging.WARNING):
        span = provider.get_tracer("test").start_span("s", attributes={"a": 1, "b": 2, "c": 3})
        span.end()

    assert log == ["on_ending", "on_end other", "on_end ending"]
    (exported,) = exporter.get_finished_spans()
    assert exported.attributes["added.on_ending"] == 1.5
    assert len(exported.attributes) == 3  # the attribute limit still holds
    assert exported.dropped_attributes == 1
    assert [event.name for event in exported.events] == ["added.event"]
    assert _compat.read_span_attributes(exported)["added.on_ending"] == 1.5
    assert not [r for r in caplog.records if "ended span" in r.getMessage()]
