"""The exporters ``OTEL_{TRACES,METRICS,LOGS}_EXPORTER`` name, built one by one.

The SDK's builder imports every configured exporter before it builds any provider, so one
exporter that cannot load (a typo, an extra that is not installed, a protocol whose package
is missing) stops all of them: no spans either. Here each entry is resolved, loaded and
created on its own, with the SDK's meaning of each name (``otlp`` follows
``OTEL_EXPORTER_OTLP[_<SIGNAL>]_PROTOCOL``, other names are entry points). An entry that
fails costs only itself: one WARNING names the variable, what is wrong and what to do, and
every other exporter, of that signal and of the others, is built as usual.
"""

from __future__ import annotations

import difflib
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, Final

from opentelemetry.environment_variables import (
    OTEL_LOGS_EXPORTER,
    OTEL_METRICS_EXPORTER,
    OTEL_TRACES_EXPORTER,
)
from opentelemetry.sdk._logs.export import LogRecordExporter
from opentelemetry.sdk.environment_variables import (
    OTEL_EXPORTER_OTLP_LOGS_PROTOCOL,
    OTEL_EXPORTER_OTLP_METRICS_PROTOCOL,
    OTEL_EXPORTER_OTLP_PROTOCOL,
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL,
)
from opentelemetry.sdk.metrics.export import MetricExporter, MetricReader
from opentelemetry.sdk.trace.export import SpanExporter

from agentops import _compat
from agentops._compat import Signal

__all__ = ["SIGNALS", "ConfiguredExporter", "build_exporters", "configured_names"]

_logger = logging.getLogger("agentops")

SIGNALS: Final[tuple[Signal, ...]] = ("traces", "metrics", "logs")

EXPORTER_VARIABLES: Final[Mapping[Signal, str]] = {
    "traces": OTEL_TRACES_EXPORTER,
    "metrics": OTEL_METRICS_EXPORTER,
    "logs": OTEL_LOGS_EXPORTER,
}
_PROTOCOL_VARIABLES: Final[Mapping[Signal, str]] = {
    "traces": OTEL_EXPORTER_OTLP_TRACES_PROTOCOL,
    "metrics": OTEL_EXPORTER_OTLP_METRICS_PROTOCOL,
    "logs": OTEL_EXPORTER_OTLP_LOGS_PROTOCOL,
}
_GROUPS: Final[Mapping[Signal, str]] = {
    "traces": "opentelemetry_traces_exporter",
    "metrics": "opentelemetry_metrics_exporter",
    "logs": "opentelemetry_logs_exporter",
}
_KINDS: Final[Mapping[Signal, tuple[type, ...]]] = {
    "traces": (SpanExporter,),
    "metrics": (MetricExporter, MetricReader),
    "logs": (LogRecordExporter,),
}
_OTLP_NAMES: Final = frozenset({"otlp", "otlp_proto_http", "otlp_proto_grpc"})
_OTLP_MODULE_PREFIX: Final = "opentelemetry.exporter.otlp."
_DISTRO: Final = "agentops-otel-distro"

# Entry point name -> (distribution that provides it, extra of the distro that installs it).
_PROVIDED_BY: Final[Mapping[str, tuple[str, str | None]]] = {
    "otlp_proto_http": ("opentelemetry-exporter-otlp-proto-http", None),
    "otlp_proto_grpc": ("opentelemetry-exporter-otlp-proto-grpc", "grpc"),
    "prometheus": ("opentelemetry-exporter-prometheus", "prometheus"),
    "zipkin_json": ("opentelemetry-exporter-zipkin-json", None),
    "llm_console": ("agentops-exporters", None),
    "agentops_otlp_file": ("agentops-exporters", None),
}
# Settings worth naming when an exporter of that name fails to start.
_START_HINTS: Final[Mapping[str, str]] = {
    "prometheus": (
        "OTEL_EXPORTER_PROMETHEUS_PORT (default 9464) and OTEL_EXPORTER_PROMETHEUS_HOST must "
        "name an address this process can listen on"
    ),
}


@dataclass(frozen=True, slots=True)
class ConfiguredExporter:
    """One exporter (or, for metrics, a reader) built from an ``OTEL_*_EXPORTER`` entry."""

    name: str
    """The entry as written, e.g. ``otlp``."""
    entry_point: str
    """The entry point it resolved to, e.g. ``otlp_proto_http``."""
    component: Any
    """The ``SpanExporter``, ``MetricExporter``, ``MetricReader`` or ``LogRecordExporter``."""


def configured_names(signal: Signal) -> list[str]:
    """The entries of ``OTEL_<SIGNAL>_EXPORTER`` (``none`` and empty ones left out)."""
    raw = os.environ.get(EXPORTER_VARIABLES[signal], "")
    names = [name.strip() for name in raw.split(",")]
    return [name for name in names if name and name.lower() != "none"]


def build_exporters(
    signal: Signal, extra_headers: Mapping[str, str] | None = None
) -> list[ConfiguredExporter]:
    """Create every exporter the environment names for ``signal``; skip (and say why) each
    one that cannot be created. OTLP exporters get ``extra_headers`` as their headers."""
    built: list[ConfiguredExporter] = []
    names = configured_names(signal)
    for name in names:
        problem = _Problem(signal, name, others=len(names) > 1)
        try:
            entry_point = _compat.exporter_entry_point_name(name, signal)
        except RuntimeError:
            problem.report(*_protocol_problem(signal))
            continue
        exporter_class = _load(signal, name, entry_point, problem)
        if exporter_class is None:
            continue
        arguments: dict[str, Any] = {}
        if extra_headers and exporter_class.__module__.startswith(_OTLP_MODULE_PREFIX):
            arguments["headers"] = dict(extra_headers)
        try:
            component = exporter_class(**arguments)
        except Exception as error:
            hint = _START_HINTS.get(entry_point, "check the settings this exporter reads")
            problem.report(f"it could not start ({type(error).__name__}: {error})", hint)
            continue
        built.append(ConfiguredExporter(name, entry_point, component))
    return built


class _Problem:
    """Writes the one WARNING for an entry that is skipped."""

    def __init__(self, signal: Signal, name: str, *, others: bool) -> None:
        self._signal = signal
        self._name = name
        self._others = others

    def report(self, what: str, fix: str) -> None:
        effect = (
            f"the other {self._signal} exporters still run"
            if self._others
            else f"no {self._signal} are exported"
        )
        _logger.warning(
            "%s=%s: %s; %s. Until then %s; the other signals are not affected.",
            EXPORTER_VARIABLES[self._signal],
            self._name,
            what,
            fix,
            effect,
        )


def _protocol_problem(signal: Signal) -> tuple[str, str]:
    variable = _PROTOCOL_VARIABLES[signal]
    if not os.environ.get(variable, "").strip():
        variable = OTEL_EXPORTER_OTLP_PROTOCOL
    value = os.environ.get(variable, "").strip()
    if value == "http/json":
        what = f"{variable}=http/json is not supported by the OpenTelemetry Python SDK"
    else:
        what = f"{variable}={value!r} is not an OTLP protocol"
    return what, f"set {variable} to http/protobuf (the distro's default) or grpc"


def _load(signal: Signal, name: str, entry_point: str, problem: _Problem) -> type | None:
    group = _GROUPS[signal]
    found = list(entry_points(group=group, name=entry_point))
    if not found:
        problem.report(*_missing(signal, name, entry_point))
        return None
    try:
        loaded = found[0].load()
    except Exception as error:
        package = _PROVIDED_BY.get(entry_point, (found[0].value, None))[0]
        problem.report(
            f"its module failed to import ({type(error).__name__}: {error})",
            f"reinstall {package}",
        )
        return None
    if not (isinstance(loaded, type) and issubclass(loaded, _KINDS[signal])):
        problem.report(
            f"{found[0].value} is not a {signal} exporter",
            f"remove it from {EXPORTER_VARIABLES[signal]}",
        )
        return None
    return loaded


def _missing(signal: Signal, name: str, entry_point: str) -> tuple[str, str]:
    provided = _PROVIDED_BY.get(entry_point)
    if provided is not None:
        package, extra = provided
        install = f'pip install "{_DISTRO}[{extra}]"' if extra else f"pip install {package}"
        if package == "agentops-exporters":
            install = "pip install ./exporters (from this project's repository)"
        if name == "otlp":
            # The protocol picked the package: say which setting did.
            variable = _PROTOCOL_VARIABLES[signal]
            if not os.environ.get(variable, "").strip():
                variable = OTEL_EXPORTER_OTLP_PROTOCOL
            protocol = os.environ.get(variable, "").strip() or "grpc (the SDK's default)"
            return (
                f"{variable}={protocol} needs {package}, which is not installed",
                f"{install}, or set {variable}=http/protobuf",
            )
        return f"{package} is not installed", install
    installed = sorted({point.name for point in entry_points(group=_GROUPS[signal])})
    candidates = sorted({*installed, *_PROVIDED_BY, *_OTLP_NAMES, "none"})
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    what = f"there is no {signal} exporter of that name"
    if close:
        what += f" (did you mean {close[0]!r}?)"
    shown = ", ".join(sorted({*installed, "otlp", "none"}))
    return what, f"the installed ones are: {shown}"
