"""The OTLP JSON file exporters: real SDK pipelines write to a file, which is read back line by
line into the OTLP collector request messages with protobuf's own JSON parser."""

from __future__ import annotations

import base64
import json
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from agentops_exporters.otlp_file import (
    DEFAULT_FILE,
    FILE_ENV,
    LOGS_FILE_ENV,
    METRICS_FILE_ENV,
    TEMPORALITY_ENV,
    TRACES_FILE_ENV,
    OTLPJsonFileLogExporter,
    OTLPJsonFileMetricExporter,
    OTLPJsonFileSpanExporter,
)
from google.protobuf import json_format
from google.protobuf.message import Message
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span as PbSpan
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import LogRecordExportResult, SimpleLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import (
    AggregationTemporality,
    MetricExportResult,
    MetricsData,
    PeriodicExportingMetricReader,
)
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

ROOT = Path(__file__).resolve().parents[2]
CHAT_APP = ROOT / "tests" / "distro" / "apps" / "chat_app.py"
INSTRUMENT = Path(sys.executable).parent / "opentelemetry-instrument"
RESOURCE = Resource.create({"service.name": "file-export-test"})
EVENT_NAME = "gen_ai.client.inference.operation.details"

_REQUEST_TYPES: dict[str, type[Message]] = {
    "resourceSpans": ExportTraceServiceRequest,
    "resourceMetrics": ExportMetricsServiceRequest,
    "resourceLogs": ExportLogsServiceRequest,
}


# --- reading the file back ------------------------------------------------------------------


def _hex_ids_to_base64(value: Any) -> Any:
    """OTLP JSON writes ids as hex; protobuf's JSON parser wants base64 for bytes fields."""
    if isinstance(value, dict):
        return {
            key: base64.b64encode(bytes.fromhex(item)).decode()
            if key in ("traceId", "spanId", "parentSpanId")
            else _hex_ids_to_base64(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_hex_ids_to_base64(item) for item in value]
    return value


def read_requests(path: Path) -> list[Message]:
    """Every line of the file as the collector request message it holds."""
    messages: list[Message] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        (kind,) = data  # one signal per line
        messages.append(
            json_format.Parse(json.dumps(_hex_ids_to_base64(data)), _REQUEST_TYPES[kind]())
        )
    return messages


def of_type(messages: list[Message], kind: type[Message]) -> list[Any]:
    return [message for message in messages if isinstance(message, kind)]


def plain(value: AnyValue) -> Any:
    field = value.WhichOneof("value")
    return getattr(value, field) if field else None


def attributes(key_values: Any) -> dict[str, Any]:
    return {item.key: plain(item.value) for item in key_values}


def spans_of(requests: list[ExportTraceServiceRequest]) -> list[tuple[dict, PbSpan]]:
    return [
        (attributes(resource_spans.resource.attributes), span)
        for request in requests
        for resource_spans in request.resource_spans
        for scope_spans in resource_spans.scope_spans
        for span in scope_spans.spans
    ]


def metrics_of(requests: list[ExportMetricsServiceRequest]) -> dict[str, Any]:
    """The last exported version of each metric, by name."""
    found: dict[str, Any] = {}
    for request in requests:
        for resource_metrics in request.resource_metrics:
            for scope_metrics in resource_metrics.scope_metrics:
                for metric in scope_metrics.metrics:
                    found[metric.name] = metric
    return found


def log_records_of(requests: list[ExportLogsServiceRequest]) -> list[Any]:
    return [
        record
        for request in requests
        for resource_logs in request.resource_logs
        for scope_logs in resource_logs.scope_logs
        for record in scope_logs.log_records
    ]


# --- the signals, one by one ----------------------------------------------------------------


def test_spans_are_written_as_otlp_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "spans.jsonl"
    provider = TracerProvider(resource=RESOURCE)
    provider.add_span_processor(SimpleSpanProcessor(OTLPJsonFileSpanExporter(path)))
    tracer = provider.get_tracer("test.genai", "1.2.3")
    with tracer.start_as_current_span("invoke_agent") as parent:  # noqa: SIM117
        with tracer.start_as_current_span("chat gpt-4o-mini", kind=SpanKind.CLIENT) as span:
            span.set_attributes(
                {
                    "gen_ai.operation.name": "chat",
                    "gen_ai.provider.name": "openai",
                    "gen_ai.request.model": "gpt-4o-mini",
                    "gen_ai.usage.input_tokens": 12,
                    "gen_ai.usage.output_tokens": 34,
                    "gen_ai.response.finish_reasons": ("stop",),
                    "agentops.cost.total_usd": 0.0000222,
                }
            )
    provider.shutdown()

    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2  # SimpleSpanProcessor: one export, so one line, per span
    raw_span = json.loads(lines[0])["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    context = span.get_span_context()
    # The OTLP JSON encoding, not protobuf's default JSON mapping.
    assert raw_span["traceId"] == f"{context.trace_id:032x}"
    assert raw_span["spanId"] == f"{context.span_id:016x}"
    assert raw_span["parentSpanId"] == f"{parent.get_span_context().span_id:016x}"
    assert raw_span["kind"] == 3  # enums as integers
    assert "startTimeUnixNano" in raw_span

    ((resource, chat), (_, agent)) = spans_of(read_requests(path))
    assert resource["service.name"] == "file-export-test"
    assert chat.name == "chat gpt-4o-mini"
    assert chat.kind == PbSpan.SPAN_KIND_CLIENT
    assert chat.trace_id == context.trace_id.to_bytes(16, "big")
    assert chat.parent_span_id == agent.span_id
    assert agent.name == "invoke_agent"
    chat_attributes = attributes(chat.attributes)
    assert chat_attributes["gen_ai.usage.input_tokens"] == 12
    assert chat_attributes["gen_ai.usage.output_tokens"] == 34
    assert chat_attributes["gen_ai.request.model"] == "gpt-4o-mini"
    assert chat_attributes["agentops.cost.total_usd"] == pytest.approx(0.0000222)
    finish_reasons = chat_attributes["gen_ai.response.finish_reasons"]
    assert [plain(value) for value in finish_reasons.values] == ["stop"]


def test_metrics_are_written_at_each_collection(tmp_path: Path) -> None:
    path = tmp_path / "metrics.jsonl"
    reader = PeriodicExportingMetricReader(
        OTLPJsonFileMetricExporter(path), export_interval_millis=3_600_000
    )
    provider = MeterProvider(resource=RESOURCE, metric_readers=[reader])
    meter = provider.get_meter("test.genai")
    duration = meter.create_histogram("gen_ai.client.operation.duration", unit="s")
    tokens = meter.create_histogram("gen_ai.client.token.usage", unit="{token}")
    cost = meter.create_counter("agentops.client.cost", unit="USD")
    common = {"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o-mini"}
    duration.record(0.25, common)
    duration.record(0.75, common)
    tokens.record(12, {**common, "gen_ai.token.type": "input"})
    tokens.record(34, {**common, "gen_ai.token.type": "output"})
    cost.add(0.5, common)

    assert provider.force_flush()
    requests = of_type(read_requests(path), ExportMetricsServiceRequest)
    assert len(requests) == 1
    metrics = metrics_of(requests)
    assert set(metrics) == {
        "gen_ai.client.operation.duration",
        "gen_ai.client.token.usage",
        "agentops.client.cost",
    }
    (point,) = metrics["gen_ai.client.operation.duration"].histogram.data_points
    assert metrics["gen_ai.client.operation.duration"].unit == "s"
    assert (point.count, point.sum) == (2, pytest.approx(1.0))
    assert (point.min, point.max) == (pytest.approx(0.25), pytest.approx(0.75))
    assert attributes(point.attributes) == common
    token_points = {
        attributes(p.attributes)["gen_ai.token.type"]: p.sum
        for p in metrics["gen_ai.client.token.usage"].histogram.data_points
    }
    assert token_points == {"input": 12, "output": 34}
    cost_metric = metrics["agentops.client.cost"]
    (cost_point,) = cost_metric.sum.data_points
    assert cost_point.as_double == pytest.approx(0.5)
    assert cost_metric.sum.is_monotonic
    assert cost_metric.sum.aggregation_temporality == AggregationTemporality.CUMULATIVE.value

    # The reader's final collection at shutdown is one more line.
    provider.shutdown()
    assert len(path.read_text(encoding="utf-8").splitlines()) == 2


def test_log_records_and_genai_events_are_written(tmp_path: Path) -> None:
    path = tmp_path / "logs.jsonl"
    provider = LoggerProvider(resource=RESOURCE)
    provider.add_log_record_processor(SimpleLogRecordProcessor(OTLPJsonFileLogExporter(path)))
    tracer_provider = TracerProvider()
    logger = provider.get_logger("test.genai")
    with tracer_provider.get_tracer("t").start_as_current_span("chat gpt-4o-mini") as span:
        logger.emit(
            event_name=EVENT_NAME,
            attributes={"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o-mini"},
            body={"messages": [{"role": "user", "content": "hello"}]},
        )
    provider.shutdown()
    tracer_provider.shutdown()

    raw = json.loads(path.read_text(encoding="utf-8"))
    raw_record = raw["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0]
    assert raw_record["traceId"] == f"{span.get_span_context().trace_id:032x}"
    assert raw_record["eventName"] == EVENT_NAME

    (record,) = log_records_of(of_type(read_requests(path), ExportLogsServiceRequest))
    assert record.event_name == EVENT_NAME
    assert attributes(record.attributes)["gen_ai.request.model"] == "gpt-4o-mini"
    assert record.span_id == span.get_span_context().span_id.to_bytes(8, "big")
    (message,) = record.body.kvlist_value.values[0].value.array_value.values
    assert attributes(message.kvlist_value.values) == {"role": "user", "content": "hello"}


# --- one file for everything ----------------------------------------------------------------


def test_all_signals_share_the_file_from_the_environment(tmp_path, monkeypatch) -> None:
    path = tmp_path / "nested" / "all.jsonl"  # the directory is created
    for name in (TRACES_FILE_ENV, METRICS_FILE_ENV, LOGS_FILE_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(FILE_ENV, str(path))
    spans, metrics, logs = (
        OTLPJsonFileSpanExporter(),
        OTLPJsonFileMetricExporter(),
        OTLPJsonFileLogExporter(),
    )
    assert spans.path == metrics.path == logs.path == str(path)

    tracer_provider = TracerProvider(resource=RESOURCE)
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    reader = PeriodicExportingMetricReader(metrics, export_interval_millis=3_600_000)
    meter_provider = MeterProvider(resource=RESOURCE, metric_readers=[reader])
    logger_provider = LoggerProvider(resource=RESOURCE)
    logger_provider.add_log_record_processor(SimpleLogRecordProcessor(logs))
    tracer = tracer_provider.get_tracer("t")
    counter = meter_provider.get_meter("m").create_counter("gen_ai.calls")
    logger = logger_provider.get_logger("l")

    def work(worker: int) -> None:
        for call in range(25):
            with tracer.start_as_current_span(f"chat {worker}-{call}"):
                counter.add(1)
                logger.emit(event_name=EVENT_NAME, attributes={"worker": worker})

    threads = [threading.Thread(target=work, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    meter_provider.force_flush()
    for provider in (tracer_provider, meter_provider, logger_provider):
        provider.shutdown()

    messages = read_requests(path)  # every line whole and valid
    assert len(spans_of(of_type(messages, ExportTraceServiceRequest))) == 100
    assert len(log_records_of(of_type(messages, ExportLogsServiceRequest))) == 100
    (point,) = metrics_of(of_type(messages, ExportMetricsServiceRequest))[
        "gen_ai.calls"
    ].sum.data_points
    assert point.as_int == 100


def test_a_signal_variable_gives_that_signal_its_own_file(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(FILE_ENV, str(tmp_path / "shared.jsonl"))
    monkeypatch.setenv(TRACES_FILE_ENV, str(tmp_path / "traces.jsonl"))
    monkeypatch.delenv(METRICS_FILE_ENV, raising=False)
    monkeypatch.setenv(LOGS_FILE_ENV, " ")  # blank: not set
    assert OTLPJsonFileSpanExporter().path == str(tmp_path / "traces.jsonl")
    assert OTLPJsonFileMetricExporter().path == str(tmp_path / "shared.jsonl")
    assert OTLPJsonFileLogExporter().path == str(tmp_path / "shared.jsonl")
    # An explicit path wins over every variable.
    assert OTLPJsonFileSpanExporter(tmp_path / "x.jsonl").path == str(tmp_path / "x.jsonl")


def test_default_file_is_in_the_working_directory(tmp_path, monkeypatch) -> None:
    for name in (FILE_ENV, TRACES_FILE_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    exporter = OTLPJsonFileSpanExporter()
    monkeypatch.chdir(ROOT)  # a later chdir does not move the file
    assert exporter.path == str(tmp_path / DEFAULT_FILE)


def test_empty_exports_write_nothing(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    assert OTLPJsonFileSpanExporter(path).export([]) is SpanExportResult.SUCCESS
    assert OTLPJsonFileLogExporter(path).export([]) is LogRecordExportResult.SUCCESS
    assert (
        OTLPJsonFileMetricExporter(path).export(MetricsData(resource_metrics=[]))
        is MetricExportResult.SUCCESS
    )
    assert not path.exists()


# --- failures -------------------------------------------------------------------------------


def one_span() -> list[ReadableSpan]:
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    with provider.get_tracer("t").start_as_current_span("chat gpt-4o-mini"):
        pass
    provider.shutdown()
    return list(memory.get_finished_spans())


def test_unwritable_file_fails_the_export_and_is_logged_once(tmp_path, caplog) -> None:
    path = tmp_path / "blocked"
    path.mkdir()  # a directory where the file should be
    exporter = OTLPJsonFileSpanExporter(path)
    batch = one_span()

    with caplog.at_level(logging.WARNING, logger="agentops_exporters"):
        assert exporter.export(batch) is SpanExportResult.FAILURE
        assert exporter.export(batch) is SpanExportResult.FAILURE
    warnings = [r for r in caplog.records if r.name == "agentops_exporters"]
    assert len(warnings) == 1
    assert str(path) in warnings[0].getMessage()

    path.rmdir()
    assert exporter.export(batch) is SpanExportResult.SUCCESS
    assert len(read_requests(path)) == 1


def test_data_that_cannot_be_encoded_fails_the_export(tmp_path, caplog) -> None:
    exporter = OTLPJsonFileSpanExporter(tmp_path / "bad.jsonl")
    with caplog.at_level(logging.WARNING, logger="agentops_exporters"):
        for _ in range(2):
            assert exporter.export([object()]) is SpanExportResult.FAILURE  # type: ignore[list-item]
    assert len([r for r in caplog.records if r.name == "agentops_exporters"]) == 1
    assert not (tmp_path / "bad.jsonl").exists()


def test_export_after_shutdown_fails_quietly(tmp_path: Path) -> None:
    path = tmp_path / "late.jsonl"
    exporter = OTLPJsonFileSpanExporter(path)
    exporter.shutdown()
    assert exporter.export(one_span()) is SpanExportResult.FAILURE
    assert not path.exists()


@pytest.mark.parametrize(
    ("preference", "counts", "temporality"),
    [
        (None, [1, 2], AggregationTemporality.CUMULATIVE),
        ("delta", [1, 1], AggregationTemporality.DELTA),
        ("LowMemory", [1, 1], AggregationTemporality.DELTA),
    ],
)
def test_temporality_preference_from_the_otlp_variable(
    monkeypatch, tmp_path, preference, counts, temporality
) -> None:
    if preference is None:
        monkeypatch.delenv(TEMPORALITY_ENV, raising=False)
    else:
        monkeypatch.setenv(TEMPORALITY_ENV, preference)
    path = tmp_path / "temporality.jsonl"
    reader = PeriodicExportingMetricReader(
        OTLPJsonFileMetricExporter(path), export_interval_millis=3_600_000
    )
    provider = MeterProvider(metric_readers=[reader])
    meter = provider.get_meter("m")
    calls = meter.create_counter("gen_ai.calls")
    in_flight = meter.create_up_down_counter("gen_ai.in_flight")
    for _ in range(2):
        calls.add(1)
        in_flight.add(1)
        provider.force_flush()
    provider.shutdown()

    requests = of_type(read_requests(path), ExportMetricsServiceRequest)[:2]
    exported = [metrics_of([request]) for request in requests]
    assert [m["gen_ai.calls"].sum.data_points[0].as_int for m in exported] == counts
    assert {m["gen_ai.calls"].sum.aggregation_temporality for m in exported} == {temporality.value}
    # Up-down counters stay cumulative under every preference.
    assert [m["gen_ai.in_flight"].sum.data_points[0].as_int for m in exported] == [1, 2]


# --- end to end under opentelemetry-instrument ----------------------------------------------


def test_opentelemetry_instrument_writes_every_signal_to_the_file(emulator, tmp_path) -> None:
    path = tmp_path / "telemetry.otlp.jsonl"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("OTEL_", "OPENAI_", "AGENTOPS_"))
    }
    env.update(
        {
            "OPENAI_BASE_URL": emulator.openai_base_url,
            "OPENAI_API_KEY": "sk-file-test",
            "OTEL_PYTHON_DISTRO": "agentops",
            "OTEL_SERVICE_NAME": "file-export-app",
            "OTEL_TRACES_EXPORTER": "agentops_otlp_file",
            "OTEL_METRICS_EXPORTER": "agentops_otlp_file",
            "OTEL_LOGS_EXPORTER": "agentops_otlp_file",
            "OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT": "true",
            FILE_ENV: str(path),
        }
    )
    result = subprocess.run(
        [str(INSTRUMENT), sys.executable, str(CHAT_APP)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert "Traceback" not in result.stderr, result.stderr
    assert "reply: Emulated reply to: Say hello to the distro test" in result.stdout

    messages = read_requests(path)
    ((resource, span),) = spans_of(of_type(messages, ExportTraceServiceRequest))
    assert resource["service.name"] == "file-export-app"
    assert span.name == "chat gpt-4o-mini"
    span_attributes = attributes(span.attributes)
    assert span_attributes["gen_ai.usage.input_tokens"] > 0
    assert span_attributes["agentops.cost.status"] == "priced"
    assert span_attributes["agentops.cost.total_usd"] > 0

    metrics = metrics_of(of_type(messages, ExportMetricsServiceRequest))
    (duration,) = metrics["gen_ai.client.operation.duration"].histogram.data_points
    assert duration.count == 1
    assert attributes(duration.attributes)["gen_ai.request.model"] == "gpt-4o-mini"
    (cost,) = metrics["agentops.client.cost"].sum.data_points
    assert cost.as_double == pytest.approx(span_attributes["agentops.cost.total_usd"])

    (event,) = log_records_of(of_type(messages, ExportLogsServiceRequest))
    assert event.event_name == EVENT_NAME
    assert event.trace_id == span.trace_id
