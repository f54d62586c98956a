"""The api key: the OTLP ``authorization`` header unless OTLP headers are configured, and
never in logs or telemetry.

The end-to-end tests run ``examples/seed_client_app.py`` (the seed's own code) in a fresh
interpreter, where ``Client.configure`` builds the pipeline from the environment, against
the emulator and an OTLP receiver inside the test process.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import agentops.pipeline
import pytest
import test_client_helpers as helpers
from agentops import Client
from agentops.api_key import key_for_otlp
from otlp_receiver import HTTPReceiver
from test_client_helpers import (
    chat,
    configure,
    openai_client,
)

# Fixtures shared through the helpers module (pytest finds them by name here).
_isolated_hooks = helpers._isolated_hooks
logs = helpers.logs

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "examples" / "seed_client_app.py"
SECRET = "agentops-secret-key-4f9a7c1e"
HEADER_VARIABLES = (
    "OTEL_EXPORTER_OTLP_HEADERS",
    "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
    "OTEL_EXPORTER_OTLP_METRICS_HEADERS",
    "OTEL_EXPORTER_OTLP_LOGS_HEADERS",
)

# Runs the app with every logger at DEBUG on stderr, so the test sees everything it logs.
RUNNER = (
    "import logging, runpy, sys; "
    "logging.basicConfig(level=logging.DEBUG, stream=sys.stderr); "
    "runpy.run_path(sys.argv[1], run_name='__main__')"
)


@pytest.fixture
def no_header_variables(monkeypatch):
    for name in HEADER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    # configure() defaults the logs exporter when it is about to build the pipeline: keep
    # the test process's environment as it was.
    monkeypatch.setenv("OTEL_LOGS_EXPORTER", "none")


def test_key_is_used_when_no_headers_are_configured(no_header_variables):
    assert key_for_otlp(SECRET) == SECRET
    assert key_for_otlp("") is None
    assert key_for_otlp(None) is None


@pytest.mark.parametrize("variable", HEADER_VARIABLES)
def test_key_is_not_used_when_headers_are_configured(no_header_variables, monkeypatch, variable):
    monkeypatch.setenv(variable, "x-team=llm")
    assert key_for_otlp(SECRET) is None


def test_configure_hands_the_key_to_the_pipeline(no_header_variables, monkeypatch, telemetry):
    calls = []

    def fake_ensure_pipeline(**kwargs):
        calls.append(kwargs)
        return agentops.pipeline.Pipeline(
            tracer_provider=telemetry.tracer_provider,
            meter_provider=telemetry.meter_provider,
            logger_provider=None,
            cost_processor=None,
            owned=True,
        )

    monkeypatch.setattr(agentops.pipeline, "ensure_pipeline", fake_ensure_pipeline)
    client = Client()
    try:
        client.configure(api_key=SECRET, llm_config={"track_costs": False})
    finally:
        client.uninstrument()
    assert calls == [{"api_key": SECRET, "cost": False}]


def test_configure_withholds_the_key_when_headers_are_set(
    no_header_variables, monkeypatch, telemetry, caplog
):
    calls = []

    def fake_ensure_pipeline(**kwargs):
        calls.append(kwargs)
        return agentops.pipeline.Pipeline(
            tracer_provider=telemetry.tracer_provider,
            meter_provider=telemetry.meter_provider,
            logger_provider=None,
            cost_processor=None,
            owned=True,
        )

    monkeypatch.setattr(agentops.pipeline, "ensure_pipeline", fake_ensure_pipeline)
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "authorization=Basic abc")
    client = Client()
    with caplog.at_level(logging.DEBUG):
        try:
            client.configure(api_key=SECRET)
        finally:
            client.uninstrument()
    assert calls[0]["api_key"] is None
    assert any("OTEL_EXPORTER_OTLP_TRACES_HEADERS" in r.getMessage() for r in caplog.records)
    assert SECRET not in caplog.text


def test_key_never_in_logs_or_in_process_telemetry(emulator, telemetry, logs, caplog):
    client = Client()
    with caplog.at_level(logging.DEBUG):
        try:
            configure(client, telemetry, logs, api_key=SECRET)
            chat(openai_client(emulator))
            client.record_llm_metric(provider="openai", metric_name="value", value=1)
            client.record_llm_error(provider="openai", error=ValueError("x"))
        finally:
            client.uninstrument()
    assert SECRET not in caplog.text
    everything = repr(
        [span.to_json() for span in telemetry.spans()]
        + [str(telemetry.metric_reader.get_metrics_data())]
        + [record.to_json() for record in logs.exporter.get_finished_logs()]
    )
    assert SECRET not in everything


def run_app(emulator, receiver: HTTPReceiver, **overrides: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("OTEL_", "OPENAI_", "AGENTOPS_"))
    }
    env.update(
        {
            "OPENAI_BASE_URL": emulator.openai_base_url,
            "OPENAI_API_KEY": "sk-emulator",
            "AGENTOPS_API_KEY": SECRET,
            "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
            "OTEL_SERVICE_NAME": "seed-client-app",
            "OTEL_BSP_SCHEDULE_DELAY": "50",
            "OTEL_METRIC_EXPORT_INTERVAL": "500",
            **overrides,
        }
    )
    result = subprocess.run(
        [sys.executable, "-c", RUNNER, str(APP)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert "[app] reply: Emulated reply to: Olá!" in result.stdout
    assert "[app] error recorded: BadRequestError" in result.stdout
    return result


def everything_received(receiver: HTTPReceiver) -> str:
    return repr([str(request.message) for request in receiver.requests()])


def test_seed_app_sends_the_key_as_otlp_authorization(emulator):
    with HTTPReceiver() as receiver:
        result = run_app(emulator, receiver)

    for signal in ("traces", "metrics", "logs"):
        headers = receiver.headers(signal)
        assert headers, f"nothing exported on {signal}"
        assert all(h.get("authorization") == f"Bearer {SECRET}" for h in headers), signal
    # ... and nowhere else: not in what was exported, not in any log line.
    assert SECRET not in everything_received(receiver)
    assert SECRET not in result.stdout + result.stderr

    # What the seed's example produced reached the backend.
    (span,) = [
        s
        for s in receiver.spans()
        if s.attributes.get("gen_ai.request.model") == "gpt-4" and "error.type" not in s.attributes
    ]
    assert span.attributes["agentops.tag.use_case"] == "support"
    assert span.attributes["agentops.cost.total_usd"] > 0
    metrics = receiver.metrics()
    value = metrics["agentops.llm.business_value"][-1].points[0]
    assert value.value == 100
    assert value.attributes["gen_ai.request.model"] == "gpt-4"
    errors = [
        log
        for log in receiver.logs()
        if log.event_name == "gen_ai.client.operation.exception"
        and log.attributes.get("agentops.tag.step") == "chat_completion"
    ]
    assert len(errors) == 1
    assert errors[0].attributes["error.type"] == "openai.BadRequestError"
    assert metrics["agentops.client.errors"][-1].points[0].value == 1


def test_seed_app_leaves_configured_headers_alone(emulator):
    with HTTPReceiver() as receiver:
        result = run_app(emulator, receiver, OTEL_EXPORTER_OTLP_HEADERS="x-team=llm-platform")

    headers = receiver.headers("traces")
    assert headers
    for sent in headers:
        assert sent.get("x-team") == "llm-platform"
        assert "authorization" not in sent
    assert SECRET not in everything_received(receiver)
    assert SECRET not in result.stdout + result.stderr
