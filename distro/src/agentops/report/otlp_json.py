"""Reading OTLP JSON lines files: spans and metric points, as plain Python values.

The files are what the ``agentops_otlp_file`` exporters (and the OpenTelemetry file exporter
format generally) write: one ``ExportTraceServiceRequest``, ``ExportMetricsServiceRequest``
or ``ExportLogsServiceRequest`` per line, in the OTLP JSON encoding (lowerCamelCase names,
64-bit integers as strings, ids in hex). Only the standard library is used, so the report
runs wherever the files are copied to. Lines that are not valid JSON, or not one of these
requests, are counted and skipped: a file cut off mid-line by a crash still reports.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

__all__ = ["MetricPoint", "Read", "Span", "read_files"]

# OTLP enums, as integers in the JSON encoding.
STATUS_ERROR: Final = 2
TEMPORALITY_DELTA: Final = 1

Attributes = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Span:
    name: str
    trace_id: str
    span_id: str
    start_ns: int
    end_ns: int
    status_code: int
    attributes: Attributes
    resource: Attributes

    @property
    def duration_s(self) -> float:
        return max(self.end_ns - self.start_ns, 0) / 1e9


@dataclass(frozen=True, slots=True)
class MetricPoint:
    """One number point of a Sum or Gauge (histogram points are not needed by the report)."""

    metric: str
    unit: str
    kind: str
    """``sum`` or ``gauge``."""
    delta: bool
    """True for a delta Sum: points add up; otherwise the latest point per series holds it."""
    value: float
    start_ns: int
    time_ns: int
    attributes: Attributes
    resource: Attributes

    def series(self) -> tuple[Any, ...]:
        """What identifies this point's series across exports of one process."""
        return (
            self.metric,
            _frozen(self.resource),
            _frozen(self.attributes),
            self.start_ns if not self.delta else None,
        )


@dataclass
class Read:
    spans: list[Span] = field(default_factory=list)
    points: list[MetricPoint] = field(default_factory=list)
    lines: int = 0
    skipped: int = 0
    """Lines that were not valid OTLP JSON requests."""


def read_files(paths: Iterable[str | Path]) -> Read:
    """Every span and number point in the files, in file and line order.

    Raises ``OSError`` when a file cannot be read.
    """
    read = Read()
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as lines:
            for line in lines:
                if not line.strip():
                    continue
                read.lines += 1
                try:
                    request = json.loads(line)
                except ValueError:
                    read.skipped += 1
                    continue
                if not isinstance(request, dict) or not _take(request, read):
                    read.skipped += 1
    return read


def _take(request: Mapping[str, Any], read: Read) -> bool:
    if "resourceSpans" in request:
        read.spans.extend(_spans(request["resourceSpans"]))
        return True
    if "resourceMetrics" in request:
        read.points.extend(_points(request["resourceMetrics"]))
        return True
    return "resourceLogs" in request  # valid, and nothing the report needs


def _spans(resource_spans: Any) -> Iterator[Span]:
    for resource_span in _list(resource_spans):
        resource = attributes_of(_dict(resource_span.get("resource")).get("attributes"))
        for scope_span in _list(resource_span.get("scopeSpans")):
            for span in _list(scope_span.get("spans")):
                if not isinstance(span, dict):
                    continue
                yield Span(
                    name=str(span.get("name", "")),
                    trace_id=str(span.get("traceId", "")),
                    span_id=str(span.get("spanId", "")),
                    start_ns=_int(span.get("startTimeUnixNano")),
                    end_ns=_int(span.get("endTimeUnixNano")),
                    status_code=_int(_dict(span.get("status")).get("code")),
                    attributes=attributes_of(span.get("attributes")),
                    resource=resource,
                )


def _points(resource_metrics: Any) -> Iterator[MetricPoint]:
    for resource_metric in _list(resource_metrics):
        resource = attributes_of(_dict(resource_metric.get("resource")).get("attributes"))
        for scope_metric in _list(resource_metric.get("scopeMetrics")):
            for metric in _list(scope_metric.get("metrics")):
                if not isinstance(metric, dict):
                    continue
                for kind in ("sum", "gauge"):
                    data = metric.get(kind)
                    if not isinstance(data, dict):
                        continue
                    delta = _int(data.get("aggregationTemporality")) == TEMPORALITY_DELTA
                    for point in _list(data.get("dataPoints")):
                        value = _number(point)
                        if value is None:
                            continue
                        yield MetricPoint(
                            metric=str(metric.get("name", "")),
                            unit=str(metric.get("unit", "")),
                            kind=kind,
                            delta=delta and kind == "sum",
                            value=value,
                            start_ns=_int(point.get("startTimeUnixNano")),
                            time_ns=_int(point.get("timeUnixNano")),
                            attributes=attributes_of(point.get("attributes")),
                            resource=resource,
                        )


def attributes_of(key_values: Any) -> Attributes:
    """``[{"key": ..., "value": {AnyValue}}]`` as a dict of Python values."""
    result: Attributes = {}
    for item in _list(key_values):
        if isinstance(item, dict) and isinstance(item.get("key"), str):
            result[item["key"]] = any_value(item.get("value"))
    return result


def any_value(value: Any) -> Any:
    """An OTLP ``AnyValue`` as a Python value (64-bit integers arrive as strings)."""
    if not isinstance(value, dict):
        return None
    if "stringValue" in value:
        return value["stringValue"]
    if "intValue" in value:
        return _int(value["intValue"])
    if "doubleValue" in value:
        return _float(value["doubleValue"])
    if "boolValue" in value:
        return bool(value["boolValue"])
    if "arrayValue" in value:
        return [any_value(item) for item in _list(_dict(value["arrayValue"]).get("values"))]
    if "kvlistValue" in value:
        return attributes_of(_dict(value["kvlistValue"]).get("values"))
    return None


def _number(point: Any) -> float | None:
    if not isinstance(point, dict):
        return None
    if "asDouble" in point:
        return _float(point["asDouble"])
    if "asInt" in point:
        return float(_int(point["asInt"]))
    return None


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _float(value: Any) -> float | None:
    # Protobuf's JSON mapping writes non-finite doubles as strings ("NaN", "Infinity").
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _frozen(attributes: Attributes) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((key, repr(value)) for key, value in attributes.items()))
