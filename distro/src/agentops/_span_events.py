"""Adding an event to a span the SDK is ending (``on_ending``).

The SDK has already set the end time by then, so ``span.add_event`` would only log a
warning; the event is appended through private SDK fields, in ``agentops._compat``.
"""

from __future__ import annotations

from agentops._compat import add_span_event as add_event

__all__ = ["add_event"]
