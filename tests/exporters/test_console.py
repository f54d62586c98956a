"""The console exporters fed by real SDK pipelines: exact lines, tables and failure handling."""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Iterator
from importlib.metadata import entry_points

import pytest
from agentops_exporters import LLMConsoleMetricExporter, LLMConsoleSpanExporter
from agentops_exporters import metrics as metrics_module
from opentelemetry.sdk._configuration import _import_exporters
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import (
    AggregationTemporality,
    InMemoryMetricReader,
    MetricExportResult,
    PeriodicExportingMetricReader,
)
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExportResult,
)
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Status, StatusCode

START_NS = 1_700_000_000_000_000_000
MS = 1_000_000

CHAT = {
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": "openai",
    "gen_ai.request.model": "gpt-4o-mini",
    "server.address": "api.openai.com",
    "server.port": 443,
}


class BrokenStream(io.TextIOBase):
    """A stdout whose reader went away."""

    def write(self, text: str) -> int:
        raise OSError(32, "Broken pipe")


def record_span(
    exporter: LLMConsoleSpanExporter,
    attributes: dict,
    *,
    duration_ms: int,
    name: str = "chat gpt-4o-mini",
    error: str | None = None,
) -> None:
    """Create and end one span through a real TracerProvider and SimpleSpanProcessor."""
    # Not shut down: that would shut the exporter down too, and tests reuse it.
    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    span = provider.get_tracer("test").start_span(name, attributes=attributes, start_time=START_NS)
    if error is not None:
        span.set_status(Status(StatusCode.ERROR, error))
    span.end(end_time=START_NS + duration_ms * MS)


def finished_span(attributes: dict, duration_ms: int = 5) -> ReadableSpan:
    memory = InMemorySpanExporter()
    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(SimpleSpanProcessor(memory))
    span = provider.get_tracer("test").start_span(
        "chat", attributes=attributes, start_time=START_NS
    )
    span.end(end_time=START_NS + duration_ms * MS)
    return memory.get_finished_spans()[0]


@pytest.fixture(autouse=True)
def _no_env_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AGENTOPS_CONSOLE_VERBOSE", raising=False)
    monkeypatch.delenv("AGENTOPS_CONSOLE_METRICS_TEMPORALITY", raising=False)


# --- spans -------------------------------------------------------------------------------


def test_stream_span_line() -> None:
    out = io.StringIO()
    attributes = {
        **CHAT,
        "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
        "gen_ai.request.stream": True,
        "gen_ai.usage.input_tokens": 12,
        "gen_ai.usage.output_tokens": 34,
        "gen_ai.response.time_to_first_chunk": 0.085,
        "gen_ai.response.finish_reasons": ("stop",),
    }
    record_span(LLMConsoleSpanExporter(out=out), attributes, duration_ms=412)
    assert out.getvalue() == (
        "✓ chat        openai    gpt-4o-mini → gpt-4o-mini-2024-07-18  in 12  out 34    "
        "cost n/a     412 ms  OK  (stream, first chunk 85 ms)\n"
    )


def test_error_span_line() -> None:
    out = io.StringIO()
    attributes = {**CHAT, "error.type": "openai.RateLimitError"}
    record_span(LLMConsoleSpanExporter(out=out), attributes, duration_ms=95, error="429")
    assert out.getvalue() == (
        "✗ chat        openai    gpt-4o-mini             no usage         cost n/a      95 ms  "
        "openai.RateLimitError\n"
    )


def test_span_with_cost_and_detailed_usage() -> None:
    out = io.StringIO()
    attributes = {
        **CHAT,
        "gen_ai.response.model": "gpt-4o-mini",
        "gen_ai.usage.input_tokens": 120,
        "gen_ai.usage.output_tokens": 48,
        "gen_ai.usage.cache_read.input_tokens": 100,
        "gen_ai.usage.reasoning.output_tokens": 16,
        "agentops.cost.total_usd": 0.0000213,
        "agentops.cost.status": "priced",
    }
    record_span(LLMConsoleSpanExporter(out=out), attributes, duration_ms=1234)
    assert out.getvalue() == (
        "✓ chat        openai    gpt-4o-mini             "
        "in 120  out 48  cache-read 100  reasoning 16  $0.000021   1234 ms  OK\n"
    )


def test_unknown_model_cost_status_shows_not_available() -> None:
    out = io.StringIO()
    attributes = {
        **CHAT,
        "gen_ai.usage.input_tokens": 3,
        "gen_ai.usage.output_tokens": 4,
        "agentops.cost.status": "unknown_model",
    }
    record_span(LLMConsoleSpanExporter(out=out), attributes, duration_ms=7)
    assert out.getvalue() == (
        "✓ chat        openai    gpt-4o-mini             in 3  out 4      cost n/a       7 ms  OK\n"
    )


def test_span_without_usage() -> None:
    out = io.StringIO()
    record_span(LLMConsoleSpanExporter(out=out), dict(CHAT), duration_ms=20)
    assert out.getvalue() == (
        "✓ chat        openai    gpt-4o-mini             no usage         cost n/a      20 ms  OK\n"
    )


def test_embeddings_span_shows_input_tokens_only() -> None:
    out = io.StringIO()
    attributes = {
        "gen_ai.operation.name": "embeddings",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "text-embedding-3-small",
        "gen_ai.usage.input_tokens": 5,
    }
    record_span(LLMConsoleSpanExporter(out=out), attributes, duration_ms=3)
    assert out.getvalue() == (
        "✓ embeddings  openai    text-embedding-3-small  in 5             cost n/a       3 ms  OK\n"
    )


def test_non_genai_span_gets_a_short_generic_line() -> None:
    out = io.StringIO()
    exporter = LLMConsoleSpanExporter(out=out)
    record_span(exporter, {"http.route": "/ask"}, duration_ms=3, name="GET /ask")
    record_span(exporter, {}, duration_ms=9, name="load profile", error="boom")
    assert out.getvalue() == "· GET /ask  3 ms  OK\n✗ load profile  9 ms  ERROR\n"


def test_non_genai_spans_can_be_left_out() -> None:
    out = io.StringIO()
    exporter = LLMConsoleSpanExporter(out=out, other_spans=False)
    record_span(exporter, {"http.route": "/ask"}, duration_ms=3, name="GET /ask")
    record_span(exporter, dict(CHAT), duration_ms=20)
    assert out.getvalue().splitlines() == [
        "✓ chat        openai    gpt-4o-mini             no usage         cost n/a      20 ms  OK"
    ]


def test_verbose_from_environment_prints_every_attribute(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTOPS_CONSOLE_VERBOSE", "true")
    out = io.StringIO()
    attributes = {
        **CHAT,
        "error.type": "openai.APIConnectionError",
        "gen_ai.response.finish_reasons": ("stop", "length"),
        "gen_ai.request.stream": True,
    }
    record_span(
        LLMConsoleSpanExporter(out=out), attributes, duration_ms=8, error="Connection error."
    )
    assert out.getvalue() == (
        "✗ chat        openai    gpt-4o-mini             no usage         cost n/a       8 ms  "
        "openai.APIConnectionError  (stream)\n"
        "    error.type = openai.APIConnectionError\n"
        "    gen_ai.operation.name = chat\n"
        "    gen_ai.provider.name = openai\n"
        "    gen_ai.request.model = gpt-4o-mini\n"
        "    gen_ai.request.stream = true\n"
        '    gen_ai.response.finish_reasons = ["stop", "length"]\n'
        "    server.address = api.openai.com\n"
        "    server.port = 443\n"
        "    status: Connection error.\n"
    )


def test_broken_stream_returns_failure_and_logs_once(caplog: pytest.LogCaptureFixture) -> None:
    exporter = LLMConsoleSpanExporter(out=BrokenStream())
    span = finished_span(dict(CHAT))
    with caplog.at_level(logging.WARNING, logger="agentops_exporters"):
        assert exporter.export([span]) is SpanExportResult.FAILURE
        assert exporter.export([span]) is SpanExportResult.FAILURE
    assert len(caplog.records) == 1
    assert "Broken pipe" in caplog.records[0].getMessage()


def test_broken_stream_does_not_break_the_sdk_pipeline() -> None:
    # Through the SDK's own processor: ending the span must not raise.
    record_span(LLMConsoleSpanExporter(out=BrokenStream()), dict(CHAT), duration_ms=1)


def test_closed_stream_returns_failure() -> None:
    out = io.StringIO()
    out.close()
    assert LLMConsoleSpanExporter(out=out).export([finished_span(dict(CHAT))]) is (
        SpanExportResult.FAILURE
    )


def test_stream_that_cannot_encode_the_marks_gets_ascii() -> None:
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="ascii")
    attributes = {**CHAT, "gen_ai.response.model": "gpt-4o-mini-2024-07-18"}
    assert LLMConsoleSpanExporter(out=out).export([finished_span(attributes)]) is (
        SpanExportResult.SUCCESS
    )
    assert (
        raw.getvalue()
        .decode("ascii")
        .startswith("+ chat        openai    gpt-4o-mini > gpt-4o-mini-2024-07-18  no usage")
    )


def test_default_output_is_the_current_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    record_span(LLMConsoleSpanExporter(), dict(CHAT), duration_ms=20)
    assert capsys.readouterr().out.startswith("✓ chat        openai")


def test_concurrent_exports_never_mix_lines() -> None:
    out = io.StringIO()
    exporter = LLMConsoleSpanExporter(out=out)
    span = finished_span({**CHAT, "gen_ai.usage.input_tokens": 1}, duration_ms=2)

    def export_many() -> None:
        for _ in range(200):
            exporter.export([span, span])

    threads = [threading.Thread(target=export_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = out.getvalue().splitlines()
    assert len(lines) == 8 * 200 * 2
    assert set(lines) == {
        "✓ chat        openai    gpt-4o-mini             in 1             cost n/a       2 ms  OK"
    }


def test_export_after_shutdown_fails_quietly() -> None:
    out = io.StringIO()
    exporter = LLMConsoleSpanExporter(out=out)
    exporter.shutdown()
    assert exporter.export([finished_span(dict(CHAT))]) is SpanExportResult.FAILURE
    assert out.getvalue() == ""


# --- metrics -----------------------------------------------------------------------------


@pytest.fixture
def meter_setup() -> Iterator[tuple[MeterProvider, io.StringIO]]:
    out = io.StringIO()
    reader = PeriodicExportingMetricReader(
        LLMConsoleMetricExporter(out=out), export_interval_millis=10_000_000
    )
    provider = MeterProvider(
        metric_readers=[reader], resource=Resource.create({"service.name": "svc"})
    )
    yield provider, out
    # Each test shuts the provider down itself, where its output is part of the assertion.


def record_calls(provider: MeterProvider) -> None:
    meter = provider.get_meter("opentelemetry.instrumentation.agentops.openai")
    duration = meter.create_histogram("gen_ai.client.operation.duration", unit="s")
    tokens = meter.create_histogram("gen_ai.client.token.usage", unit="{token}")
    other = meter.create_counter("http.client.requests")
    chat = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.response.model": "gpt-4o-mini",
    }
    # Two ports: the rows merge them, as server.* is not a column.
    duration.record(0.412, {**chat, "server.port": 443})
    duration.record(0.100, {**chat, "server.port": 8443})
    duration.record(0.050, {**chat, "error.type": "openai.RateLimitError"})
    tokens.record(12, {**chat, "gen_ai.token.type": "input"})
    tokens.record(30, {**chat, "gen_ai.token.type": "input"})
    tokens.record(34, {**chat, "gen_ai.token.type": "output"})
    other.add(1)


FIRST_TABLE = """
GenAI metrics (cumulative since start, service svc):
  metric                                operation  provider  model        token   error                  count       sum       avg       min       max
  gen_ai.client.operation.duration [s]  chat       openai    gpt-4o-mini  -       -                          2  512.0 ms  256.0 ms  100.0 ms  412.0 ms
  gen_ai.client.operation.duration [s]  chat       openai    gpt-4o-mini  -       openai.RateLimitError      1   50.0 ms   50.0 ms   50.0 ms   50.0 ms
  gen_ai.client.token.usage [{token}]   chat       openai    gpt-4o-mini  input   -                          2        42        21        12        30
  gen_ai.client.token.usage [{token}]   chat       openai    gpt-4o-mini  output  -                          1        34        34        34        34
"""  # noqa: E501


def test_metrics_table(meter_setup: tuple[MeterProvider, io.StringIO]) -> None:
    provider, out = meter_setup
    record_calls(provider)
    provider.force_flush()
    assert out.getvalue() == FIRST_TABLE
    provider.shutdown()


def test_cumulative_tables_keep_totals_and_one_is_printed_at_shutdown(
    meter_setup: tuple[MeterProvider, io.StringIO],
) -> None:
    provider, out = meter_setup
    record_calls(provider)
    provider.force_flush()
    record_calls(provider)
    provider.shutdown()
    tables = out.getvalue().split("\nGenAI metrics")
    assert len(tables) == 3  # "", first export, the export at shutdown
    last = [line.split() for line in tables[2].splitlines()[2:]]
    assert last[0] == [
        *("gen_ai.client.operation.duration", "[s]", "chat", "openai", "gpt-4o-mini", "-", "-"),
        *("4", "1024.0", "ms", "256.0", "ms", "100.0", "ms", "412.0", "ms"),
    ]
    assert last[2][-7:] == ["input", "-", "4", "84", "21", "12", "30"]


def test_delta_temporality_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTOPS_CONSOLE_METRICS_TEMPORALITY", "delta")
    out = io.StringIO()
    exporter = LLMConsoleMetricExporter(out=out)
    reader = PeriodicExportingMetricReader(exporter, export_interval_millis=10_000_000)
    provider = MeterProvider(metric_readers=[reader])
    record_calls(provider)
    provider.force_flush()
    record_calls(provider)
    provider.force_flush()
    provider.force_flush()  # nothing new: a delta export without points prints nothing
    provider.shutdown()
    tables = out.getvalue().split("\nGenAI metrics")[1:]
    assert len(tables) == 2
    for table in tables:
        assert table.startswith(" (delta since the previous export")
        assert "      2  512.0 ms  256.0 ms  100.0 ms  412.0 ms" in table


def test_explicit_temporality_preference_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTOPS_CONSOLE_METRICS_TEMPORALITY", "delta")
    from opentelemetry.sdk.metrics import Histogram

    preference = {Histogram: AggregationTemporality.CUMULATIVE}
    exporter = LLMConsoleMetricExporter(out=io.StringIO(), preferred_temporality=preference)
    assert exporter._preferred_temporality == preference


def test_cost_counter_and_no_genai_metrics() -> None:
    out = io.StringIO()
    reader = PeriodicExportingMetricReader(
        LLMConsoleMetricExporter(out=out), export_interval_millis=10_000_000
    )
    provider = MeterProvider(metric_readers=[reader])
    meter = provider.get_meter("test")
    meter.create_counter("http.client.requests").add(1)
    provider.force_flush()
    assert out.getvalue() == ""  # nothing GenAI: no table
    cost = meter.create_counter("agentops.client.cost", unit="USD")
    cost.add(0.000021, {"gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini"})
    cost.add(0.000004, {"gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini"})
    provider.shutdown()
    assert out.getvalue().splitlines()[-1].split() == [
        "agentops.client.cost",
        "[USD]",
        "-",
        "openai",
        "gpt-4o-mini",
        "-",
        "-",
        "$0.000025",
    ]


def test_metric_export_with_broken_stream_returns_failure(
    caplog: pytest.LogCaptureFixture,
) -> None:
    reader = InMemoryMetricReader()
    provider = MeterProvider(metric_readers=[reader])
    record_calls(provider)
    data = reader.get_metrics_data()
    assert data is not None
    exporter = LLMConsoleMetricExporter(out=BrokenStream())
    with caplog.at_level(logging.WARNING, logger="agentops_exporters"):
        assert exporter.export(data) is MetricExportResult.FAILURE
        assert exporter.export(data) is MetricExportResult.FAILURE
    assert len(caplog.records) == 1
    provider.shutdown()


def test_span_lines_are_flushed_before_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.StringIO()
    tracer_provider = TracerProvider()
    # A batch processor that would hold the span far longer than the test runs.
    tracer_provider.add_span_processor(
        BatchSpanProcessor(LLMConsoleSpanExporter(out=out), schedule_delay_millis=10_000_000)
    )
    monkeypatch.setattr(metrics_module.trace, "get_tracer_provider", lambda: tracer_provider)
    tracer_provider.get_tracer("t").start_span("chat", attributes=dict(CHAT)).end()
    reader = PeriodicExportingMetricReader(
        LLMConsoleMetricExporter(out=out), export_interval_millis=10_000_000
    )
    meter_provider = MeterProvider(metric_readers=[reader])
    record_calls(meter_provider)
    meter_provider.shutdown()
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("✓ chat        openai")
    assert lines[2].startswith("GenAI metrics (cumulative since start")
    tracer_provider.shutdown()


# --- configuration ------------------------------------------------------------------------


def test_entry_points_resolve_and_need_no_arguments() -> None:
    # The SDK's configurator calls each exporter class with no arguments.
    span_exporters, metric_exporters, _ = _import_exporters(["llm_console"], ["llm_console"], [])
    assert span_exporters["llm_console"] is LLMConsoleSpanExporter
    assert metric_exporters["llm_console"] is LLMConsoleMetricExporter
    for group in ("opentelemetry_traces_exporter", "opentelemetry_metrics_exporter"):
        (entry_point,) = entry_points(group=group, name="llm_console")
        exporter = entry_point.load()()
        exporter.shutdown()
