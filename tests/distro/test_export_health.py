"""A backend that refuses, fails or hangs: one line per signal saying what is wrong and what
to set, an exit at most 2 s longer than the bare app's, and calls as fast as ever.

The exit tests run the test app in a fresh interpreter, once bare (``python app.py``) and
once under ``opentelemetry-instrument``, against the emulator, with receivers inside the
test: one that answers 429 or 500, one that accepts connections and never answers, and a
port where nothing listens. The exit is timed from the app's last line to the end of the
process.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass

import pytest
from agentops.pipeline import ensure_pipeline
from opentelemetry import trace
from otlp_receiver import HTTPReceiver, SilentReceiver
from pipeline_helpers import fresh_process_state
from test_pipeline_otlp import APP, INSTRUMENT, ROOT, free_port

_fresh_process_state = fresh_process_state

MAX_EXTRA_EXIT_S = 2.0
# OTLP/HTTP exporters before the shared HTTP client (opentelemetry.exporter.otlp.common.http)
# retry every 5xx; later ones only 429, 502, 503 and 504. 400 is final in both.
try:
    EVERY_5XX_RETRIED = importlib.util.find_spec("opentelemetry.exporter.otlp.common.http") is None
except ModuleNotFoundError:  # no opentelemetry.exporter.otlp.common package at all
    EVERY_5XX_RETRIED = True
TITLES = {"traces": "Spans", "metrics": "Metrics"}


# -- in process: what is said, and how often -------------------------------------------


def export_one_span() -> None:
    trace.get_tracer("test").start_span("work").end()
    trace.get_tracer_provider().force_flush()


def distro_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "agentops"]


def test_a_failing_receiver_is_reported_once_per_outage(caplog) -> None:
    with HTTPReceiver(status=400) as receiver:
        os.environ.update(
            OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint,
            OTEL_METRICS_EXPORTER="none",
        )
        with caplog.at_level(logging.DEBUG):
            ensure_pipeline()
            export_one_span()
            export_one_span()  # same outage: nothing more
            first = distro_warnings(caplog)
            receiver.status = 200
            export_one_span()  # back: the next failure is news again
            receiver.status = 400
            export_one_span()
            trace.get_tracer_provider().shutdown()

    assert receiver.refused == 3
    assert [span.name for span in receiver.spans()] == ["work"]
    expected = (
        f"Spans not exported to {receiver.endpoint}/v1/traces: the receiver answered 400 "
        "Bad Request. See the receiver's logs, or set OTEL_TRACES_EXPORTER=none to "
        "stop exporting traces. (Said once until an export succeeds again.)"
    )
    assert first == [expected]
    assert distro_warnings(caplog) == [expected, expected]
    # The SDK's own line for each failed attempt is held back.
    sdk_lines = [
        r for r in caplog.records if r.name.startswith("opentelemetry.exporter") and r.levelno >= 30
    ]
    assert sdk_lines == []


def test_a_working_exporter_beside_a_failing_one_does_not_repeat_the_line(caplog) -> None:
    with HTTPReceiver(status=400) as receiver:
        os.environ.update(
            OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint,
            OTEL_TRACES_EXPORTER="otlp,console",
            OTEL_METRICS_EXPORTER="none",
        )
        with caplog.at_level(logging.WARNING, logger="agentops"):
            ensure_pipeline()
            for _ in range(3):
                export_one_span()  # console succeeds each time, OTLP fails each time
            trace.get_tracer_provider().shutdown()

    assert receiver.refused >= 3
    (warning,) = distro_warnings(caplog)
    assert "the receiver answered 400 Bad Request" in warning


# -- end to end: exit time and what is printed -------------------------------------------


@dataclass
class Run:
    exit_s: float
    call_s: float
    stdout: str
    stderr: str


def run_timed(emulator, command: list[str], **environment: str) -> Run:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("OTEL_", "OPENAI_", "AGENTOPS_"))
    }
    env.update(
        OPENAI_BASE_URL=emulator.openai_base_url,
        OPENAI_API_KEY="sk-exit-test",
        OTEL_PYTHON_DISTRO="agentops",
        # The call's time bound is about export; by default the first call also waits for
        # the price table (tests/distro/test_price_preload.py), which is not export.
        AGENTOPS_PRICES_PRELOAD="startup",
        **environment,
    )
    process = subprocess.Popen(
        [*command, str(APP)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    lines = []
    last_line_at = None
    for line in process.stdout:
        lines.append(line)
        last_line_at = time.monotonic()
    stdout_rest, stderr = process.communicate(timeout=60)
    ended = time.monotonic()
    stdout = "".join(lines) + stdout_rest
    assert process.returncode == 0, stderr
    assert "reply: Emulated reply to: Say hello to the distro test" in stdout, stderr
    assert last_line_at is not None
    (call,) = [line for line in stdout.splitlines() if line.startswith("call seconds: ")]
    return Run(ended - last_line_at, float(call.split(": ")[1]), stdout, stderr)


def exit_against(emulator, **environment: str) -> tuple[Run, Run]:
    """The bare app, then the same app under opentelemetry-instrument.

    Timing on a machine shared with other work is noisy (the bare app's own exit varies
    from 0.3 to 1.5 s here): up to three pairs are run, and the first pair within the
    bound is returned. A real regression (an exit held for the 10 s export timeout) fails
    all three.
    """
    pair = None
    for _ in range(3):
        bare = run_timed(emulator, [sys.executable])
        instrumented = run_timed(emulator, [str(INSTRUMENT), sys.executable], **environment)
        pair = (bare, instrumented)
        if instrumented.exit_s - bare.exit_s <= MAX_EXTRA_EXIT_S:
            break
    assert pair is not None
    return pair


def assert_quick_exit_and_one_line_per_signal(
    bare: Run, instrumented: Run, endpoint: str, what: str
) -> None:
    extra = instrumented.exit_s - bare.exit_s
    assert extra <= MAX_EXTRA_EXIT_S, (
        f"exit took {instrumented.exit_s:.2f} s, bare {bare.exit_s:.2f} s\n{instrumented.stderr}"
    )
    # The export is off the call's path: a backend in trouble does not slow the call down.
    assert instrumented.call_s < 1.0, instrumented.call_s
    lines = [line for line in instrumented.stderr.splitlines() if line.strip()]
    titles = sorted(line.split(" ", 1)[0] for line in lines)
    assert titles in (["Metrics", "Spans"], ["Spans"], ["Metrics"]), instrumented.stderr
    for line in lines:
        signal = "traces" if line.startswith("Spans") else "metrics"
        assert line.startswith(f"{TITLES[signal]} not exported to {endpoint}"), line
        assert what in line, line
        assert f"OTEL_{signal.upper()}_EXPORTER=none" in line, line


def test_exit_with_nothing_configured_and_no_collector(emulator) -> None:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", 4318)) == 0:
            pytest.skip("something listens on localhost:4318 here; the next test covers it")
    bare, instrumented = exit_against(emulator)

    assert_quick_exit_and_one_line_per_signal(
        bare, instrumented, "http://localhost:4318/v1/", "nothing accepts connections there"
    )
    assert "Start an OpenTelemetry Collector (or agent) there" in instrumented.stderr
    assert "OTEL_EXPORTER_OTLP_ENDPOINT" in instrumented.stderr


@pytest.mark.parametrize("protocol", ["http/protobuf", "grpc"])
def test_exit_when_nothing_listens(emulator, protocol) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"
    bare, instrumented = exit_against(
        emulator, OTEL_EXPORTER_OTLP_ENDPOINT=endpoint, OTEL_EXPORTER_OTLP_PROTOCOL=protocol
    )

    shown = endpoint if protocol == "http/protobuf" else endpoint.removeprefix("http://")
    assert_quick_exit_and_one_line_per_signal(
        bare, instrumented, shown, "nothing accepts connections there"
    )


@pytest.mark.parametrize("protocol", ["http/protobuf", "grpc"])
def test_exit_when_the_collector_accepts_and_never_answers(emulator, protocol) -> None:
    with SilentReceiver() as silent:
        bare, instrumented = exit_against(
            emulator,
            OTEL_EXPORTER_OTLP_ENDPOINT=silent.endpoint,
            OTEL_EXPORTER_OTLP_PROTOCOL=protocol,
        )
        assert silent.accepted >= 1  # the exporters did connect

    shown = silent.endpoint if protocol == "http/protobuf" else f"127.0.0.1:{silent.port}"
    assert_quick_exit_and_one_line_per_signal(
        bare, instrumented, shown, "it accepts connections but did not answer in time"
    )
    assert "AGENTOPS_EXIT_TIMEOUT" in instrumented.stderr


@pytest.mark.parametrize(
    ("status", "what"),
    [
        (429, "the receiver answered 429 Too Many Requests (rate limited)"),
        pytest.param(
            500,
            "the receiver answered 500 Internal Server Error",
            marks=pytest.mark.skipif(
                EVERY_5XX_RETRIED,
                reason="this OTLP exporter retries every 5xx: a 500 reads as a receiver that never "
                "succeeds (the 400 case covers an answered error)",
            ),
        ),
        (400, "the receiver answered 400 Bad Request"),
    ],
)
def test_exit_when_the_collector_answers_an_error(emulator, status, what) -> None:
    with HTTPReceiver(status=status) as receiver:
        bare, instrumented = exit_against(emulator, OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint)

    assert receiver.refused >= 2  # both signals tried
    assert_quick_exit_and_one_line_per_signal(bare, instrumented, receiver.endpoint, what)
