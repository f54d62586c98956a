"""End to end: an app with no OpenTelemetry code under ``opentelemetry-instrument`` with the
``agentops`` distro, exporting to an OTLP receiver inside the test process.

Each run is a subprocess (a fresh interpreter is the only way to see what auto-configuration
does). Export happens at the latest when the app exits (shutdown flush), so everything the app
produced has reached the receiver once ``subprocess.run`` returns.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import genai_prices
import pytest
from otlp_receiver import GRPCReceiver, HTTPReceiver, OTLPReceiver, ReceivedSpan

APP = Path(__file__).resolve().parent / "apps" / "chat_app.py"
ROOT = Path(__file__).resolve().parents[2]
INSTRUMENT = Path(sys.executable).parent / "opentelemetry-instrument"

SERVICE_NAME = "distro-test-app"
GENAI_METRICS = ("gen_ai.client.operation.duration", "gen_ai.client.token.usage")
COST_METRIC = "agentops.client.cost"


def run_app(emulator, **overrides: str | None) -> subprocess.CompletedProcess[str]:
    """Run the app under opentelemetry-instrument; ``None`` removes a variable."""
    env = {
        key: value
        for key, value in os.environ.items()
        # The caller's telemetry settings must not leak into the run.
        if not key.startswith(("OTEL_", "OPENAI_", "AGENTOPS_"))
    }
    env.update(
        {
            "OPENAI_BASE_URL": emulator.openai_base_url,
            "OPENAI_API_KEY": "sk-distro-test",
            # Named as the docs tell users with another distro installed (ours then names our
            # configurator), so the run does not depend on which distros are installed.
            "OTEL_PYTHON_DISTRO": "agentops",
            "OTEL_SERVICE_NAME": SERVICE_NAME,
            "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment.name=test,team=llm-platform",
            "OTEL_BSP_SCHEDULE_DELAY": "50",
            "OTEL_METRIC_EXPORT_INTERVAL": "500",
        }
    )
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    result = subprocess.run(
        [str(INSTRUMENT), sys.executable, str(APP)],
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
    return result


def expected_cost(span: ReceivedSpan) -> float:
    """genai-prices' own price of the usage the span reports."""
    attributes = span.attributes
    usage = genai_prices.Usage(
        input_tokens=attributes["gen_ai.usage.input_tokens"],
        output_tokens=attributes["gen_ai.usage.output_tokens"],
    )
    tier = attributes.get("openai.response.service_tier") or attributes.get(
        "gen_ai.openai.response.service_tier"
    )
    price = genai_prices.calc_price(
        usage,
        attributes["gen_ai.response.model"],
        provider_id="openai",
        genai_request_timestamp=datetime.fromtimestamp(span.start_time_ns / 1e9, tz=UTC),
        price_context={"service_tier": tier} if tier else None,
    )
    return float(price.total_price)


def only_chat_span(receiver: OTLPReceiver) -> ReceivedSpan:
    spans = receiver.spans()
    assert [span.name for span in spans] == ["chat gpt-4o-mini"]
    return spans[0]


def assert_chat_span_with_cost(span: ReceivedSpan) -> None:
    attributes = span.attributes
    assert span.scope == "opentelemetry.instrumentation.agentops.openai"
    assert attributes["gen_ai.operation.name"] == "chat"
    assert attributes["gen_ai.provider.name"] == "openai"
    assert attributes["gen_ai.request.model"] == "gpt-4o-mini"
    assert attributes["gen_ai.usage.input_tokens"] > 0
    assert attributes["gen_ai.usage.output_tokens"] > 0
    assert attributes["agentops.cost.status"] == "priced"
    assert attributes["agentops.cost.price_source"] == "genai-prices"
    assert attributes["agentops.cost.total_usd"] > 0
    assert attributes["agentops.cost.total_usd"] == pytest.approx(expected_cost(span), rel=1e-9)


def assert_resource(resource: dict) -> None:
    assert resource["service.name"] == SERVICE_NAME
    assert resource["deployment.environment.name"] == "test"
    assert resource["team"] == "llm-platform"
    assert resource["telemetry.sdk.name"] == "opentelemetry"
    assert "telemetry.auto.version" in resource  # set by opentelemetry-instrument


def assert_metrics(receiver: OTLPReceiver, span: ReceivedSpan) -> None:
    metrics = receiver.metrics()
    for name in (*GENAI_METRICS, COST_METRIC):
        assert name in metrics, f"{name} not received; got {sorted(metrics)}"
        assert_resource(metrics[name][-1].resource)
    (duration,) = metrics["gen_ai.client.operation.duration"][-1].points
    assert duration.count == 1
    assert duration.attributes["gen_ai.request.model"] == "gpt-4o-mini"
    token_points = metrics["gen_ai.client.token.usage"][-1].points
    assert {point.attributes["gen_ai.token.type"] for point in token_points} == {"input", "output"}
    (cost,) = metrics[COST_METRIC][-1].points
    assert metrics[COST_METRIC][-1].unit == "USD"
    assert cost.value == pytest.approx(span.attributes["agentops.cost.total_usd"], rel=1e-9)
    assert cost.attributes["gen_ai.request.model"] == "gpt-4o-mini"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_http_protobuf_by_default(emulator) -> None:
    with HTTPReceiver() as receiver:
        run_app(emulator, OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint)

    span = only_chat_span(receiver)
    assert_chat_span_with_cost(span)
    assert_resource(span.resource)
    assert_metrics(receiver, span)
    (trace_headers, *_) = receiver.headers("traces")
    assert trace_headers["content-type"] == "application/x-protobuf"
    assert trace_headers["user-agent"].startswith("OTel-OTLP-Exporter-Python")
    # GenAI events are off, so the distro's default leaves logs unexported.
    assert receiver.requests("logs") == []


def test_grpc_when_the_protocol_says_so(emulator) -> None:
    with GRPCReceiver() as receiver:
        run_app(
            emulator,
            OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint,
            OTEL_EXPORTER_OTLP_PROTOCOL="grpc",
        )

    span = only_chat_span(receiver)
    assert_chat_span_with_cost(span)
    assert_resource(span.resource)
    assert_metrics(receiver, span)
    assert receiver.headers("traces")[0]["user-agent"].startswith("OTel-OTLP-Exporter-Python")


@pytest.mark.parametrize(
    ("receiver_type", "protocol"), [(HTTPReceiver, "http/protobuf"), (GRPCReceiver, "grpc")]
)
def test_otlp_headers_reach_the_receiver(emulator, receiver_type, protocol) -> None:
    with receiver_type() as receiver:
        run_app(
            emulator,
            OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint,
            OTEL_EXPORTER_OTLP_PROTOCOL=protocol,
            OTEL_EXPORTER_OTLP_HEADERS="x-tenant=acme,authorization=Bearer%20collector-token",
        )

    for signal in ("traces", "metrics"):
        headers = receiver.headers(signal)
        assert headers, f"no {signal} request"
        assert all(h["x-tenant"] == "acme" for h in headers)
        assert all(h["authorization"] == "Bearer collector-token" for h in headers)


def test_disabled_instrumentation_emits_no_genai_telemetry(emulator) -> None:
    with HTTPReceiver() as receiver:
        run_app(
            emulator,
            OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint,
            OTEL_PYTHON_DISABLED_INSTRUMENTATIONS="openai",
        )

    assert receiver.spans() == []
    assert not set(receiver.metrics()) & {*GENAI_METRICS, COST_METRIC}


def _cost_total(metrics: dict) -> float:
    """The run's cost: each series' value in its last export (cumulative sums repeat per export,
    and how many exports a run makes depends on timing)."""
    last_by_series: dict[str, float] = {}
    for export in metrics.get(COST_METRIC, []):
        for point in export.points:
            key = repr((sorted(export.resource.items()), sorted(point.attributes.items())))
            last_by_series[key] = point.value
    return sum(last_by_series.values())


def test_always_off_sampler_drops_spans_not_metrics_nor_cost(emulator) -> None:
    with HTTPReceiver() as sampled:
        run_app(emulator, OTEL_EXPORTER_OTLP_ENDPOINT=sampled.endpoint)
    with HTTPReceiver() as receiver:
        run_app(
            emulator,
            OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint,
            OTEL_TRACES_SAMPLER="always_off",
        )

    assert receiver.spans() == []
    metrics = receiver.metrics()
    assert set(GENAI_METRICS) <= set(metrics)
    # Cost is computed for every call, sampled or not, before its span ends.
    assert _cost_total(sampled.metrics()) > 0
    assert _cost_total(metrics) == pytest.approx(_cost_total(sampled.metrics()))


def test_explicit_environment_beats_distro_defaults(emulator) -> None:
    with HTTPReceiver() as receiver:
        result = run_app(
            emulator,
            OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint,
            OTEL_TRACES_EXPORTER="console",
            OTEL_METRICS_EXPORTER="none",
        )

    assert receiver.requests() == []
    assert '"name": "chat gpt-4o-mini"' in result.stdout
    assert '"agentops.cost.status": "priced"' in result.stdout


# The distro and the instrumentations read the switch with one parser: "1" counts as "true".
@pytest.mark.parametrize("switch", ["true", "1"])
def test_genai_events_turn_on_the_logs_pipeline(emulator, switch: str) -> None:
    with HTTPReceiver() as receiver:
        run_app(
            emulator,
            OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint,
            OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT=switch,
        )

    assert_chat_span_with_cost(only_chat_span(receiver))
    (event,) = receiver.logs()
    assert event.event_name == "gen_ai.client.inference.operation.details"
    assert event.attributes["gen_ai.request.model"] == "gpt-4o-mini"
    assert event.resource["service.name"] == SERVICE_NAME


def test_prometheus_metrics_exporter(emulator) -> None:
    port = free_port()
    with HTTPReceiver() as receiver:
        result = run_app(
            emulator,
            OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint,
            OTEL_METRICS_EXPORTER="prometheus",
            OTEL_EXPORTER_PROMETHEUS_HOST="127.0.0.1",
            OTEL_EXPORTER_PROMETHEUS_PORT=str(port),
            SCRAPE_URL=f"http://127.0.0.1:{port}/metrics",
        )

    assert_chat_span_with_cost(only_chat_span(receiver))
    assert receiver.requests("metrics") == []
    scraped = result.stdout
    assert "gen_ai_client_token_usage" in scraped
    assert "gen_ai_client_operation_duration" in scraped
    assert "agentops_client_cost" in scraped


# An unreachable, failing or silent collector: tests/distro/test_export_health.py.
