"""Extension points through which the distro shapes every provider's telemetry.

Provider packages never look at these; the core consults them once per call. They exist so
features such as model filters and user tags apply to every provider without any provider
package knowing about them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from opentelemetry.instrumentation.agentops.core.records import Request
from opentelemetry.util.types import AttributeValue

RequestFilter = Callable[[Request], bool]
"""Returns False when a call must not be recorded at all (no span, no metric point)."""

AttributeSource = Callable[[Request], Mapping[str, AttributeValue] | None]
"""Returns attributes to add to the span and to every metric point of a call."""

PreCallCheck = Callable[[Request], None]
"""Runs before the request is sent; raising stops the call (e.g. a hard cost limit)."""

request_filters: list[RequestFilter] = []
attribute_sources: list[AttributeSource] = []
pre_call_checks: list[PreCallCheck] = []


@dataclass(slots=True)
class Signals:
    """Which measurements are recorded; read when an instrumentor is instrumented.

    ``tokens`` off: no token counts on spans and no ``gen_ai.client.token.usage`` points.
    ``latency`` off: no duration, time-to-first-chunk or time-per-chunk metric points.
    """

    tokens: bool = True
    latency: bool = True


signals = Signals()
