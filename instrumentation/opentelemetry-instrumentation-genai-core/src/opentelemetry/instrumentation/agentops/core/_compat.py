"""The core's uses of private OpenTelemetry SDK names, each feature-checked.

**Tracer scopes switched off.** SDKs that trace themselves (anthropic >= 1.14, mistralai 1.10
to 2.4) would add a second GenAI span to every call we trace. The OpenTelemetry SDK can switch
a tracer scope off: its tracer configurator (``TracerProvider._set_tracer_configurator`` with
``_TracerConfig``, the specification's TracerConfigurator, still "Development" and so private
in opentelemetry-sdk 1.43 to 1.45). A switched-off scope's tracer returns non-recording spans
that carry the current span's context, so the SDK's own span disappears while its HTTP
requests and ``traceparent`` stay children of ours. If the provider is not an SDK provider, or
an SDK upgrade removes these names, nothing is switched off here (the instrumentor still sets
the SDK's documented environment switch).

**Histogram points in bulk** (``record_points``, below): a stream's chunk timings added to the
SDK's histogram aggregation in one step; without the names it uses, ``Histogram.record``.

``tests/instrumentation/core/test_core_compat.py`` fails loudly when an upgrade removes any of
these names.
"""

from __future__ import annotations

import math
import threading
import weakref
from bisect import bisect_left
from collections.abc import Callable, Iterable
from typing import Any

__all__ = [
    "bulk_points_supported",
    "record_points",
    "scope_switch_supported",
    "switch_off_scopes",
    "switch_on_scopes",
]

_lock = threading.Lock()
# Per tracer provider: the scopes switched off, and the configurator found there before.
_switched: weakref.WeakKeyDictionary[Any, _ScopeSwitch] = weakref.WeakKeyDictionary()


def _tracer_config_class() -> Any:
    try:
        from opentelemetry.sdk.trace import _TracerConfig
    except ImportError:
        return None
    return _TracerConfig


def scope_switch_supported(tracer_provider: Any) -> bool:
    return (
        _tracer_config_class() is not None
        and callable(getattr(tracer_provider, "_set_tracer_configurator", None))
        and callable(getattr(tracer_provider, "_tracer_configurator", None))
    )


class _ScopeSwitch:
    """The configurator installed on one provider: off for our scopes, else the previous."""

    def __init__(self, previous: Callable[[Any], Any], config_class: Any) -> None:
        self.previous = previous
        self.config_class = config_class
        self.off: dict[str, int] = {}  # scope name -> how many instrumentors want it off

    def __call__(self, scope: Any) -> Any:
        if self.off.get(getattr(scope, "name", None) or "", 0) > 0:
            return self.config_class(is_enabled=False)
        return self.previous(scope)


def switch_off_scopes(tracer_provider: Any, scopes: tuple[str, ...]) -> bool:
    """Switch the tracers of ``scopes`` off on ``tracer_provider``; False if unsupported."""
    if not scopes or not scope_switch_supported(tracer_provider):
        return False
    with _lock:
        switch = _switched.get(tracer_provider)
        if switch is None:
            switch = _ScopeSwitch(tracer_provider._tracer_configurator, _tracer_config_class())
            _switched[tracer_provider] = switch
        for scope in scopes:
            switch.off[scope] = switch.off.get(scope, 0) + 1
        # Setting it re-applies the configurator to tracers made earlier, too.
        tracer_provider._set_tracer_configurator(tracer_configurator=switch)
    return True


def switch_on_scopes(tracer_provider: Any, scopes: tuple[str, ...]) -> None:
    """Undo ``switch_off_scopes`` for ``scopes``."""
    with _lock:
        switch = _switched.get(tracer_provider)
        if switch is None:
            return
        for scope in scopes:
            count = switch.off.get(scope, 0) - 1
            if count > 0:
                switch.off[scope] = count
            else:
                switch.off.pop(scope, None)
        if switch.off:
            tracer_provider._set_tracer_configurator(tracer_configurator=switch)
        else:
            del _switched[tracer_provider]
            tracer_provider._set_tracer_configurator(tracer_configurator=switch.previous)


# -- histogram points in bulk ------------------------------------------------------------------
#
# A stream's chunk gaps are many points of one histogram with one attribute set. The SDK's
# public ``Histogram.record`` pays per point for what is the same every time here (a
# ``Measurement``, the exemplar filter, the reader storages, the view's attribute copy and
# hash, the lookup of the aggregation), which measured several microseconds a point. For the
# SDK's explicit-bucket aggregation, ``record_points`` finds each aggregation once and adds
# the batch under its lock as ``aggregate`` would, point by point; exemplars are offered as
# ``aggregate`` offers them. Anything it does not recognise (another aggregation, a custom
# exemplar filter, an aggregation not made yet, a missing name) takes the public path for that
# batch, so the data is the same either way; the public path also makes the aggregation, so
# the next batch is fast.

TimeOf = Callable[[int], int]
"""The measurement time (ns since the epoch) of the point at an index of a batch."""


class _SdkMetricNames:
    """The SDK's metric internals ``record_points`` needs, resolved once."""

    def __init__(self) -> None:
        from opentelemetry.sdk.metrics._internal import _view_instrument_match as match_module
        from opentelemetry.sdk.metrics._internal.aggregation import (
            _ExplicitBucketHistogramAggregation,
        )
        from opentelemetry.sdk.metrics._internal.exemplar import (
            AlignedHistogramBucketExemplarReservoir,
            AlwaysOffExemplarFilter,
            AlwaysOnExemplarFilter,
            TraceBasedExemplarFilter,
        )
        from opentelemetry.sdk.metrics._internal.measurement_consumer import (
            SynchronousMeasurementConsumer,
        )

        self.consumer_type: Any = SynchronousMeasurementConsumer
        self.aggregation_type: Any = _ExplicitBucketHistogramAggregation
        self.aligned_reservoir: Any = AlignedHistogramBucketExemplarReservoir
        # Filters whose decision does not depend on the value (one decision per batch).
        self.filters: tuple[type, ...] = (
            AlwaysOnExemplarFilter,
            AlwaysOffExemplarFilter,
            TraceBasedExemplarFilter,
        )
        # How an aggregation is keyed by its attributes: opentelemetry-sdk 1.43 and 1.44 use
        # a frozenset of the items, later releases a hashable tree of the values.
        hash_attributes = getattr(match_module, "_hash_attributes", None)
        self.key: Callable[[dict[str, Any]], Any] = (
            hash_attributes
            if callable(hash_attributes)
            else (lambda attributes: frozenset(attributes.items()))
        )


_names: _SdkMetricNames | None = None
_names_missing = False


def _sdk_metric_names() -> _SdkMetricNames | None:
    global _names, _names_missing
    if _names is None and not _names_missing:
        try:
            _names = _SdkMetricNames()
        except Exception:  # an SDK without these names, or no SDK at all
            _names_missing = True
    return _names


def bulk_points_supported(histogram: Any) -> bool:
    """Whether ``record_points`` takes its bulk path for ``histogram`` (once it has a point
    for the attribute set); False means every point goes through ``Histogram.record``."""
    names = _sdk_metric_names()
    if names is None:
        return False
    consumer = getattr(histogram, "_measurement_consumer", None)
    return type(consumer) is names.consumer_type and all(
        hasattr(consumer, name) for name in ("_reader_storages", "_sdk_config")
    )


def record_points(
    histogram: Any,
    values: list[float],
    attributes: dict[str, Any],
    context: Any,
    time_of: TimeOf,
) -> None:
    """Record each of ``values`` on ``histogram`` with ``attributes`` in ``context``, with the
    same result as one ``histogram.record`` per value."""
    if not values:
        return
    aggregations = _bulk_targets_or_none(histogram, values, attributes, context)
    if aggregations is None:
        # The first point through the public path makes the aggregations (the first
        # stream of an attribute set); the rest can then go in bulk.
        histogram.record(values[0], attributes, context)
        if len(values) == 1:
            return
        aggregations = _bulk_targets_or_none(histogram, values, attributes, context)
        if aggregations is None:
            for value in values[1:]:
                histogram.record(value, attributes, context)
            return
        values = values[1:]
        first_time_of = time_of
        time_of = lambda index: first_time_of(index + 1)  # noqa: E731
    _add_in_bulk(aggregations, values, attributes, context, time_of)


def _bulk_targets_or_none(
    histogram: Any, values: list[float], attributes: dict[str, Any], context: Any
) -> list[tuple[Any, bool]] | None:
    try:
        return _bulk_targets(histogram, values, attributes, context)
    except Exception:  # changed internals: the public path is always right
        return None


def _bulk_targets(
    histogram: Any, values: list[float], attributes: dict[str, Any], context: Any
) -> list[tuple[Any, bool]] | None:
    """Every aggregation the points go to, each with whether to offer exemplars; None when
    the bulk path does not apply. Changes nothing, so a failure here can fall back."""
    names = _sdk_metric_names()
    if names is None:
        return None
    consumer = histogram._measurement_consumer
    if type(consumer) is not names.consumer_type:
        return None
    is_enabled = getattr(histogram, "_is_enabled", None)
    if is_enabled is not None and not is_enabled():
        return None  # the public path does what a switched-off meter does
    exemplar_filter = consumer._sdk_config.exemplar_filter
    if type(exemplar_filter) not in names.filters:
        return None
    if not all(value >= 0 and math.isfinite(value) for value in values):
        return None  # the public path warns and drops these
    sample = bool(exemplar_filter.should_sample(values[-1], 0, attributes, context))
    aggregations: list[tuple[Any, bool]] = []
    for storage in list(consumer._reader_storages.values()):
        matches = storage._instrument_view_instrument_matches.get(histogram)
        if matches is None:
            return None
        for match in matches:
            keys = match._view._attribute_keys
            kept = (
                attributes
                if keys is None
                else {key: value for key, value in attributes.items() if key in keys}
            )
            aggregation = match._attributes_aggregation.get(names.key(kept))
            if type(aggregation) is not names.aggregation_type or aggregation._attributes != kept:
                return None
            aggregations.append((aggregation, sample))
    return aggregations


def _add_in_bulk(
    aggregations: list[tuple[Any, bool]],
    values: list[float],
    attributes: dict[str, Any],
    context: Any,
    time_of: TimeOf,
) -> None:
    names = _sdk_metric_names()
    assert names is not None
    low, high = min(values), max(values)
    buckets: dict[tuple[float, ...], list[int]] = {}
    for aggregation, sample in aggregations:
        boundaries = aggregation._boundaries
        indexes = buckets.get(boundaries)
        if indexes is None:
            indexes = buckets[boundaries] = [bisect_left(boundaries, value) for value in values]
        with aggregation._lock:
            counts = aggregation._value
            if counts is None:
                counts = aggregation._value = aggregation._get_empty_bucket_counts()
            total = aggregation._sum
            for value, index in zip(values, indexes, strict=True):
                total += value  # in order, so the sum is what point-by-point gives
                counts[index] += 1
            aggregation._sum = total
            if aggregation._record_min_max:
                aggregation._min = min(aggregation._min, low)
                aggregation._max = max(aggregation._max, high)
        if sample:
            _offer_exemplars(aggregation, names, values, indexes, attributes, context, time_of)


def _offer_exemplars(
    aggregation: Any,
    names: _SdkMetricNames,
    values: list[float],
    indexes: list[int],
    attributes: dict[str, Any],
    context: Any,
    time_of: TimeOf,
) -> None:
    reservoir = aggregation._reservoir
    if type(reservoir) is names.aligned_reservoir:
        # One exemplar per bucket, the last offered wins: only the last of each bucket counts.
        last: dict[int, int] = {}
        for position, index in enumerate(indexes):
            last[index] = position
        positions: Iterable[int] = sorted(last.values())
    else:
        positions = range(len(values))
    for position in positions:
        reservoir.offer(values[position], time_of(position), attributes, context)
