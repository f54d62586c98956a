"""Extension points through which the distro shapes every provider's telemetry.

Provider packages never look at these; the core consults them once per call. They exist so
features such as model filters, user tags, cost and cost limits apply to every provider
without any provider package knowing about them. Hooks receive and return data only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.instrumentation.agentops.core._records import Request, Response
from opentelemetry.trace import SpanContext
from opentelemetry.util.types import AttributeValue

__all__ = [
    "AttributeSource",
    "CallObserver",
    "FinishedCall",
    "Observation",
    "PreCallCheck",
    "RequestFilter",
    "Signals",
    "attribute_sources",
    "call_observers",
    "pre_call_checks",
    "request_filters",
    "signals",
]

RequestFilter = Callable[[Request[Any]], bool]
"""Returns False when a call must not be recorded at all (no span, no metric point)."""

AttributeSource = Callable[[Request[Any]], Mapping[str, AttributeValue] | None]
"""Returns attributes to add to the span and to every metric point of a call."""

PreCallCheck = Callable[[Request[Any]], None]
"""Runs before the request is sent; raising stops the call (e.g. a hard cost limit)."""


@dataclass(frozen=True, slots=True)
class FinishedCall:
    """A call that has just ended, whether or not its span is sampled."""

    request: Request[Any]
    response: Response | None
    """None when the call failed or nothing is known of its result."""
    error_type: str | None
    usage_problem: str | None
    """Why the provider's token counts are not usable (``negative``, ``implausible``), if so."""
    attributes: Mapping[str, AttributeValue]
    """The span's attributes so far, including what earlier observers returned."""
    metric_attributes: Mapping[str, AttributeValue]
    """The attributes of the call's metric points (provider, models, operation, tags, ...)."""
    span_context: SpanContext
    start_time_ns: int
    """Wall-clock start of the call, for date-dependent prices."""


@dataclass(frozen=True, slots=True)
class Observation:
    """What an observer adds to the call's span."""

    attributes: Mapping[str, AttributeValue] = field(default_factory=dict)
    events: Sequence[tuple[str, Mapping[str, AttributeValue]]] = ()


CallObserver = Callable[[FinishedCall], Observation | None]
"""Runs when a call ends, before its span ends, for every call (sampled or not)."""

request_filters: list[RequestFilter] = []
attribute_sources: list[AttributeSource] = []
pre_call_checks: list[PreCallCheck] = []
call_observers: list[CallObserver] = []


@dataclass(slots=True)
class Signals:
    """Which measurements are recorded; read when an instrumentor is instrumented.

    ``tokens`` off: no token counts on spans and no ``gen_ai.client.token.usage`` points.
    ``latency`` off: no duration, time-to-first-chunk or time-per-chunk metric points.
    """

    tokens: bool = True
    latency: bool = True


signals = Signals()
