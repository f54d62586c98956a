"""The telemetry pipeline: reuse the application's SDK providers, or build them from the
standard environment, and make sure the cost processor is on the tracer provider once.

Used by the ``agentops`` configurator (``opentelemetry-instrument``) and by
``Client().configure()``. Building is the SDK's own ``_initialize_components``, the function
``opentelemetry-instrument`` runs, so every standard variable means what it means there:
``OTEL_SERVICE_NAME``, ``OTEL_RESOURCE_ATTRIBUTES``, ``OTEL_{TRACES,METRICS,LOGS}_EXPORTER``,
``OTEL_TRACES_SAMPLER``/``_ARG``, ``OTEL_EXPORTER_OTLP_*``, ``OTEL_BSP_*``,
``OTEL_METRIC_EXPORT_*``, ...

Two things differ, both about failures: the exporters are built one by one
(``agentops.signal_exporters``), so one that cannot load or start costs only itself, and
every exporter is guarded (``agentops.export_health``): a backend that refuses, fails or
hangs gets one clear line per signal, and the exit waits for it at most
``AGENTOPS_EXIT_TIMEOUT`` seconds.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final

from opentelemetry import metrics, trace
from opentelemetry._logs import get_logger_provider
from opentelemetry.environment_variables import (
    OTEL_LOGS_EXPORTER,
    OTEL_METRICS_EXPORTER,
    OTEL_TRACES_EXPORTER,
)
from opentelemetry.instrumentation.agentops.core.settings import Settings
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
from opentelemetry.sdk.environment_variables import (
    OTEL_EXPORTER_OTLP_HEADERS,
    OTEL_EXPORTER_OTLP_LOGS_HEADERS,
    OTEL_EXPORTER_OTLP_METRICS_HEADERS,
    OTEL_EXPORTER_OTLP_PROTOCOL,
    OTEL_EXPORTER_OTLP_TRACES_HEADERS,
)
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.util.types import AttributeValue

from agentops import _compat
from agentops._prometheus_labels import align_prometheus_labels
from agentops.cost import CostSpanProcessor
from agentops.export_health import guard, take_over_exit
from agentops.signal_exporters import EXPORTER_VARIABLES, SIGNALS, build_exporters, configured_names

__all__ = [
    "Pipeline",
    "apply_env_defaults",
    "ensure_pipeline",
    "env_defaults",
    "events_enabled",
]

_logger = logging.getLogger(__name__)
_PROMETHEUS_MODULE: Final = "opentelemetry.exporter.prometheus"

# Declarative configuration (SDK >= 1.45); older SDKs do not know the variable.
_OTEL_CONFIG_FILE: Final = "OTEL_CONFIG_FILE"

_HEADER_VARIABLES: Final = (
    OTEL_EXPORTER_OTLP_HEADERS,
    OTEL_EXPORTER_OTLP_TRACES_HEADERS,
    OTEL_EXPORTER_OTLP_METRICS_HEADERS,
    OTEL_EXPORTER_OTLP_LOGS_HEADERS,
)

_lock = threading.RLock()
_built: TracerProvider | None = None
_cost_processors: weakref.WeakKeyDictionary[TracerProvider, CostSpanProcessor] = (
    weakref.WeakKeyDictionary()
)


@dataclass(frozen=True, slots=True)
class Pipeline:
    """The providers instrumentations should use, as ``ensure_pipeline`` found or built them."""

    tracer_provider: TracerProvider | None
    """The global SDK tracer provider; None when the global one is not an SDK provider."""
    meter_provider: MeterProvider | None
    """The global SDK meter provider; None when the global one is not an SDK provider."""
    logger_provider: LoggerProvider | None
    """The global SDK logger provider when GenAI events are on, else None."""
    cost_processor: CostSpanProcessor | None
    """The cost processor on ``tracer_provider``, if there is one."""
    owned: bool
    """True when ``ensure_pipeline`` built the providers (so their shutdown is ours)."""


def events_enabled() -> bool:
    """Whether GenAI events are emitted, decided by the same settings the instrumentations read."""
    return Settings.from_env().emit_events


def env_defaults() -> dict[str, str]:
    """What the distro sets when the environment does not say otherwise."""
    return {
        OTEL_TRACES_EXPORTER: "otlp",
        OTEL_METRICS_EXPORTER: "otlp",
        # A logs pipeline exists for GenAI events only; the user can still ask for one.
        OTEL_LOGS_EXPORTER: "otlp" if events_enabled() else "none",
        # The SDK's own default is grpc, which needs an exporter this package does not
        # install by default.
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
    }


def apply_env_defaults() -> None:
    """Set each default in ``os.environ`` unless the variable is already set."""
    for name, value in env_defaults().items():
        os.environ.setdefault(name, value)


def ensure_pipeline(
    *,
    api_key: str | None = None,
    headers: Mapping[str, str] | None = None,
    cost: bool = True,
    prices_file: str | os.PathLike[str] | None = None,
    resource_attributes: Mapping[str, AttributeValue] | None = None,
    auto_instrumentation_version: str | None = None,
) -> Pipeline:
    """Reuse the application's providers, or build them from the environment; add cost once.

    If a global tracer or meter provider is already set, nothing is built, replaced or
    reconfigured: the SDK tracer provider (if it is one) gets a ``CostSpanProcessor``, unless
    it already has one. Otherwise the distro defaults are applied to ``os.environ`` (only to
    variables that are unset), the providers are built exactly as ``opentelemetry-instrument``
    builds them and set as the globals, and the cost processor is added. Safe to call again.

    Args:
        api_key: sent to the OTLP endpoints as ``authorization: Bearer <api_key>``.
        headers: more headers for the OTLP endpoints. These and the api key are sent only
            when the providers are built here and no ``OTEL_EXPORTER_OTLP_*HEADERS``
            variable is set: whoever set one has chosen how to authenticate. Never logged.
        cost: add the ``CostSpanProcessor``.
        prices_file: the cost processor's price file (else ``$AGENTOPS_PRICES_FILE``).
        resource_attributes: resource attributes for built providers; they win over
            ``OTEL_RESOURCE_ATTRIBUTES`` and ``OTEL_SERVICE_NAME``, as in the SDK.
        auto_instrumentation_version: set by the configurator (``telemetry.auto.version``).
    """
    global _built
    with _lock:
        if _prometheus_in_use():
            # Before any collection: a Prometheus reader, built here or by the app, writes
            # the GenAI metrics of several providers' scopes with their labels in place.
            align_prometheus_labels()
        tracer_provider: object = trace.get_tracer_provider()
        meter_provider: object = metrics.get_meter_provider()
        if not _is_set(tracer_provider, meter_provider):
            _build(
                _extra_headers(api_key, headers),
                dict(resource_attributes or {}),
                auto_instrumentation_version,
            )
            tracer_provider = trace.get_tracer_provider()
            meter_provider = metrics.get_meter_provider()
            _built = tracer_provider if isinstance(tracer_provider, TracerProvider) else None
        elif api_key or headers:
            _logger.debug("OTLP headers not applied: the application configured OpenTelemetry")

        sdk_tracer = tracer_provider if isinstance(tracer_provider, TracerProvider) else None
        sdk_meter = meter_provider if isinstance(meter_provider, MeterProvider) else None
        if sdk_tracer is None:
            _logger.info(
                "The global tracer provider is not an OpenTelemetry SDK TracerProvider; "
                "spans get no cost attributes."
            )
        cost_processor = None
        if sdk_tracer is not None:
            cost_processor = _cost_processor_of(sdk_tracer)
            if cost_processor is None and cost:
                cost_processor = CostSpanProcessor(
                    meter_provider=sdk_meter, prices_file=prices_file
                )
                sdk_tracer.add_span_processor(cost_processor)
                _cost_processors[sdk_tracer] = cost_processor
        return Pipeline(
            tracer_provider=sdk_tracer,
            meter_provider=sdk_meter,
            logger_provider=_event_logger_provider(),
            cost_processor=cost_processor,
            owned=sdk_tracer is not None and sdk_tracer is _built,
        )


def _prometheus_in_use() -> bool:
    """Whether a Prometheus reader is configured or already loaded (else its exporter, and
    prometheus_client, are not imported for nothing)."""
    return _PROMETHEUS_MODULE in sys.modules or "prometheus" in configured_names("metrics")


def _is_set(tracer_provider: object, meter_provider: object) -> bool:
    """Whether the application (or an earlier call) set a global provider."""
    return not isinstance(tracer_provider, trace.ProxyTracerProvider) or not isinstance(
        meter_provider, _compat.ProxyMeterProvider
    )


def _build(
    extra_headers: dict[str, str],
    resource_attributes: dict[str, AttributeValue],
    auto_instrumentation_version: str | None,
) -> None:
    apply_env_defaults()
    if os.environ.get(_OTEL_CONFIG_FILE):
        # The configuration file decides everything, as with the SDK's own configurator.
        _compat.SDKConfigurator().configure()
        return
    # The SDK builds the providers (resource, sampler, id generator, configurators, OpAMP,
    # logging handler: everything but the exporters); the exporters are added afterwards,
    # each on its own, so that one which cannot load or start costs only itself.
    with _exporters_left_out():
        _compat.initialize_components(
            auto_instrumentation_version=auto_instrumentation_version,
            resource_attributes=resource_attributes,
        )
    tracer_provider = trace.get_tracer_provider()
    meter_provider = metrics.get_meter_provider()
    logger_provider = get_logger_provider()
    for signal in SIGNALS:
        for built in build_exporters(signal, extra_headers):
            component = guard(signal, built.name, built.component)
            if signal == "traces" and isinstance(tracer_provider, TracerProvider):
                tracer_provider.add_span_processor(BatchSpanProcessor(component))
            elif signal == "metrics" and isinstance(meter_provider, MeterProvider):
                reader = (
                    component
                    if isinstance(component, MetricReader)
                    else PeriodicExportingMetricReader(component)
                )
                _compat.add_metric_reader(meter_provider, reader)
            elif signal == "logs" and isinstance(logger_provider, LoggerProvider):
                logger_provider.add_log_record_processor(BatchLogRecordProcessor(component))
    # Spans first: the metrics they produced (cost) are then complete, and console output
    # keeps the order span lines, then tables.
    take_over_exit([tracer_provider, meter_provider, logger_provider])


@contextmanager
def _exporters_left_out() -> Iterator[None]:
    """``OTEL_*_EXPORTER=none`` while the SDK builds the providers, then as it was.

    The SDK's builder reads the exporters from the environment only; this runs once, at
    start-up, under the pipeline lock.
    """
    saved = {variable: os.environ.get(variable) for variable in EXPORTER_VARIABLES.values()}
    try:
        for variable in saved:
            os.environ[variable] = "none"
        yield
    finally:
        for variable, value in saved.items():
            if value is None:
                os.environ.pop(variable, None)
            else:
                os.environ[variable] = value


def _extra_headers(api_key: str | None, headers: Mapping[str, str] | None) -> dict[str, str]:
    """Headers from code, unless the environment configures OTLP headers (then it decides)."""
    extra: dict[str, str] = {}
    if api_key and api_key.strip():
        extra["authorization"] = f"Bearer {api_key.strip()}"
    # gRPC metadata keys must be lower case; HTTP does not care.
    extra.update({name.lower(): value for name, value in (headers or {}).items()})
    configured = [name for name in _HEADER_VARIABLES if os.environ.get(name, "").strip()]
    if extra and configured:
        _logger.info(
            "%s set: OTLP headers come from the environment; the api key and headers given "
            "in code are not sent.",
            ", ".join(configured),
        )
        return {}
    return extra


def _cost_processor_of(provider: TracerProvider) -> CostSpanProcessor | None:
    """The cost processor already on ``provider``: ours, or one the user added."""
    found = _cost_processors.get(provider)
    if found is not None:
        return found
    for processor in _compat.span_processors(provider):
        if isinstance(processor, CostSpanProcessor):
            _cost_processors[provider] = processor
            return processor
    return None


def _event_logger_provider() -> LoggerProvider | None:
    if not events_enabled():
        return None
    provider = get_logger_provider()
    return provider if isinstance(provider, LoggerProvider) else None
