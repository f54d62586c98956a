"""Contract tests of the private names the core relies on: they fail loudly when an upgrade of
the OpenTelemetry SDK or of the interpreter removes what the core uses."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

from opentelemetry.instrumentation.agentops.core import _compat
from opentelemetry.instrumentation.agentops.core._inplace import InPlacePatch, can_patch_in_place
from opentelemetry.sdk.metrics import (
    AlwaysOffExemplarFilter,
    AlwaysOnExemplarFilter,
    Histogram,
    MeterProvider,
)
from opentelemetry.sdk.metrics.export import AggregationTemporality, InMemoryMetricReader
from opentelemetry.sdk.metrics.view import ExponentialBucketHistogramAggregation, View
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import set_span_in_context


def test_the_sdk_can_switch_a_tracer_scope_off():
    provider = TracerProvider()
    assert _compat.scope_switch_supported(provider)
    own = provider.get_tracer("some.sdk")
    other = provider.get_tracer("other")
    assert _compat.switch_off_scopes(provider, ("some.sdk",))
    assert not own.start_span("x").is_recording()  # a tracer made before is switched too
    assert other.start_span("y").is_recording()
    _compat.switch_on_scopes(provider, ("some.sdk",))
    assert own.start_span("x").is_recording()


def test_switches_of_several_instrumentors_compose():
    provider = TracerProvider()
    tracer = provider.get_tracer("shared")
    _compat.switch_off_scopes(provider, ("shared",))
    _compat.switch_off_scopes(provider, ("shared",))
    _compat.switch_on_scopes(provider, ("shared",))
    assert not tracer.start_span("x").is_recording()
    _compat.switch_on_scopes(provider, ("shared",))
    assert tracer.start_span("x").is_recording()


def _closure_factory():
    captured = {"calls": 0}

    class Base:
        def hello(self) -> str:
            return "base"

    class Owner(Base):
        def method(self, a: int, b: int = 2, *, c: int = 3) -> tuple[str, int]:
            captured["calls"] += 1
            return super().hello(), a + b + c

        async def coroutine(self, a: int) -> int:
            await asyncio.sleep(0)
            return a * 2

    return Owner, captured


def test_a_function_traced_in_place_keeps_what_callers_see():
    owner, captured = _closure_factory()
    method = owner.__dict__["method"]
    assert can_patch_in_place(method)
    bound_before = owner().method
    seen = []
    holder = {}

    def dispatch(args, kwargs):
        seen.append((args[1:], kwargs))
        return holder["patch"].original(*args, **kwargs)

    signature = inspect.signature(method)
    holder["patch"] = InPlacePatch(method, dispatch)
    assert inspect.signature(method) == signature
    assert bound_before(1, c=10) == ("base", 13)  # closure cells and super() still work
    assert owner.method is method
    assert seen == [((1,), {"c": 10})]
    holder["patch"].restore()
    assert bound_before(1) == ("base", 6)
    assert len(seen) == 1
    assert captured["calls"] == 2


def test_a_coroutine_function_stays_one():
    owner, _ = _closure_factory()
    function = owner.__dict__["coroutine"]
    holder = {}
    holder["patch"] = InPlacePatch(function, lambda a, k: holder["patch"].original(*a, **k))
    try:
        assert inspect.iscoroutinefunction(function)
        assert asyncio.run(owner().coroutine(4)) == 8
    finally:
        holder["patch"].restore()


# -- histogram points in bulk ------------------------------------------------------------------

BOUNDARIES = [0.01, 0.02, 0.04, 0.08]
VALUES = [0.005, 0.015, 0.0, 0.03, 0.5, 0.011, 0.07, 0.003, 0.02]
ATTRIBUTES = {"gen_ai.provider.name": "fake", "gen_ai.request.model": "m", "server.port": 443}


def _histogram_pipeline(*views: Any, exemplar_filter: Any = None) -> tuple[Any, Any, list[Any]]:
    """A meter provider with a cumulative and a delta reader, its histogram, the readers."""
    readers = [
        InMemoryMetricReader(),
        InMemoryMetricReader(preferred_temporality={Histogram: AggregationTemporality.DELTA}),
    ]
    options: dict[str, Any] = {"metric_readers": readers, "views": list(views)}
    if exemplar_filter is not None:
        options["exemplar_filter"] = exemplar_filter
    provider = MeterProvider(**options)
    histogram = provider.get_meter("bulk").create_histogram(
        "chunk.gap", unit="s", explicit_bucket_boundaries_advisory=BOUNDARIES
    )
    return provider, histogram, readers


def _points(reader: Any) -> list[dict[str, Any]]:
    data = reader.get_metrics_data()
    found = []
    for resource_metrics in data.resource_metrics:
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                for point in metric.data.data_points:
                    found.append(
                        {
                            "attributes": dict(point.attributes),
                            "count": point.count,
                            "sum": point.sum,
                            "min": getattr(point, "min", None),
                            "max": getattr(point, "max", None),
                            "buckets": list(getattr(point, "bucket_counts", ())),
                            "exemplars": sorted(
                                (e.value, e.span_id, e.time_unix_nano, tuple(e.filtered_attributes))
                                for e in point.exemplars
                            ),
                        }
                    )
    return found


def _times(index: int) -> int:
    return 1_000_000_000 + index


def _record_both_ways(*views: Any, exemplar_filter: Any = None) -> tuple[list[Any], list[Any]]:
    """The same points recorded one by one and with ``record_points``, in a sampled span, in
    two batches (the second finds the aggregations made by the first)."""
    one_by_one = _histogram_pipeline(*views, exemplar_filter=exemplar_filter)
    in_bulk = _histogram_pipeline(*views, exemplar_filter=exemplar_filter)
    tracer = TracerProvider().get_tracer("bulk")
    with tracer.start_as_current_span("stream") as span:
        context = set_span_in_context(span)
        for batch in (VALUES[:4], VALUES[4:]):
            for value in batch:
                one_by_one[1].record(value, ATTRIBUTES, context)
            _compat.record_points(in_bulk[1], list(batch), ATTRIBUTES, context, _times)
    return [_points(r) for r in one_by_one[2]], [_points(r) for r in in_bulk[2]]


def _without_exemplar_times(points: list[list[dict[str, Any]]]) -> list[list[dict[str, Any]]]:
    return [
        [{**p, "exemplars": [e[:2] + e[3:] for e in p["exemplars"]]} for p in reader]
        for reader in points
    ]


def test_points_in_bulk_are_the_points_recorded_one_by_one():
    one_by_one, in_bulk = _record_both_ways()
    assert in_bulk[0] and in_bulk[0][0]["count"] == len(VALUES)
    # Exemplar times differ by construction: the bulk path takes them from ``time_of``.
    assert _without_exemplar_times(in_bulk) == _without_exemplar_times(one_by_one)
    exemplars = in_bulk[0][0]["exemplars"]
    assert exemplars, "a sampled span gives exemplars"
    # 0.5, the first of the second batch, went in bulk: its time is the one time_of gives.
    assert [e[2] for e in exemplars if e[0] == 0.5] == [_times(0)]


def test_the_bulk_path_is_taken_once_the_aggregation_exists():
    _, histogram, _ = _histogram_pipeline()
    assert _compat.bulk_points_supported(histogram)
    assert _compat._bulk_targets(histogram, [0.1], ATTRIBUTES, None) is None  # not made yet
    histogram.record(0.1, ATTRIBUTES)
    targets = _compat._bulk_targets(histogram, [0.1], ATTRIBUTES, None)
    assert targets is not None and len(targets) == 2  # one aggregation per reader


def test_points_in_bulk_honour_views_and_exemplar_filters():
    kept_keys = View(instrument_name="chunk.gap", attribute_keys={"gen_ai.request.model"})
    for views, exemplar_filter in (
        ((kept_keys,), None),
        ((), AlwaysOnExemplarFilter()),
        ((), AlwaysOffExemplarFilter()),
    ):
        one_by_one, in_bulk = _record_both_ways(*views, exemplar_filter=exemplar_filter)
        assert in_bulk[0], views
        assert _without_exemplar_times(in_bulk) == _without_exemplar_times(one_by_one)


def test_aggregations_the_bulk_path_does_not_know_take_the_public_path():
    exponential = View(
        instrument_name="chunk.gap", aggregation=ExponentialBucketHistogramAggregation()
    )
    _, histogram, _ = _histogram_pipeline(exponential)
    histogram.record(0.1, ATTRIBUTES)
    assert _compat._bulk_targets(histogram, [0.1], ATTRIBUTES, None) is None
    one_by_one, in_bulk = _record_both_ways(exponential)
    assert in_bulk[0]
    assert _without_exemplar_times(in_bulk) == _without_exemplar_times(one_by_one)


def test_points_on_a_histogram_of_no_sdk_are_recorded_through_the_api():
    recorded: list[tuple[float, Any]] = []

    class ApiOnly:
        def record(self, value: float, attributes: Any = None, context: Any = None) -> None:
            recorded.append((value, attributes))

    assert not _compat.bulk_points_supported(ApiOnly())
    _compat.record_points(ApiOnly(), [0.1, 0.2], ATTRIBUTES, None, _times)
    assert recorded == [(0.1, ATTRIBUTES), (0.2, ATTRIBUTES)]
