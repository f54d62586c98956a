"""The report as one self-contained HTML page: inline CSS and SVG charts, no script, no
request to anything (it opens from a file, offline, in any browser).

Charts: the latency distribution of each model (a histogram on a log scale, with p50, p95
and p99 marked) and the cost of each model (bars). Then the tables of the text report.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from typing import Final

from agentops.report.summary import Row, Section
from agentops.report.text import COLUMNS, usd

__all__ = ["render_page"]

WIDTH: Final = 880
LABEL_WIDTH: Final = 230
PLOT_RIGHT: Final = 24
ROW_HEIGHT: Final = 54
BINS: Final = 28
MARKERS: Final = ((50, "p50"), (95, "p95"), (99, "p99"))
PALETTE: Final = ("#2563eb", "#db2777", "#059669", "#d97706", "#7c3aed", "#0891b2", "#dc2626")

STYLE: Final = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: #1f2937; margin: 24px auto; max-width: 1320px; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; }
p.facts { color: #4b5563; margin: 0 0 12px; }
figure { margin: 0 0 8px; }
figcaption { color: #4b5563; font-size: 13px; margin-top: 4px; }
svg.chart { display: block; background: #fafafa; border: 1px solid #e5e7eb; }
svg.chart text { font: 12px system-ui, sans-serif; fill: #374151; }
svg.chart text.small { font-size: 10px; fill: #6b7280; }
svg.chart line.grid { stroke: #e5e7eb; }
svg.chart line.marker { stroke: #111827; stroke-width: 1.5; }
svg.chart line.marker.p95 { stroke-dasharray: 4 2; }
svg.chart line.marker.p99 { stroke-dasharray: 1 2; }
table { border-collapse: collapse; margin: 4px 0 12px; font-variant-numeric: tabular-nums; }
div.scroll { overflow-x: auto; }
th, td { padding: 3px 8px; border-bottom: 1px solid #e5e7eb; white-space: nowrap; }
th { background: #f3f4f6; text-align: right; font-weight: 600; }
th.key, td.key { text-align: left; }
td { text-align: right; }
tr.total td { font-weight: 600; border-top: 2px solid #9ca3af; }
p.note { color: #6b7280; font-size: 12px; }
"""


def render_page(
    sections: Sequence[Section], model_section: Section, facts: Sequence[str], title: str
) -> str:
    """The whole page. ``model_section`` (grouped by model) feeds the charts."""
    rows = [row for row in model_section.rows if row.calls]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="facts">{"<br>".join(escape(fact) for fact in facts)}</p>',
        "<h2>Latency distribution by model</h2>",
        latency_chart(rows),
        "<h2>Cost by model</h2>",
        cost_chart(rows),
    ]
    for section in sections:
        parts.append(f"<h2>By {escape(section.grouping.title)}</h2>")
        parts.append(table(section))
    parts.append(
        '<p class="note">Latency: span durations. ttfc: time to first chunk of streamed '
        "calls. out/in: output over input tokens. cache: cache-read share of input tokens. "
        "ROI: recorded business value over cost. A * marks a cost that leaves out calls "
        "without a price.</p>"
    )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _label(row: Row) -> str:
    return " ".join(row.key)


def latency_chart(rows: Sequence[Row]) -> str:
    """A histogram per model on a shared log-scale time axis, with percentile markers."""
    durations = [max(d, 1e-6) for row in rows for d in row.durations_s]
    if not durations:
        return '<p class="note">No calls.</p>'
    low, high = min(durations), max(durations)
    if high / low < 4:  # room on both sides of a narrow spread
        middle = math.sqrt(low * high)
        low, high = middle / 2, middle * 2
    low, high = low / 1.15, high * 1.15
    log_low, log_span = math.log10(low), math.log10(high) - math.log10(low)
    plot_left, plot_right = LABEL_WIDTH, WIDTH - PLOT_RIGHT
    plot_width = plot_right - plot_left
    axis_height = 34
    height = ROW_HEIGHT * len(rows) + axis_height

    def x_of(seconds: float) -> float:
        return plot_left + (math.log10(max(seconds, 1e-6)) - log_low) / log_span * plot_width

    out = [
        f'<figure><svg class="chart" id="latency-chart" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" '
        'aria-label="Latency distribution of each model, log scale">'
    ]
    for tick in _log_ticks(low, high):
        x = x_of(tick)
        out.append(
            f'<line class="grid" x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height - axis_height}"/>'
            f'<text class="tick" x="{x:.1f}" y="{height - axis_height + 16}" '
            f'text-anchor="middle">{_duration(tick)}</text>'
        )
    out.append(
        f'<text class="small" x="{plot_right}" y="{height - 4}" text-anchor="end">'
        "latency (log scale)</text>"
    )
    edges = [low * (high / low) ** (i / BINS) for i in range(BINS + 1)]
    for index, row in enumerate(rows):
        top = index * ROW_HEIGHT
        color = PALETTE[index % len(PALETTE)]
        counts = [0] * BINS
        for duration in row.durations_s:
            position = (math.log10(max(duration, 1e-6)) - log_low) / log_span * BINS
            counts[min(max(int(position), 0), BINS - 1)] += 1
        most = max(counts)
        bar_area = ROW_HEIGHT - 20
        out.append(f'<g class="series" data-key="{escape(_label(row))}">')
        out.append(
            f'<text x="8" y="{top + ROW_HEIGHT / 2 - 2:.1f}">{escape(_label(row))}'
            f'<tspan class="small" dx="6">{row.calls} calls</tspan></text>'
        )
        for bin_index, count in enumerate(counts):
            if not count:
                continue
            x0, x1 = x_of(edges[bin_index]), x_of(edges[bin_index + 1])
            bar = bar_area * count / most
            out.append(
                f'<rect class="bin" data-count="{count}" x="{x0 + 0.5:.1f}" '
                f'y="{top + 6 + bar_area - bar:.1f}" width="{max(x1 - x0 - 1, 1):.1f}" '
                f'height="{bar:.1f}" fill="{color}" fill-opacity="0.75">'
                f"<title>{count} calls, {_duration(edges[bin_index])} to "
                f"{_duration(edges[bin_index + 1])}</title></rect>"
            )
        for q, name in MARKERS:
            seconds = row.latency_s(q)
            if seconds is None:
                continue
            x = x_of(seconds)
            out.append(
                f'<line class="marker {name}" data-seconds="{seconds:.9f}" x1="{x:.1f}" '
                f'y1="{top + 4}" x2="{x:.1f}" y2="{top + 6 + bar_area}">'
                f"<title>{name} {_duration(seconds)}</title></line>"
            )
        p50, p95, p99 = (row.latency_s(q) for q, _ in MARKERS)
        # Under the model's name, clear of the bars.
        out.append(
            f'<text class="small" x="8" y="{top + ROW_HEIGHT / 2 + 18:.1f}">'
            f"p50 {_duration(p50)} · p95 {_duration(p95)} · p99 {_duration(p99)}</text>"
        )
        out.append("</g>")
    out.append("</svg>")
    out.append(
        "<figcaption>Each row is one model: how many calls took how long (bars), with the "
        "median (solid line), p95 (dashed) and p99 (dotted).</figcaption></figure>"
    )
    return "".join(out)


def cost_chart(rows: Sequence[Row]) -> str:
    """A horizontal bar per model, proportional to its cost."""
    priced = [row for row in rows if row.priced_calls]
    if not priced:
        return '<p class="note">No priced calls.</p>'
    most = max(row.cost_usd for row in priced) or 1.0
    bar_height, gap = 22, 10
    height = (bar_height + gap) * len(priced) + gap
    plot_left, plot_width = LABEL_WIDTH, WIDTH - LABEL_WIDTH - 190
    out = [
        f'<figure><svg class="chart" id="cost-chart" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="Cost of each model in USD">'
    ]
    for index, row in enumerate(priced):
        y = gap + index * (bar_height + gap)
        width = plot_width * row.cost_usd / most
        color = PALETTE[rows.index(row) % len(PALETTE)]
        out.append(
            f'<g class="series" data-key="{escape(_label(row))}">'
            f'<text x="8" y="{y + bar_height / 2 + 4:.1f}">{escape(_label(row))}</text>'
            f'<rect class="bar" data-usd="{row.cost_usd!r}" x="{plot_left}" y="{y}" '
            f'width="{max(width, 1):.2f}" height="{bar_height}" fill="{color}">'
            f"<title>${usd(row.cost_usd)}</title></rect>"
            f'<text x="{plot_left + max(width, 1) + 8:.1f}" y="{y + bar_height / 2 + 4:.1f}">'
            f"${usd(row.cost_usd)} · {row.priced_calls} priced calls</text></g>"
        )
    out.append("</svg>")
    out.append("<figcaption>Sum of the cost of each model's priced calls.</figcaption></figure>")
    return "".join(out)


def table(section: Section) -> str:
    key_columns = section.grouping.columns
    head = "".join(f'<th class="key">{escape(name)}</th>' for name in key_columns)
    head += "".join(f"<th>{escape(name)}</th>" for name, _ in COLUMNS)
    lines = [f'<div class="scroll"><table class="report"><thead><tr>{head}</tr></thead><tbody>']
    for row in [*section.rows, section.total]:
        key = list(row.key) + [""] * (len(key_columns) - len(row.key))
        cells = "".join(f'<td class="key">{escape(part)}</td>' for part in key)
        cells += "".join(f"<td>{escape(cell(row))}</td>" for _, cell in COLUMNS)
        css = ' class="total"' if row is section.total else ""
        lines.append(f"<tr{css}>{cells}</tr>")
    lines.append("</tbody></table></div>")
    return "".join(lines)


def _log_ticks(low: float, high: float) -> list[float]:
    """1-2-5 ticks, or 1-2-3-5-7 when the range is too narrow for three of those."""
    for steps in ((1, 2, 5), (1, 2, 3, 5, 7), (1, 1.5, 2, 3, 4, 5, 6, 7, 8, 9)):
        ticks = []
        exponent = math.floor(math.log10(low))
        while 10**exponent <= high:
            for step in steps:
                tick = step * 10**exponent
                if low <= tick <= high:
                    ticks.append(tick)
            exponent += 1
        if len(ticks) >= 3:
            break
    return ticks


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds >= 1:
        return f"{seconds:.3g} s"
    ms = seconds * 1000
    return f"{ms:.3g} ms" if ms >= 0.01 else f"{ms * 1000:.3g} µs"
