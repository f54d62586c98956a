"""One bad exporter setting costs only its own exporter: one WARNING naming the setting and
the fix, and every other signal still reaches the receiver.

In process with ``ensure_pipeline`` (fresh globals each test), then once end to end under
``opentelemetry-instrument``, where a broken metrics exporter used to leave no spans at all.
"""

from __future__ import annotations

import logging
import os
import socket

import pytest
from agentops import signal_exporters
from agentops.pipeline import ensure_pipeline
from otlp_receiver import HTTPReceiver
from pipeline_helpers import emit_one_span_and_point, fresh_process_state, shut_down_globals
from test_pipeline_otlp import assert_chat_span_with_cost, only_chat_span, run_app

_fresh_process_state = fresh_process_state


def build_and_export(receiver: HTTPReceiver, caplog, **environment: str) -> list[str]:
    """Build the pipeline with ``environment``, export one span and one point; the
    WARNINGs the distro logged."""
    os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.endpoint
    os.environ.update(environment)
    with caplog.at_level(logging.WARNING, logger="agentops"):
        ensure_pipeline()
        emit_one_span_and_point()
        shut_down_globals()
    return [r.getMessage() for r in caplog.records if r.name == "agentops"]


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        (
            {"OTEL_METRICS_EXPORTER": "promethus"},
            [
                "OTEL_METRICS_EXPORTER=promethus: there is no metrics exporter of that name",
                "(did you mean 'prometheus'?)",
                "the installed ones are: ",
                "no metrics are exported; the other signals are not affected",
            ],
        ),
        (
            {"OTEL_METRICS_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL": "http"},
            [
                "OTEL_METRICS_EXPORTER=otlp: OTEL_EXPORTER_OTLP_METRICS_PROTOCOL='http' is not "
                "an OTLP protocol",
                "set OTEL_EXPORTER_OTLP_METRICS_PROTOCOL to http/protobuf",
            ],
        ),
        (
            {"OTEL_METRICS_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL": "http/json"},
            ["http/json is not supported by the OpenTelemetry Python SDK"],
        ),
    ],
)
def test_a_bad_metrics_setting_leaves_traces_working(caplog, environment, expected) -> None:
    with HTTPReceiver() as receiver:
        warnings = build_and_export(receiver, caplog, **environment)

    (warning,) = warnings
    for fragment in expected:
        assert fragment in warning
    assert [span.name for span in receiver.spans()] == ["work"]
    assert receiver.requests("metrics") == []


def test_an_exporter_that_is_not_installed_leaves_metrics_working(caplog) -> None:
    # opentelemetry-exporter-zipkin-json is not installed in the test environment.
    with HTTPReceiver() as receiver:
        warnings = build_and_export(receiver, caplog, OTEL_TRACES_EXPORTER="zipkin_json")

    assert warnings == [
        "OTEL_TRACES_EXPORTER=zipkin_json: opentelemetry-exporter-zipkin-json is not installed; "
        "pip install opentelemetry-exporter-zipkin-json. Until then no traces are exported; "
        "the other signals are not affected."
    ]
    assert receiver.spans() == []
    assert "test.work" in receiver.metrics()


def test_an_exporter_that_cannot_start_leaves_traces_working(caplog) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with HTTPReceiver() as receiver:
            warnings = build_and_export(
                receiver,
                caplog,
                OTEL_METRICS_EXPORTER="prometheus",
                OTEL_EXPORTER_PROMETHEUS_HOST="127.0.0.1",
                OTEL_EXPORTER_PROMETHEUS_PORT=str(taken.getsockname()[1]),
            )

    (warning,) = warnings
    assert warning.startswith("OTEL_METRICS_EXPORTER=prometheus: it could not start (OSError")
    assert "OTEL_EXPORTER_PROMETHEUS_PORT" in warning
    assert [span.name for span in receiver.spans()] == ["work"]


def test_one_bad_entry_of_several_keeps_the_others_of_that_signal(caplog) -> None:
    with HTTPReceiver() as receiver:
        warnings = build_and_export(receiver, caplog, OTEL_TRACES_EXPORTER="otlp,consol,none,")

    (warning,) = warnings
    assert "OTEL_TRACES_EXPORTER=consol" in warning
    assert "(did you mean 'console'?)" in warning
    assert "the other traces exporters still run" in warning
    assert [span.name for span in receiver.spans()] == ["work"]


@pytest.mark.parametrize(
    ("name", "entry_point", "protocol", "expected"),
    [
        (
            "otlp",
            "otlp_proto_grpc",
            "grpc",
            (
                "OTEL_EXPORTER_OTLP_PROTOCOL=grpc needs opentelemetry-exporter-otlp-proto-grpc, "
                "which is not installed",
                'pip install "agentops-otel-distro[grpc]", or set '
                "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
            ),
        ),
        (
            "prometheus",
            "prometheus",
            None,
            (
                "opentelemetry-exporter-prometheus is not installed",
                'pip install "agentops-otel-distro[prometheus]"',
            ),
        ),
    ],
)
def test_a_missing_extra_is_named_with_its_install_command(name, entry_point, protocol, expected):
    # Both extras are installed here, so the message is checked on its own.
    if protocol is not None:
        os.environ["OTEL_EXPORTER_OTLP_PROTOCOL"] = protocol
    assert signal_exporters._missing("metrics", name, entry_point) == expected


def test_a_broken_metrics_exporter_still_exports_spans_under_opentelemetry_instrument(
    emulator,
) -> None:
    with HTTPReceiver() as receiver:
        result = run_app(
            emulator,
            OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint,
            OTEL_METRICS_EXPORTER="promethus",
        )

    assert_chat_span_with_cost(only_chat_span(receiver))
    assert receiver.requests("metrics") == []
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("OTEL_METRICS_EXPORTER=promethus: ")
    assert "did you mean 'prometheus'?" in lines[0]
