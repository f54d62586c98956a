"""The report's figures per group of calls: by model, by tag, by provider or by service.

Every figure is computed from the calls themselves (span durations and attributes), not
from metric histograms, so percentiles are exact and the numbers equal the spans'.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from agentops.report.calls import Call, Value

__all__ = [
    "GROUPINGS",
    "Grouping",
    "Row",
    "Section",
    "parse_grouping",
    "percentile",
    "summarize",
]

GROUPINGS: Final = ("model", "provider", "service", "tag", "tag:KEY")
UNTAGGED: Final = "(no tags)"


@dataclass(frozen=True, slots=True)
class Grouping:
    kind: str
    """``model``, ``provider``, ``service`` or ``tag``."""
    tag_key: str | None = None
    """For ``tag:KEY``: only that tag; otherwise every tag."""

    @property
    def title(self) -> str:
        if self.kind == "tag":
            return f"tag {self.tag_key}" if self.tag_key else "tag"
        return "provider and model" if self.kind == "model" else self.kind

    def keys_of_call(self, call: Call) -> list[tuple[str, ...]]:
        return self._keys(call.provider, call.model, call.service, call.tags)

    def keys_of_value(self, value: Value) -> list[tuple[str, ...]]:
        return self._keys(value.provider, value.model, value.service, value.tags)

    def _keys(
        self, provider: str, model: str | None, service: str, tags: Mapping[str, str]
    ) -> list[tuple[str, ...]]:
        if self.kind == "model":
            return [(provider, model or "(any model)")]
        if self.kind == "provider":
            return [(provider,)]
        if self.kind == "service":
            return [(service,)]
        if self.tag_key is not None:
            value = tags.get(self.tag_key)
            return [
                (f"{self.tag_key}={value}",) if value is not None else (f"(no {self.tag_key})",)
            ]
        if not tags:
            return [(UNTAGGED,)]
        # A call with several tags counts once under each of them.
        return [(f"{key}={value}",) for key, value in sorted(tags.items())]

    @property
    def columns(self) -> tuple[str, ...]:
        return ("provider", "model") if self.kind == "model" else (self.title,)


def parse_grouping(text: str) -> Grouping:
    """``model``, ``provider``, ``service``, ``tag`` or ``tag:KEY``; ValueError otherwise."""
    text = text.strip()
    if text in ("model", "provider", "service", "tag"):
        return Grouping(text)
    if text.startswith("tag:") and text[4:].strip():
        return Grouping("tag", text[4:].strip())
    raise ValueError(f"--by takes one of {', '.join(GROUPINGS)}; got {text!r}")


@dataclass
class Row:
    key: tuple[str, ...]
    calls: int = 0
    errors: int = 0
    error_types: dict[str, int] = field(default_factory=dict)
    durations_s: list[float] = field(default_factory=list)
    ttfcs_s: list[float] = field(default_factory=list)
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cost_usd: float = 0.0
    priced_calls: int = 0
    value: float | None = None
    """Business value recorded for this group; None when none was recorded."""

    def add(self, call: Call) -> None:
        self.calls += 1
        if call.error_type is not None:
            self.errors += 1
            self.error_types[call.error_type] = self.error_types.get(call.error_type, 0) + 1
        self.durations_s.append(call.duration_s)
        if call.ttfc_s is not None:
            self.ttfcs_s.append(call.ttfc_s)
        self.input_tokens += call.input_tokens or 0
        self.output_tokens += call.output_tokens or 0
        self.cache_read_tokens += call.cache_read_tokens
        if call.cost_usd is not None:
            self.cost_usd += call.cost_usd
            self.priced_calls += 1

    @property
    def error_rate(self) -> float | None:
        return self.errors / self.calls if self.calls else None

    def latency_s(self, q: float) -> float | None:
        return percentile(self.durations_s, q)

    def ttfc_s(self, q: float) -> float | None:
        return percentile(self.ttfcs_s, q)

    @property
    def compression_ratio(self) -> float | None:
        """Output tokens over input tokens (the seed's token compression ratio)."""
        return self.output_tokens / self.input_tokens if self.input_tokens else None

    @property
    def cache_share(self) -> float | None:
        """Cache-read tokens over input tokens (input tokens include them)."""
        return self.cache_read_tokens / self.input_tokens if self.input_tokens else None

    @property
    def roi(self) -> float | None:
        """Business value over cost."""
        if self.value is None or self.cost_usd <= 0:
            return None
        return self.value / self.cost_usd


@dataclass
class Section:
    grouping: Grouping
    rows: list[Row]
    total: Row


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100) by linear interpolation between the closest ranks
    (numpy's default, ``statistics.quantiles(method="inclusive")``)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarize(calls: Iterable[Call], values: Iterable[Value], grouping: Grouping) -> Section:
    """One row per group, largest cost first (then most calls), and a total row."""
    rows: dict[tuple[str, ...], Row] = {}
    total = Row(("total",))
    for call in calls:
        total.add(call)
        for key in grouping.keys_of_call(call):
            row = rows.get(key)
            if row is None:
                row = rows[key] = Row(key)
            row.add(call)
    for value in values:
        total.value = (total.value or 0.0) + value.value
        for key in grouping.keys_of_value(value):
            row = rows.get(key)
            if row is None:
                # Value recorded for a group with no call in the files: shown, with no ROI.
                row = rows[key] = Row(key)
            row.value = (row.value or 0.0) + value.value
    ordered = sorted(rows.values(), key=_order)
    return Section(grouping, ordered, total)


def _order(row: Row) -> tuple[float, int, tuple[str, ...]]:
    return (-row.cost_usd, -row.calls, row.key)
