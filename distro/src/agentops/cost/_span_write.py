"""Adding attributes to a span the SDK is ending.

opentelemetry-sdk (checked on 1.45) calls ``SpanProcessor._on_ending`` after it has set the
end time and frozen the attributes, so ``span.set_attribute`` there only logs "Setting
attribute on ended span" (open-telemetry/opentelemetry-python#5614; the specification says
the span must still be writable). The span cannot change under us any more, so this writes
into its attribute container directly, through the container's own locked insert that keeps
the attribute-count limit and the dropped-attribute count. What this touches is private
(``BoundedAttributes`` internals, present from opentelemetry-api 1.43 to 1.45 at least) and is
feature-checked at import; without it the code toggles the container's immutable flag, and
for a span that is not an SDK span it uses the public setter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opentelemetry.attributes import BoundedAttributes
from opentelemetry.util.types import AttributeValue

_PROBE = BoundedAttributes()
_HAS_LOCKED_INSERT = all(
    hasattr(_PROBE, name) for name in ("_setitem_locked", "_lock", "_dict", "maxlen")
)


def read_attributes(span: Any) -> Mapping[str, Any] | None:
    """The span's attributes as a plain mapping, for fast ``get`` (no KeyError round trip)."""
    attributes = getattr(span, "_attributes", None)
    if attributes is None:
        attributes = span.attributes
    if attributes is None:
        return None
    return getattr(attributes, "_dict", attributes)


def write_attributes(span: Any, values: Mapping[str, AttributeValue]) -> bool:
    """Add ``values`` to an ending span; ``False`` if the span could not take them."""
    attributes = getattr(span, "_attributes", None)
    if _HAS_LOCKED_INSERT and isinstance(attributes, BoundedAttributes):
        # Values are floats and strings made here: nothing for the SDK to clean.
        with attributes._lock:
            stored = attributes._dict
            maxlen = attributes.maxlen
            if maxlen is None or len(stored) + len(values) <= maxlen:
                # Room for every key even if all are new: nothing would be evicted, so a
                # plain update is what inserting them one at a time would do.
                stored.update(values)
            else:
                for key, value in values.items():
                    attributes._setitem_locked(key, value)
        return True
    if isinstance(attributes, BoundedAttributes):
        frozen = attributes._immutable
        attributes._immutable = False
        try:
            attributes._set_items(values)
        finally:
            attributes._immutable = frozen
        return True
    if span.is_recording():
        span.set_attributes(values)
        return True
    return False
