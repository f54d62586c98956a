"""ensure_pipeline, the distro and the configurator, in process (fresh globals and
environment for each test: ``pipeline_helpers.fresh_process_state``)."""

from __future__ import annotations

import logging
import os

import openai
import pytest
from agentops.cost import CostSpanProcessor
from agentops.distro import AgentOpsConfigurator, AgentOpsDistro
from agentops.instrumentor import AgentOpsInstrumentor
from agentops.pipeline import ensure_pipeline, env_defaults, events_enabled
from opentelemetry import trace
from opentelemetry._logs import set_logger_provider
from opentelemetry.metrics import _internal as metrics_internal
from opentelemetry.metrics import set_meter_provider
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_ON
from otlp_receiver import GRPCReceiver, HTTPReceiver
from pipeline_helpers import emit_one_span_and_point, fresh_process_state, shut_down_globals

# The shared fixture, found by name here.
_fresh_process_state = fresh_process_state

API_KEY = "sk-agentops-secret-0123456789"

UserSetup = tuple[TracerProvider, MeterProvider, InMemorySpanExporter, InMemoryMetricReader]


def processors(provider: TracerProvider) -> list:
    return list(provider._active_span_processor._span_processors)


def cost_processors(provider: TracerProvider) -> list[CostSpanProcessor]:
    return [p for p in processors(provider) if isinstance(p, CostSpanProcessor)]


@pytest.fixture
def user_setup() -> tuple[
    TracerProvider, MeterProvider, InMemorySpanExporter, InMemoryMetricReader
]:
    """What an application that configured OpenTelemetry itself has."""
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider(
        resource=Resource.create({"service.name": "user-app"}), sampler=ALWAYS_ON
    )
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    trace.set_tracer_provider(tracer_provider)
    set_meter_provider(meter_provider)
    return tracer_provider, meter_provider, exporter, reader


def test_user_providers_are_reused_and_cost_added_once(user_setup, emulator) -> None:
    tracer_provider, meter_provider, exporter, reader = user_setup
    user_processor = processors(tracer_provider)[0]

    first = ensure_pipeline()
    second = ensure_pipeline()

    assert first.tracer_provider is tracer_provider
    assert first.meter_provider is meter_provider
    assert first.owned is False
    assert second.cost_processor is first.cost_processor
    assert processors(tracer_provider) == [user_processor, first.cost_processor]
    assert trace.get_tracer_provider() is tracer_provider
    assert tracer_provider.resource.attributes["service.name"] == "user-app"
    assert tracer_provider.sampler is ALWAYS_ON

    instrumentor = AgentOpsInstrumentor()
    instrumentor.instrument()
    try:
        client = openai.OpenAI(api_key="sk-test", base_url=emulator.openai_base_url, max_retries=0)
        client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi there"}]
        )
    finally:
        instrumentor.uninstrument()
    (span,) = exporter.get_finished_spans()
    assert span.attributes["agentops.cost.status"] == "priced"
    assert span.attributes["agentops.cost.total_usd"] > 0
    names = {
        metric.name
        for resource_metrics in reader.get_metrics_data().resource_metrics
        for scope_metrics in resource_metrics.scope_metrics
        for metric in scope_metrics.metrics
    }
    assert {"agentops.client.cost", "gen_ai.client.token.usage"} <= names


def test_a_cost_processor_the_user_added_is_kept(user_setup) -> None:
    tracer_provider = user_setup[0]
    theirs = CostSpanProcessor(preload=False)
    tracer_provider.add_span_processor(theirs)

    assert ensure_pipeline().cost_processor is theirs
    assert cost_processors(tracer_provider) == [theirs]


def test_cost_can_be_left_out(user_setup) -> None:
    result = ensure_pipeline(cost=False)
    assert result.cost_processor is None
    assert cost_processors(user_setup[0]) == []


def test_only_a_tracer_provider_set_is_still_the_users_choice() -> None:
    tracer_provider = TracerProvider()
    trace.set_tracer_provider(tracer_provider)

    result = ensure_pipeline()

    assert result.tracer_provider is tracer_provider
    assert result.meter_provider is None  # not built behind the user's back
    assert len(cost_processors(tracer_provider)) == 1
    assert not isinstance(metrics_internal.get_meter_provider(), MeterProvider)


def test_a_non_sdk_tracer_provider_gets_nothing(caplog) -> None:
    caplog.set_level(logging.INFO, logger="agentops")
    trace.set_tracer_provider(trace.NoOpTracerProvider())

    result = ensure_pipeline()

    assert result.tracer_provider is None
    assert result.cost_processor is None
    assert isinstance(trace.get_tracer_provider(), trace.NoOpTracerProvider)
    assert "not an OpenTelemetry SDK TracerProvider" in caplog.text


def test_nothing_set_builds_from_the_environment(caplog) -> None:
    caplog.set_level(logging.DEBUG)
    with HTTPReceiver() as receiver:
        os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.endpoint
        os.environ["OTEL_SERVICE_NAME"] = "built-app"
        first = ensure_pipeline(api_key=API_KEY, headers={"X-Project": "demo"})
        second = ensure_pipeline(api_key=API_KEY)
        emit_one_span_and_point()
        shut_down_globals()

    assert first.owned and second.owned
    assert first.tracer_provider is second.tracer_provider is trace.get_tracer_provider()
    assert isinstance(first.meter_provider, MeterProvider)
    assert first.logger_provider is None  # GenAI events are off
    assert cost_processors(first.tracer_provider) == [first.cost_processor]
    # The distro's defaults, applied where nothing was set.
    assert os.environ["OTEL_EXPORTER_OTLP_PROTOCOL"] == "http/protobuf"
    assert os.environ["OTEL_LOGS_EXPORTER"] == "none"
    (span,) = receiver.spans()
    assert span.resource["service.name"] == "built-app"
    for signal in ("traces", "metrics"):
        headers = receiver.headers(signal)
        assert headers, f"no {signal} export"
        for sent in headers:
            assert sent["authorization"] == f"Bearer {API_KEY}"
            assert sent["x-project"] == "demo"
    assert API_KEY not in caplog.text


def test_api_key_over_grpc() -> None:
    with GRPCReceiver() as receiver:
        os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.endpoint
        os.environ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc"
        ensure_pipeline(api_key=API_KEY, headers={"X-Project": "demo"})
        emit_one_span_and_point()
        shut_down_globals()

    for signal in ("traces", "metrics"):
        (metadata, *_) = receiver.headers(signal)
        assert metadata["authorization"] == f"Bearer {API_KEY}"
        assert metadata["x-project"] == "demo"


@pytest.mark.parametrize(
    ("receiver_type", "protocol"), [(HTTPReceiver, "http/protobuf"), (GRPCReceiver, "grpc")]
)
@pytest.mark.parametrize(
    "variable", ["OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_METRICS_HEADERS"]
)
def test_configured_headers_replace_the_api_key(receiver_type, protocol, variable, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    with receiver_type() as receiver:
        os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.endpoint
        os.environ["OTEL_EXPORTER_OTLP_PROTOCOL"] = protocol
        os.environ[variable] = "authorization=Basic%20dXNlcg==,x-team=core"
        ensure_pipeline(api_key=API_KEY, headers={"x-project": "demo"})
        emit_one_span_and_point()
        shut_down_globals()

    # Whoever set an OTLP header variable chose how to authenticate: nothing from code is
    # sent, on any signal.
    sent = receiver.headers("traces") + receiver.headers("metrics")
    assert {headers.get("x-project") for headers in sent} == {None}
    assert f"Bearer {API_KEY}" not in {headers.get("authorization") for headers in sent}
    (metrics_headers, *_) = receiver.headers("metrics")
    assert metrics_headers["authorization"] == "Basic dXNlcg=="
    assert metrics_headers["x-team"] == "core"
    assert f"{variable} set: OTLP headers come from the environment" in caplog.text
    assert API_KEY not in caplog.text


def test_logger_provider_only_when_events_are_on(user_setup) -> None:
    logger_provider = LoggerProvider()
    set_logger_provider(logger_provider)
    assert ensure_pipeline().logger_provider is None

    os.environ["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] = "SPAN_AND_EVENT"
    assert ensure_pipeline().logger_provider is logger_provider


@pytest.mark.parametrize(
    ("emit", "content", "expected"),
    [
        (None, None, False),
        ("true", None, True),
        ("TRUE", "false", True),
        ("false", "EVENT_ONLY", False),
        (None, "event_only", True),
        (None, "SPAN_AND_EVENT", True),
        (None, "SPAN_ONLY", False),
        (None, "true", False),
        ("maybe", "EVENT_ONLY", True),
    ],
)
def test_events_enabled_reads_like_util_genai(emit, content, expected) -> None:
    if emit is not None:
        os.environ["OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT"] = emit
    if content is not None:
        os.environ["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] = content
    assert events_enabled() is expected


def test_distro_sets_defaults() -> None:
    AgentOpsDistro().configure()

    assert {name: os.environ[name] for name in env_defaults()} == {
        "OTEL_TRACES_EXPORTER": "otlp",
        "OTEL_METRICS_EXPORTER": "otlp",
        "OTEL_LOGS_EXPORTER": "none",
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
    }
    assert os.environ["OTEL_PYTHON_CONFIGURATOR"] == "agentops"


def test_distro_defaults_never_override() -> None:
    explicit = {
        "OTEL_TRACES_EXPORTER": "console",
        "OTEL_METRICS_EXPORTER": "none",
        "OTEL_LOGS_EXPORTER": "console",
        "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
        "OTEL_PYTHON_CONFIGURATOR": "configurator",
    }
    os.environ.update(explicit)
    AgentOpsDistro().configure()
    assert {name: os.environ[name] for name in explicit} == explicit


def test_distro_exports_logs_when_events_are_on() -> None:
    os.environ["OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT"] = "true"
    AgentOpsDistro().configure()
    assert os.environ["OTEL_LOGS_EXPORTER"] == "otlp"


def test_configurator_builds_the_pipeline() -> None:
    with HTTPReceiver() as receiver:
        os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.endpoint
        AgentOpsConfigurator().configure(auto_instrumentation_version="9.9b9")
        emit_one_span_and_point()
        shut_down_globals()

    (span,) = receiver.spans()
    assert span.resource["telemetry.auto.version"] == "9.9b9"
    assert len(cost_processors(trace.get_tracer_provider())) == 1


def test_a_config_file_is_left_to_the_sdk(tmp_path) -> None:
    os.environ["OTEL_CONFIG_FILE"] = str(tmp_path / "otel.yaml")
    # The SDK's own configurator reads it and says what is wrong: newer SDKs that
    # opentelemetry-configuration is not installed, SDK 1.43 (which reads the file itself)
    # that there is no such file.
    refusal = r"opentelemetry-configuration|Configuration file not found"
    with pytest.raises(Exception, match=refusal):
        ensure_pipeline()
