"""The report as console tables, and as JSON for scripts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from agentops.report.summary import Row, Section

__all__ = ["as_json", "format_section", "row_figures", "usd"]

Column = tuple[str, Callable[[Row], str]]


def usd(amount: float) -> str:
    """Six decimals below $10 (one call costs fractions of a cent), cents above."""
    return f"{amount:.6f}" if abs(amount) < 10 else f"{amount:,.2f}"


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    ms = seconds * 1000
    return f"{ms:.1f}" if ms < 10 else f"{ms:,.0f}"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _cost(row: Row) -> str:
    if not row.priced_calls:
        return "-"
    text = usd(row.cost_usd)
    # Calls without a price (unknown model, no usage, failed) are not in the sum: say so.
    unpriced = row.calls - row.priced_calls - row.errors
    return f"{text}*" if unpriced > 0 else text


def _value(row: Row) -> str:
    return "-" if row.value is None else f"{row.value:,.2f}"


def _roi(row: Row) -> str:
    roi = row.roi
    return "-" if roi is None else f"{roi:,.1f}"


COLUMNS: Sequence[Column] = (
    ("calls", lambda r: str(r.calls)),
    ("errors", lambda r: str(r.errors)),
    ("err %", lambda r: _share(r.error_rate)),
    ("p50 ms", lambda r: _ms(r.latency_s(50))),
    ("p95 ms", lambda r: _ms(r.latency_s(95))),
    ("p99 ms", lambda r: _ms(r.latency_s(99))),
    ("ttfc p50", lambda r: _ms(r.ttfc_s(50))),
    ("in tok", lambda r: f"{r.input_tokens:,}"),
    ("out tok", lambda r: f"{r.output_tokens:,}"),
    ("out/in", lambda r: _ratio(r.compression_ratio)),
    ("cache", lambda r: _share(r.cache_share)),
    ("cost USD", _cost),
    ("value", _value),
    ("ROI", _roi),
)


def format_section(section: Section) -> str:
    """One table: a line per group, then the total."""
    key_columns = section.grouping.columns
    header = [*key_columns, *(name for name, _ in COLUMNS)]
    body: list[list[str]] = []
    for row in [*section.rows, section.total]:
        key = list(row.key) + [""] * (len(key_columns) - len(row.key))
        body.append([*key, *(cell(row) for _, cell in COLUMNS)])
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        keys = [cells[i].ljust(widths[i]) for i in range(len(key_columns))]
        numbers = [cells[i].rjust(widths[i]) for i in range(len(key_columns), len(cells))]
        return "  ".join(keys + numbers).rstrip()

    rule = "-" * len(line(header))
    lines = [f"By {section.grouping.title}", line(header), rule]
    lines += [line(cells) for cells in body[:-1]]
    lines += [rule, line(body[-1])]
    return "\n".join(lines)


def row_figures(row: Row) -> dict[str, Any]:
    """Every figure of a row, unrounded (latencies in seconds, cost in USD)."""
    return {
        "key": list(row.key),
        "calls": row.calls,
        "errors": row.errors,
        "error_rate": row.error_rate,
        "error_types": dict(sorted(row.error_types.items())),
        "latency_s": {f"p{q}": row.latency_s(q) for q in (50, 95, 99)},
        "ttfc_s": {f"p{q}": row.ttfc_s(q) for q in (50, 95, 99)},
        "streamed_calls": len(row.ttfcs_s),
        "input_tokens": row.input_tokens,
        "output_tokens": row.output_tokens,
        "cache_read_tokens": row.cache_read_tokens,
        "compression_ratio": row.compression_ratio,
        "cache_share": row.cache_share,
        "cost_usd": row.cost_usd,
        "priced_calls": row.priced_calls,
        "value": row.value,
        "roi": row.roi,
    }


def as_json(sections: Sequence[Section]) -> dict[str, Any]:
    return {
        "sections": [
            {
                "by": section.grouping.title,
                "columns": list(section.grouping.columns),
                "rows": [row_figures(row) for row in section.rows],
                "total": row_figures(section.total),
            }
            for section in sections
        ]
    }
