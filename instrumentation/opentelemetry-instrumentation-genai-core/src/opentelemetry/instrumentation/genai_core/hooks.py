"""Extension points through which the distro shapes every provider's telemetry.

Provider packages never look at these; the core consults them once per call. They exist so
features such as model filters and user tags apply to every provider without any provider
package knowing about them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from opentelemetry.instrumentation.genai_core.records import Request
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
