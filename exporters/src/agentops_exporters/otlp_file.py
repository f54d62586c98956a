"""Exporters that append spans, metrics and logs to one file as OTLP JSON lines.

Each export becomes one line holding one ``ExportTraceServiceRequest``,
``ExportMetricsServiceRequest`` or ``ExportLogsServiceRequest`` in the OTLP JSON encoding (the
format of the OpenTelemetry file exporter and of the Collector's ``otlpjsonfile`` receiver):
lowerCamelCase field names, enums as integers, trace and span ids as hex strings.

``OTEL_TRACES_EXPORTER=agentops_otlp_file``, ``OTEL_METRICS_EXPORTER=agentops_otlp_file`` and
``OTEL_LOGS_EXPORTER=agentops_otlp_file`` select them. ``AGENTOPS_OTLP_FILE`` names the file they
share (default ``./telemetry.otlp.jsonl``); ``AGENTOPS_OTLP_{TRACES,METRICS,LOGS}_FILE`` give a
signal a file of its own.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Final

from google.protobuf import json_format
from google.protobuf.message import Message
from opentelemetry.exporter.otlp.proto.common._log_encoder import encode_logs
from opentelemetry.exporter.otlp.proto.common.metrics_encoder import encode_metrics
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk._logs import ReadableLogRecord
from opentelemetry.sdk._logs.export import LogRecordExporter, LogRecordExportResult
from opentelemetry.sdk.metrics import (
    Counter,
    Histogram,
    ObservableCounter,
    ObservableGauge,
    ObservableUpDownCounter,
    UpDownCounter,
)
from opentelemetry.sdk.metrics.export import (
    AggregationTemporality,
    MetricExporter,
    MetricExportResult,
    MetricsData,
)
from opentelemetry.sdk.metrics.view import Aggregation
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

__all__ = [
    "DEFAULT_FILE",
    "FILE_ENV",
    "LOGS_FILE_ENV",
    "METRICS_FILE_ENV",
    "TEMPORALITY_ENV",
    "TRACES_FILE_ENV",
    "OTLPJsonFileLogExporter",
    "OTLPJsonFileMetricExporter",
    "OTLPJsonFileSpanExporter",
    "to_otlp_json",
]

FILE_ENV: Final = "AGENTOPS_OTLP_FILE"
# One file per signal, as the file exporter specification wants, when these are set.
TRACES_FILE_ENV: Final = "AGENTOPS_OTLP_TRACES_FILE"
METRICS_FILE_ENV: Final = "AGENTOPS_OTLP_METRICS_FILE"
LOGS_FILE_ENV: Final = "AGENTOPS_OTLP_LOGS_FILE"
DEFAULT_FILE: Final = "telemetry.otlp.jsonl"
# The OTLP exporters' standard variable; honoured here too.
TEMPORALITY_ENV: Final = "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE"

_logger = logging.getLogger("agentops_exporters")

# The OTLP JSON encoding writes these bytes fields as hex, where protobuf's JSON mapping
# writes base64. The names are the same in spans, links, log records and exemplars.
_ID_FIELDS: Final = frozenset({"traceId", "spanId", "parentSpanId"})

_C, _D = AggregationTemporality.CUMULATIVE, AggregationTemporality.DELTA
# As the SDK's OTLP exporters read OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE.
_TEMPORALITIES: Final[dict[str, dict[type, AggregationTemporality]]] = {
    "delta": {
        Counter: _D,
        UpDownCounter: _C,
        Histogram: _D,
        ObservableCounter: _D,
        ObservableUpDownCounter: _C,
        ObservableGauge: _C,
    },
    "lowmemory": {
        Counter: _D,
        UpDownCounter: _C,
        Histogram: _D,
        ObservableCounter: _C,
        ObservableUpDownCounter: _C,
        ObservableGauge: _C,
    },
}


def to_otlp_json(message: Message) -> str:
    """``message`` (an OTLP protobuf message) as one line of OTLP JSON, without the newline."""
    data = json_format.MessageToDict(message, use_integers_for_enums=True)
    return json.dumps(_hex_ids(data), separators=(",", ":"), ensure_ascii=False)


def _hex_ids(value: Any) -> Any:
    """``value`` with every base64 id field re-encoded as hex, recursively."""
    if isinstance(value, dict):
        return {
            key: _base64_to_hex(item)
            if key in _ID_FIELDS and isinstance(item, str)
            else _hex_ids(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_hex_ids(item) for item in value]
    return value


def _base64_to_hex(text: str) -> str:
    try:
        return base64.b64decode(text, validate=True).hex()
    except (binascii.Error, ValueError):
        return text


def _resolve_path(path: str | os.PathLike[str] | None, signal_env: str) -> str:
    if path is None:
        path = (
            os.environ.get(signal_env, "").strip()
            or os.environ.get(FILE_ENV, "").strip()
            or DEFAULT_FILE
        )
    # Absolute now, so a later chdir in the application does not move the file.
    return os.path.abspath(os.path.expanduser(os.fspath(path)))


class _JsonLinesFile:
    """Appends lines to one file for every exporter writing there, reporting failures once.

    The file is opened, appended to and closed at each export: every export is handed to the
    operating system before ``export`` returns, and the file can be moved or deleted while
    the application runs (the next export starts a new one).
    """

    _registry: ClassVar[dict[str, _JsonLinesFile]] = {}
    _registry_lock: ClassVar[threading.Lock] = threading.Lock()

    @classmethod
    def for_path(cls, path: str) -> _JsonLinesFile:
        with cls._registry_lock:
            found = cls._registry.get(path)
            if found is None:
                found = cls._registry[path] = cls(path)
            return found

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._reported = False

    def append(self, line: str, what: str) -> bool:
        """Append ``line`` and a newline; False (logged the first time) when that fails."""
        data = (line + "\n").encode("utf-8")
        with self._lock:
            try:
                self._write(data)
            except OSError as error:
                self._report(f"could not write {what} to {self.path}: {error}")
                return False
            # Log again if writing fails again after it recovered.
            self._reported = False
        return True

    def _write(self, data: bytes) -> None:
        flags = (
            os.O_WRONLY
            | os.O_APPEND
            | os.O_CREAT
            | getattr(os, "O_BINARY", 0)  # Windows: no newline translation
            | getattr(os, "O_CLOEXEC", 0)
        )
        try:
            fd = os.open(self.path, flags, 0o666)
        except FileNotFoundError:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            fd = os.open(self.path, flags, 0o666)
        try:
            # One write per line in the usual case; with O_APPEND, lines that other
            # processes append to the same file do not land inside it.
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                if written <= 0:
                    raise OSError(f"wrote {written} bytes")
                view = view[written:]
        finally:
            os.close(fd)

    def _report(self, message: str) -> None:
        if self._reported:
            return
        self._reported = True
        _logger.warning("OTLP JSON file exporter %s; further failures are not logged", message)


class _Exporter:
    """What the three exporters share: the file, the encoding and the shutdown state."""

    def __init__(self, path: str | os.PathLike[str] | None, what: str, signal_env: str) -> None:
        self._file = _JsonLinesFile.for_path(_resolve_path(path, signal_env))
        self._what = what
        self._shutdown = False
        self._encoding_failed = False

    @property
    def path(self) -> str:
        """The absolute path of the file this exporter appends to."""
        return self._file.path

    def _append(self, encode: Callable[[], Message], has_data: bool) -> bool:
        if self._shutdown:
            _logger.debug("OTLP JSON file %s exporter is shut down; export ignored", self._what)
            return False
        if not has_data:
            return True
        try:
            line = to_otlp_json(encode())
        except Exception:  # nothing may raise into the SDK
            if not self._encoding_failed:
                self._encoding_failed = True
                _logger.warning(
                    "OTLP JSON file exporter could not encode %s; further failures are not logged",
                    self._what,
                    exc_info=True,
                )
            return False
        return self._file.append(line, self._what)


class OTLPJsonFileSpanExporter(_Exporter, SpanExporter):
    """Appends each batch of spans to the file as one OTLP JSON line.

    Args:
        path: the file; default ``$AGENTOPS_OTLP_TRACES_FILE``, else ``$AGENTOPS_OTLP_FILE``,
            else ``./telemetry.otlp.jsonl`` (relative to the working directory when the
            exporter is created).
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        _Exporter.__init__(self, path, "spans", TRACES_FILE_ENV)

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        ok = self._append(lambda: encode_spans(spans), bool(spans))
        return SpanExportResult.SUCCESS if ok else SpanExportResult.FAILURE

    def shutdown(self) -> None:
        self._shutdown = True

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return True  # every export is written before it returns


class OTLPJsonFileMetricExporter(_Exporter, MetricExporter):
    """Appends each collection of metrics to the file as one OTLP JSON line.

    Args:
        path: the file; default ``$AGENTOPS_OTLP_METRICS_FILE``, else ``$AGENTOPS_OTLP_FILE``,
            else ``./telemetry.otlp.jsonl``.
        preferred_temporality: by instrument type; default from
            ``OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`` (``cumulative``, ``delta``
            or ``lowmemory``), else cumulative for every instrument.
        preferred_aggregation: by instrument type; default the SDK's.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        preferred_temporality: dict[type, AggregationTemporality] | None = None,
        preferred_aggregation: dict[type, Aggregation] | None = None,
    ) -> None:
        if preferred_temporality is None:
            preferred_temporality = _temporality_from_env()
        MetricExporter.__init__(
            self,
            preferred_temporality=preferred_temporality,
            preferred_aggregation=preferred_aggregation,
        )
        _Exporter.__init__(self, path, "metrics", METRICS_FILE_ENV)

    def export(
        self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any
    ) -> MetricExportResult:
        has_data = any(
            metric
            for resource_metrics in metrics_data.resource_metrics
            for scope_metrics in resource_metrics.scope_metrics
            for metric in scope_metrics.metrics
        )
        ok = self._append(lambda: encode_metrics(metrics_data), has_data)
        return MetricExportResult.SUCCESS if ok else MetricExportResult.FAILURE

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        return True

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        self._shutdown = True


class OTLPJsonFileLogExporter(_Exporter, LogRecordExporter):
    """Appends each batch of log records (GenAI events among them) as one OTLP JSON line.

    Args:
        path: the file; default ``$AGENTOPS_OTLP_LOGS_FILE``, else ``$AGENTOPS_OTLP_FILE``,
            else ``./telemetry.otlp.jsonl``.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        _Exporter.__init__(self, path, "logs", LOGS_FILE_ENV)

    def export(self, batch: Sequence[ReadableLogRecord]) -> LogRecordExportResult:
        ok = self._append(lambda: encode_logs(batch), bool(batch))
        return LogRecordExportResult.SUCCESS if ok else LogRecordExportResult.FAILURE

    def shutdown(self) -> None:
        self._shutdown = True

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return True


def _temporality_from_env() -> dict[type, AggregationTemporality] | None:
    choice = os.environ.get(TEMPORALITY_ENV, "").strip().lower()
    if choice in ("", "cumulative"):
        return None  # the SDK's default: cumulative for every instrument
    if choice in _TEMPORALITIES:
        return dict(_TEMPORALITIES[choice])
    _logger.warning(
        "%s=%r is not cumulative, delta or lowmemory; using cumulative", TEMPORALITY_ENV, choice
    )
    return None
