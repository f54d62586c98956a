"""Shared fixtures of the pipeline tests (``test_pipeline*``, ``test_export_health``,
``test_compat``; no tests here).

OpenTelemetry's global providers can be set once per process, so each test starts from
unset globals and a clean environment, and puts both back afterwards (the SDK's test
utilities do the same with the same private fields).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from agentops import pipeline
from opentelemetry import trace
from opentelemetry._logs import _internal as logs_internal
from opentelemetry.metrics import _internal as metrics_internal
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.util._once import Once


def _unset_globals() -> None:
    trace._TRACER_PROVIDER = None
    trace._TRACER_PROVIDER_SET_ONCE = Once()
    trace._PROXY_TRACER_PROVIDER = trace.ProxyTracerProvider()
    metrics_internal._METER_PROVIDER = None
    metrics_internal._METER_PROVIDER_SET_ONCE = Once()
    metrics_internal._PROXY_METER_PROVIDER = metrics_internal._ProxyMeterProvider()
    logs_internal._LOGGER_PROVIDER = None
    logs_internal._LOGGER_PROVIDER_SET_ONCE = Once()
    logs_internal._PROXY_LOGGER_PROVIDER = logs_internal.ProxyLoggerProvider()


@pytest.fixture(autouse=True)
def fresh_process_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Unset global providers and no OTEL_* variables; everything restored afterwards."""
    saved_environ = dict(os.environ)
    for name in list(os.environ):
        if name.startswith(("OTEL_", "AGENTOPS_")):
            del os.environ[name]
    monkeypatch.setattr(pipeline, "_built", None)
    _unset_globals()
    yield
    for provider in (
        trace._TRACER_PROVIDER,
        metrics_internal._METER_PROVIDER,
        logs_internal._LOGGER_PROVIDER,
    ):
        # Tests that exported have shut their providers down already (a second shutdown
        # of a MeterProvider logs a warning; the others' is silent).
        sdk = isinstance(provider, TracerProvider | MeterProvider | LoggerProvider)
        if sdk and not getattr(provider, "_shutdown", False):
            provider.shutdown()
    _unset_globals()
    os.environ.clear()
    os.environ.update(saved_environ)


def emit_one_span_and_point() -> None:
    with trace.get_tracer("test").start_as_current_span("work"):
        metrics_internal.get_meter("test").create_counter("test.work").add(1)


def shut_down_globals() -> None:
    trace.get_tracer_provider().shutdown()
    metrics_internal.get_meter_provider().shutdown()
