"""A metric exporter that prints a compact table of the GenAI metrics at each export."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, TextIO

from opentelemetry import trace
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
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as GenAI
from opentelemetry.semconv.attributes.error_attributes import ERROR_TYPE
from opentelemetry.semconv.attributes.service_attributes import SERVICE_NAME

from agentops_exporters import _format
from agentops_exporters._output import LineWriter

__all__ = ["TEMPORALITY_ENV", "LLMConsoleMetricExporter", "format_metrics"]

TEMPORALITY_ENV: Final = "AGENTOPS_CONSOLE_METRICS_TEMPORALITY"
"""``cumulative`` (default) or ``delta``: what each table covers, when no preference is given."""

# Metric names we tabulate: the GenAI conventions' and this project's own (cost).
_PREFIXES: Final = ("gen_ai.", "agentops.")
_INDENT: Final = "  "

# The usual meaning of "delta": sums that only go up are reported per interval, the rest
# (up-down counters, gauges) stay cumulative because a delta of them means little.
_DELTA: Final[dict[type, AggregationTemporality]] = {
    Counter: AggregationTemporality.DELTA,
    Histogram: AggregationTemporality.DELTA,
    ObservableCounter: AggregationTemporality.DELTA,
    UpDownCounter: AggregationTemporality.CUMULATIVE,
    ObservableUpDownCounter: AggregationTemporality.CUMULATIVE,
    ObservableGauge: AggregationTemporality.CUMULATIVE,
}

_logger = logging.getLogger("agentops_exporters")


class LLMConsoleMetricExporter(MetricExporter):
    """Prints a table of the ``gen_ai.*`` and ``agentops.*`` metrics at each export.

    One row per metric and attribute set as seen through the columns (operation, provider,
    model, token type, error type); points that differ only in other attributes (such as
    ``server.port``) are added together. Exports without any GenAI point print nothing.
    A ``PeriodicExportingMetricReader`` exports once more when it shuts down, so a table is
    printed at exit too.

    With ``flush_spans_first`` (the default), the global tracer provider is flushed before a
    table is printed, so the span lines of the calls a table counts are printed above it
    (at exit the meter provider shuts down before the tracer provider).
    """

    def __init__(
        self,
        out: TextIO | None = None,
        *,
        preferred_temporality: dict[type, AggregationTemporality] | None = None,
        preferred_aggregation: dict[type, Aggregation] | None = None,
        flush_spans_first: bool = True,
    ) -> None:
        if preferred_temporality is None:
            preferred_temporality = _temporality_from_env()
        super().__init__(
            preferred_temporality=preferred_temporality,
            preferred_aggregation=preferred_aggregation,
        )
        self._writer = LineWriter(out, "LLMConsoleMetricExporter")
        self._flush_spans_first = flush_spans_first
        self._shut_down = False

    def export(
        self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: object
    ) -> MetricExportResult:
        if self._shut_down:
            return MetricExportResult.FAILURE
        try:
            text = format_metrics(metrics_data)
        except Exception as error:  # never raise into the SDK's reader
            self._writer.report(f"could not format metrics: {error!r}")
            return MetricExportResult.FAILURE
        if not text:
            return MetricExportResult.SUCCESS
        if self._flush_spans_first:
            _flush_global_tracer_provider(timeout_millis)
        ok = self._writer.write(text)
        return MetricExportResult.SUCCESS if ok else MetricExportResult.FAILURE

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        return self._writer.flush()

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: object) -> None:
        self._shut_down = True
        self._writer.flush()


@dataclass(slots=True)
class _Row:
    """One table row: the points of one metric that look the same in the table, added up."""

    unit: str
    count: int | None = None
    total: float = 0.0
    minimum: float | None = None
    maximum: float | None = None

    def add_histogram(self, count: int, total: float, low: float, high: float) -> None:
        self.count = (self.count or 0) + count
        self.total += total
        if count:
            self.minimum = low if self.minimum is None else min(self.minimum, low)
            self.maximum = high if self.maximum is None else max(self.maximum, high)


_Key = tuple[str, str, str, str, str, str]
"""metric name, operation, provider, model, token type, error type."""

_HEADER: Final = ("metric", "operation", "provider", "model", "token", "error")
_NUMBER_HEADER: Final = ("count", "sum", "avg", "min", "max")


def format_metrics(metrics_data: MetricsData) -> str:
    """The table for ``metrics_data``, or "" when it holds no GenAI point."""
    rows: dict[_Key, _Row] = {}
    temporalities: set[AggregationTemporality] = set()
    services: list[str] = []
    for resource_metrics in metrics_data.resource_metrics:
        service = resource_metrics.resource.attributes.get(SERVICE_NAME)
        found = False
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                if not metric.name.startswith(_PREFIXES):
                    continue
                temporality = getattr(metric.data, "aggregation_temporality", None)
                if isinstance(temporality, AggregationTemporality):
                    temporalities.add(temporality)
                for point in metric.data.data_points:
                    found = True
                    _add_point(rows, metric.name, metric.unit, point)
        if found and isinstance(service, str) and service not in services:
            services.append(service)
    if not rows:
        return ""
    return _render(rows, _title(temporalities, services))


def _add_point(rows: dict[_Key, _Row], name: str, unit: str, point: object) -> None:
    attributes: _format.Attributes = getattr(point, "attributes", None) or {}
    key = (
        name,
        _format.text(attributes.get(GenAI.GEN_AI_OPERATION_NAME)),
        _format.text(attributes.get(GenAI.GEN_AI_PROVIDER_NAME)),
        _format.model(attributes),
        _format.text(attributes.get(GenAI.GEN_AI_TOKEN_TYPE)),
        _format.text(attributes.get(ERROR_TYPE)),
    )
    row = rows.setdefault(key, _Row(unit=unit or ""))
    if hasattr(point, "count") and hasattr(point, "sum"):
        # Histogram and exponential histogram points alike.
        row.add_histogram(point.count, point.sum, point.min, point.max)
    else:
        row.total += getattr(point, "value", 0)


def _render(rows: dict[_Key, _Row], title: str) -> str:
    # Keep the order metrics arrived in, and sort each metric's rows by their labels.
    order = {name: index for index, name in enumerate(dict.fromkeys(key[0] for key in rows))}
    table: list[tuple[str, ...]] = [(*_HEADER, *_NUMBER_HEADER)]
    for key in sorted(rows, key=lambda key: (order[key[0]], key[1:])):
        row = rows[key]
        name = f"{key[0]} [{row.unit}]" if row.unit else key[0]
        table.append((name, *key[1:], *_numbers(row)))
    widths = [max(len(line[column]) for line in table) for column in range(len(table[0]))]
    text_columns = len(_HEADER)
    lines = ["", title]  # a blank line sets the table apart from the span lines above
    for line in table:
        cells = [
            cell.ljust(width) if column < text_columns else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(line, widths, strict=True))
        ]
        lines.append((_INDENT + "  ".join(cells)).rstrip())
    return "\n".join(lines) + "\n"


def _numbers(row: _Row) -> tuple[str, str, str, str, str]:
    unit = row.unit
    if row.count is None:
        return ("", _value(row.total, unit), "", "", "")
    average = row.total / row.count if row.count else None
    return (
        str(row.count),
        _value(row.total, unit),
        _value(average, unit),
        _value(row.minimum, unit),
        _value(row.maximum, unit),
    )


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s":
        # Durations of LLM calls read best in milliseconds.
        return f"{value * 1000:.1f} ms"
    if unit == "USD":
        return _format.usd(value)
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}" if unit == "{token}" else f"{value:.4g}"


def _title(temporalities: set[AggregationTemporality], services: Iterable[str]) -> str:
    if temporalities == {AggregationTemporality.DELTA}:
        scope = "delta since the previous export"
    elif AggregationTemporality.DELTA in temporalities:
        scope = "cumulative and delta"
    else:
        scope = "cumulative since start"
    names = ", ".join(services)
    return f"GenAI metrics ({scope}{', service ' + names if names else ''}):"


def _temporality_from_env() -> dict[type, AggregationTemporality] | None:
    choice = os.environ.get(TEMPORALITY_ENV, "").strip().lower()
    if choice in ("", "cumulative"):
        return None  # the SDK's default: cumulative for every instrument
    if choice == "delta":
        return dict(_DELTA)
    _logger.warning("%s=%r is not cumulative or delta; using cumulative", TEMPORALITY_ENV, choice)
    return None


def _flush_global_tracer_provider(timeout_millis: float) -> None:
    flush = getattr(trace.get_tracer_provider(), "force_flush", None)
    if not callable(flush):
        return  # the API's proxy or no-op provider: nothing is buffered
    try:
        flush(int(timeout_millis))
    except Exception:
        _logger.debug("flushing the tracer provider before a metrics table failed", exc_info=True)
