"""Adding an event to a span the SDK is ending (``SpanProcessor._on_ending``).

By the time ``_on_ending`` runs, opentelemetry-sdk (checked on 1.45) has set the end time, so
``span.add_event`` only logs "Calling add_event() on an ended span" (the specification says
the span is still writable there: open-telemetry/opentelemetry-python#5614). The span's event
list is a ``BoundedList`` the SDK reads only afterwards, when it builds the ``ReadableSpan``
for ``on_end``; appending to it is what ``add_event`` would have done. Feature-checked: for a
span without that list, the public method is used while the span still records.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opentelemetry.attributes import BoundedAttributes
from opentelemetry.sdk.trace import Event
from opentelemetry.sdk.util import BoundedList
from opentelemetry.util.types import AttributeValue

__all__ = ["add_event"]


def add_event(span: Any, name: str, attributes: Mapping[str, AttributeValue]) -> bool:
    """Add the event ``name`` to ``span``, ending or not; False if it could not take it."""
    events = getattr(span, "_events", None)
    if isinstance(events, BoundedList):
        events.append(Event(name, BoundedAttributes(attributes=attributes, immutable=True)))
        return True
    if span.is_recording():
        span.add_event(name, attributes)
        return True
    return False
