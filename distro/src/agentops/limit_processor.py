"""Feeds cost limits from finished GenAI spans and raises the alarm when one is crossed.

``CostLimitProcessor`` reads ``agentops.cost.total_usd``, which the cost processor writes in
its ``on_ending``. Added after the cost processor (``Client.configure`` does that), it sees
the cost in its own ``on_ending`` and can put the alert on the crossing span as an event;
added before it, or on an SDK that never calls ``on_ending``, it counts the cost in
``on_end`` instead, where the span can no longer take an event (the log record and the
callback still happen).

A crossing produces, once: a WARNING on the ``agentops`` logger, the
``agentops.cost_limit.crossed`` log record (severity WARN, tied to the crossing call's
trace), the same event on the crossing span, and the limit's ``on_exceed`` callback.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Final

from agentops_semconv import (
    AGENTOPS_COST_LIMIT_EVENT,
    AGENTOPS_COST_LIMIT_NAME,
    AGENTOPS_COST_LIMIT_SPENT_USD,
    AGENTOPS_COST_LIMIT_USD,
    AGENTOPS_COST_TOTAL_USD,
)
from opentelemetry._logs import Logger, SeverityNumber
from opentelemetry.context import Context
from opentelemetry.instrumentation.agentops.core.hooks import FinishedCall, Observation
from opentelemetry.sdk.trace import ReadableSpan, Span
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as GenAI
from opentelemetry.trace import NonRecordingSpan, set_span_in_context
from opentelemetry.util.types import AttributeValue

from agentops import _tag_keys
from agentops._compat import OnEndingSpanProcessor
from agentops._span_events import add_event
from agentops.limits import CostLimitCrossed, CostTracker

__all__ = ["OUR_SCOPES", "CostLimitProcessor"]

OUR_SCOPES: Final = "opentelemetry.instrumentation.agentops."
"""The instrumentation scopes of this project's provider packages."""

_logger = logging.getLogger("agentops")

_PROVIDER: Final = GenAI.GEN_AI_PROVIDER_NAME
_REQUEST_MODEL: Final = GenAI.GEN_AI_REQUEST_MODEL
_RESPONSE_MODEL: Final = GenAI.GEN_AI_RESPONSE_MODEL


class CostLimitProcessor(OnEndingSpanProcessor):
    """Counts each priced GenAI span's cost against the tracker's limits."""

    def __init__(self, tracker: CostTracker, event_logger: Logger) -> None:
        self._tracker = tracker
        self._event_logger = event_logger
        self.active = True
        """Cleared when the client is unconfigured (an SDK processor cannot be removed)."""
        # Spans counted in ``on_ending``, so ``on_end`` does not count them twice.
        self._counted: set[int] = set()
        self._lock = threading.Lock()

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        pass

    def observe(self, call: FinishedCall) -> Observation | None:
        """The call observer: counts our own calls whatever the sampler decided (their span
        processor hooks never run for unsampled spans), after the cost observer priced them."""
        if not self.active or not self._tracker:
            return None
        try:
            events = self._count_cost(call.attributes, call.span_context, live=True)
        except Exception:
            _logger.debug("Counting a call against the cost limits failed", exc_info=True)
            return None
        return Observation(events=events) if events else None

    def on_ending(self, span: Span) -> None:
        if not self.active or not self._tracker or _ours(span):
            return
        try:
            if self._count(span, span.attributes, live=True):
                with self._lock:
                    self._counted.add(span.get_span_context().span_id)
        except Exception:
            _logger.debug("Counting a span against the cost limits failed", exc_info=True)

    def on_end(self, span: ReadableSpan) -> None:
        context = span.context
        if context is not None and self._counted:
            with self._lock:
                if context.span_id in self._counted:
                    self._counted.discard(context.span_id)
                    return
        if not self.active or not self._tracker or _ours(span):
            return
        try:
            self._count(span, span.attributes, live=False)
        except Exception:
            _logger.debug("Counting a span against the cost limits failed", exc_info=True)

    def shutdown(self) -> None:
        pass

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True

    def _count(self, span: Any, attributes: Any, *, live: bool) -> bool:
        """Count the span's cost; False when it has none (yet)."""
        if not attributes:
            return False
        cost = attributes.get(AGENTOPS_COST_TOTAL_USD)
        if cost.__class__ not in (float, int) or cost < 0:
            return False
        span_context = span.get_span_context() if live else span.context
        for name, event_attributes in self._count_cost(attributes, span_context, live=live):
            if live:
                try:
                    add_event(span, name, event_attributes)
                except Exception:
                    _logger.debug("Adding the cost limit event to the span failed", exc_info=True)
        return True

    def _count_cost(
        self, attributes: Any, span_context: Any, *, live: bool
    ) -> list[tuple[str, dict[str, AttributeValue]]]:
        """Count a priced call's cost; the span events its crossings put on the call's span."""
        cost = attributes.get(AGENTOPS_COST_TOTAL_USD)
        if cost.__class__ not in (float, int) or cost < 0:
            return []
        crossed = self._tracker.add_cost(
            float(cost),
            _text(attributes.get(_PROVIDER)),
            _text(attributes.get(_REQUEST_MODEL)),
            _text(attributes.get(_RESPONSE_MODEL)),
            trace_id=span_context.trace_id if span_context else None,
            span_id=span_context.span_id if span_context else None,
            tags=_tag_keys.tags_of(attributes.get),
        )
        return [self._alert(alert, span_context) for alert in crossed]

    def _alert(
        self, alert: CostLimitCrossed, span_context: Any
    ) -> tuple[str, dict[str, AttributeValue]]:
        """Warn, emit the log record and run the callback; the span event to add."""
        limit = alert.limit
        store = self._tracker.store
        _logger.warning(
            "Cost limit %r crossed: %s spent of %s%s%s.%s",
            limit.name,
            _usd(alert.spent_usd),
            _usd(limit.limit_usd),
            _scope(alert),
            f" by every process sharing {store.describe()}" if store.shared else "",
            " Further calls in its scope will fail with CostLimitExceeded." if limit.hard else "",
        )
        attributes: dict[str, AttributeValue] = {
            AGENTOPS_COST_LIMIT_NAME: limit.name,
            AGENTOPS_COST_LIMIT_USD: float(limit.limit_usd),
            AGENTOPS_COST_LIMIT_SPENT_USD: alert.spent_usd,
        }
        try:
            context = (
                set_span_in_context(NonRecordingSpan(span_context))
                if span_context is not None
                else None
            )
            self._event_logger.emit(
                event_name=AGENTOPS_COST_LIMIT_EVENT,
                severity_number=SeverityNumber.WARN,
                severity_text="WARN",
                attributes=attributes,
                context=context,
            )
        except Exception:
            _logger.debug("Emitting the cost limit event failed", exc_info=True)
        if limit.on_exceed is not None:
            try:
                limit.on_exceed(alert)
            except Exception:
                _logger.warning(
                    "The on_exceed callback of cost limit %r raised; ignored.",
                    limit.name,
                    exc_info=True,
                )
        return AGENTOPS_COST_LIMIT_EVENT, attributes


def _ours(span: Any) -> bool:
    """A span of this project's instrumentations: counted by ``observe`` before it ended."""
    scope = getattr(span, "instrumentation_scope", None)
    return bool(scope is not None and (scope.name or "").startswith(OUR_SCOPES))


def _usd(amount: float) -> str:
    # Cents for budgets people write; significant digits for the tiny costs of one call.
    return f"${amount:,.2f}" if amount >= 1 else f"${amount:.3g}"


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _scope(alert: CostLimitCrossed) -> str:
    limit = alert.limit
    parts = []
    if limit.provider:
        parts.append(f"provider {limit.provider}")
    if limit.model:
        parts.append(f"model {limit.model}*")
    if limit.window_seconds is not None:
        parts.append(f"per {limit.window_seconds:g} s window")
    return f" ({', '.join(parts)})" if parts else ""
