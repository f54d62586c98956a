"""Prometheus exposition of a metric that several instrumentation scopes record.

``opentelemetry-exporter-prometheus`` (0.64b0 to 0.66b1 at least) writes one metric family per
metric name, whose label names are those of the first scope that recorded it. The points of
another scope whose attributes have other keys (AI21's carry no ``gen_ai.response.model``;
a failed call carries ``error.type``) are then written with their values under the wrong label
names: the token type lands in ``gen_ai_response_model``. Every GenAI metric here is recorded
by one scope per provider package, so any application with two providers hits it.

``align_prometheus_labels`` makes the points the exporter receives carry, for each metric,
the same attribute keys across scopes: a key a point lacks is given the empty string, which
Prometheus reads as the label being absent. Only the Prometheus reader's copy is changed;
other exporters see the points as recorded. It wraps ``_CustomCollector.add_metrics_data``
(a private class of the exporter), checked by ``tests/distro/test_prometheus_labels.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Final

from opentelemetry.sdk.metrics.export import MetricsData

__all__ = ["align_prometheus_labels", "aligned"]

_logger = logging.getLogger(__name__)
_MARK: Final = "_agentops_aligns_labels"


def aligned(data: MetricsData) -> MetricsData:
    """``data`` with every point of a metric carrying the keys of all its scopes' points."""
    keys: dict[str, set[str]] = {}
    scopes: dict[str, int] = {}
    for resource_metrics in data.resource_metrics:
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                scopes[metric.name] = scopes.get(metric.name, 0) + 1
                found = keys.setdefault(metric.name, set())
                for point in metric.data.data_points:
                    found.update(point.attributes or {})
    shared = {name for name, count in scopes.items() if count > 1}
    if not shared:
        return data
    return replace(
        data,
        resource_metrics=[
            replace(
                resource_metrics,
                scope_metrics=[
                    replace(
                        scope_metrics,
                        metrics=[
                            _padded(metric, keys[metric.name]) if metric.name in shared else metric
                            for metric in scope_metrics.metrics
                        ],
                    )
                    for scope_metrics in resource_metrics.scope_metrics
                ],
            )
            for resource_metrics in data.resource_metrics
        ],
    )


def _padded(metric: Any, keys: set[str]) -> Any:
    points = [
        point
        if keys.issubset(point.attributes or {})
        else replace(
            point, attributes={**dict.fromkeys(sorted(keys), ""), **(point.attributes or {})}
        )
        for point in metric.data.data_points
    ]
    return replace(metric, data=replace(metric.data, data_points=points))


def align_prometheus_labels() -> bool:
    """Apply the alignment to the Prometheus exporter, if installed; True when in force."""
    try:
        from opentelemetry.exporter.prometheus import _CustomCollector
    except ImportError:
        return False
    add = getattr(_CustomCollector, "add_metrics_data", None)
    if add is None or not callable(add):
        _logger.warning(
            "This opentelemetry-exporter-prometheus is not the one the distro knows: metrics "
            "several instrumentations record may get misplaced labels in Prometheus."
        )
        return False
    if getattr(add, _MARK, False):
        return True
    _CustomCollector.add_metrics_data = _aligning(add)
    return True


def _aligning(add: Callable[[Any, MetricsData], None]) -> Callable[[Any, MetricsData], None]:
    def add_metrics_data(self: Any, metrics_data: MetricsData) -> None:
        try:
            metrics_data = aligned(metrics_data)
        except Exception:  # never lose the points over it
            _logger.debug("Could not align Prometheus labels", exc_info=True)
        add(self, metrics_data)

    setattr(add_metrics_data, _MARK, True)
    return add_metrics_data
