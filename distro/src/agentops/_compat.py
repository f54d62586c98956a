"""Every private OpenTelemetry SDK name the distro relies on, in one place.

The SDK offers no public way to do some things the distro needs: build the providers the way
``opentelemetry-instrument`` does, tell whether a meter provider was set, list a tracer
provider's processors, add a metric reader that is shut down with its provider, take over
the shutdown the SDK registers for exit, hook the
specification's OnEnding, and add attributes to a span that is ending. Each of those is
done here and nowhere else; ``tests/distro/test_compat.py`` checks every one against the
installed SDK, so an upgrade that removes or changes one fails there, by name, instead of
somewhere in the cost or export code. Checked on opentelemetry-sdk 1.43 to 1.45.

``opentelemetry.sdk._logs`` is not listed: it is the SDK's documented home of the logs
classes, not a private detail.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

from opentelemetry.attributes import BoundedAttributes

# The API offers no "is a meter provider set?"; its placeholder's class is the only sign.
from opentelemetry.metrics._internal import _ProxyMeterProvider
from opentelemetry.sdk._configuration import (
    _BaseConfigurator,
    _get_exporter_entry_point,
    _initialize_components,
    _OTelSDKConfigurator,
)
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricExporter, MetricReader
from opentelemetry.sdk.trace import Event, Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.util import BoundedList
from opentelemetry.util.types import AttributeValue

__all__ = [
    "BaseConfigurator",
    "OnEndingSpanProcessor",
    "ProxyMeterProvider",
    "SDKConfigurator",
    "add_metric_reader",
    "add_span_event",
    "exit_shutdown",
    "exporter_endpoint",
    "exporter_entry_point_name",
    "initialize_components",
    "metric_exporter_preferences",
    "read_span_attributes",
    "span_processors",
    "write_span_attributes",
]

Signal = Literal["traces", "metrics", "logs"]

ProxyMeterProvider = _ProxyMeterProvider
"""The class of the API's placeholder meter provider (set until someone sets a real one)."""

BaseConfigurator = _BaseConfigurator
"""What ``opentelemetry-instrument`` loads from the ``opentelemetry_configurator`` group."""

SDKConfigurator = _OTelSDKConfigurator
"""The SDK's own configurator (used as is for ``OTEL_CONFIG_FILE``)."""

initialize_components = _initialize_components
"""The SDK's builder of the global providers from ``OTEL_*``, as ``opentelemetry-instrument``
runs it."""


def exporter_entry_point_name(name: str, signal: Signal) -> str:
    """The entry point an ``OTEL_<SIGNAL>_EXPORTER`` entry names, protocol applied as the
    SDK applies it (``otlp`` becomes ``otlp_proto_http`` or ``otlp_proto_grpc``).

    Raises ``RuntimeError`` for an OTLP protocol the SDK does not know.
    """
    return str(_get_exporter_entry_point(name, signal))


def span_processors(provider: TracerProvider) -> tuple[SpanProcessor, ...]:
    """The processors on ``provider``, in order; empty if the SDK keeps them elsewhere."""
    active = getattr(provider, "_active_span_processor", None)
    return tuple(getattr(active, "_span_processors", ()))


def exit_shutdown(provider: object) -> Callable[[], Any] | None:
    """The shutdown the SDK registered with ``atexit`` for ``provider``, while it still is.

    SDK providers register ``self.shutdown`` at construction and clear the field when they
    are shut down, so None means "nothing to do at exit" (or an SDK that keeps it elsewhere:
    then the SDK's own exit handling stays in place).
    """
    for field in ("_atexit_handler", "_at_exit_handler"):  # trace/metrics, logs
        handler = getattr(provider, field, None)
        if callable(handler):
            return handler  # type: ignore[no-any-return]
    return None


def add_metric_reader(provider: MeterProvider, reader: MetricReader) -> None:
    """Add ``reader`` to a built ``provider``, flushed and shut down with it.

    ``MeterProvider.add_metric_reader`` (1.43 to 1.45) registers the reader for collection
    but not in the list ``force_flush`` and ``shutdown`` walk, so its last export (at exit)
    would never happen: it is put in that list too.
    """
    provider.add_metric_reader(reader)
    readers = getattr(provider, "_metric_readers", None)
    if isinstance(readers, tuple | list) and reader not in readers:
        provider._metric_readers = (*readers, reader)  # type: ignore[attr-defined]


def metric_exporter_preferences(exporter: MetricExporter) -> dict[str, Any]:
    """The temporality and aggregation ``exporter`` asks for, as ``MetricExporter`` keyword
    arguments (the metric reader reads these same fields)."""
    return {
        "preferred_temporality": getattr(exporter, "_preferred_temporality", None),
        "preferred_aggregation": getattr(exporter, "_preferred_aggregation", None),
    }


def exporter_endpoint(exporter: object) -> str | None:
    """Where an OTLP exporter sends, for messages; None when it does not say."""
    endpoint = getattr(exporter, "_endpoint", None)
    return endpoint if isinstance(endpoint, str) and endpoint else None


class OnEndingSpanProcessor(SpanProcessor):
    """A span processor with the specification's OnEnding: ``on_ending(span)`` runs after the
    span's end time is set and before any processor's ``on_end``.

    opentelemetry-sdk (>= 1.40) calls the private ``_on_ending`` of every processor; this
    class maps it to ``on_ending``. Subclasses should not assume it is called (an older SDK,
    or a wrapping processor that does not forward it) and do the work in ``on_end`` then.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # The SDK's hook name points straight at the subclass's method: it runs on the
        # thread that ends every span, so no extra call in between.
        if "on_ending" in cls.__dict__:
            cls._on_ending = cls.__dict__["on_ending"]  # type: ignore[method-assign]

    def on_ending(self, span: Span) -> None:
        """Called with the span that is ending; it can still take attributes and events."""

    def _on_ending(self, span: Span) -> None:
        self.on_ending(span)


# -- writing to a span that is ending ------------------------------------------------------
# opentelemetry-sdk (checked on 1.45) calls ``_on_ending`` after it has set the end time and
# frozen the attributes, so ``span.set_attribute`` and ``span.add_event`` there only log
# "Setting attribute on ended span" (open-telemetry/opentelemetry-python#5614; the
# specification says the span must still be writable). The span cannot change under us any
# more, so these write into its containers directly: attributes through the container's own
# locked insert, which keeps the attribute-count limit and the dropped count; events by
# appending to the ``BoundedList`` the SDK reads only afterwards, when it builds the
# ``ReadableSpan`` for ``on_end``. Feature-checked at import: without the locked insert the
# container's immutable flag is toggled; for a span that is not an SDK span the public
# methods are used while it records.

_PROBE = BoundedAttributes()
_HAS_LOCKED_INSERT = all(
    hasattr(_PROBE, name) for name in ("_setitem_locked", "_lock", "_dict", "maxlen")
)


def read_span_attributes(span: Any) -> Mapping[str, Any] | None:
    """The span's attributes as a plain mapping, for fast ``get`` (no KeyError round trip)."""
    attributes = getattr(span, "_attributes", None)
    if attributes is None:
        attributes = span.attributes
    if attributes is None:
        return None
    return getattr(attributes, "_dict", attributes)  # type: ignore[no-any-return]


def write_span_attributes(span: Any, values: Mapping[str, AttributeValue]) -> bool:
    """Add ``values`` to an ending span; ``False`` if the span could not take them."""
    attributes = getattr(span, "_attributes", None)
    if _HAS_LOCKED_INSERT and isinstance(attributes, BoundedAttributes):
        # Values are floats and strings made by the caller: nothing for the SDK to clean.
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


def add_span_event(span: Any, name: str, attributes: Mapping[str, AttributeValue]) -> bool:
    """Add the event ``name`` to ``span``, ending or not; False if it could not take it."""
    events = getattr(span, "_events", None)
    if isinstance(events, BoundedList):
        events.append(Event(name, BoundedAttributes(attributes=attributes, immutable=True)))
        return True
    if span.is_recording():
        span.add_event(name, attributes)
        return True
    return False
