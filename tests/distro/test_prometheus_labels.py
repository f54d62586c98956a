"""Prometheus labels of a metric that two instrumentation scopes record with different
attribute keys (OpenAI's points name a response model, AI21's do not): each value stays under
its own label. Without the distro's alignment the Prometheus exporter writes the second scope's
values under the first scope's label names."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

prometheus = pytest.importorskip("opentelemetry.exporter.prometheus")

from agentops._prometheus_labels import align_prometheus_labels  # noqa: E402
from opentelemetry.sdk.metrics import MeterProvider  # noqa: E402
from prometheus_client import CollectorRegistry, generate_latest  # noqa: E402
from prometheus_client.parser import text_string_to_metric_families  # noqa: E402

OPENAI = {
    "gen_ai.provider.name": "openai",
    "gen_ai.request.model": "gpt-4o-mini",
    "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
    "gen_ai.token.type": "input",
}
AI21 = {"gen_ai.provider.name": "ai21", "gen_ai.request.model": "jamba-mini"}


@pytest.fixture
def scrape() -> Iterator[object]:
    """Records one point per scope, then scrapes: ``{provider: labels}`` of the token sums."""
    registry = CollectorRegistry()
    provider = MeterProvider(metric_readers=[prometheus.PrometheusMetricReader(registry=registry)])

    def run() -> dict[str, dict[str, str]]:
        for scope, attributes in (("scope.openai", OPENAI), ("scope.ai21", AI21)):
            histogram = provider.get_meter(scope).create_histogram(
                "gen_ai.client.token.usage", unit="{token}"
            )
            histogram.record(7, {**attributes, "gen_ai.token.type": "output"})
        found = {}
        for family in text_string_to_metric_families(generate_latest(registry).decode()):
            for sample in family.samples:
                if sample.name == "gen_ai_client_token_usage_sum":
                    found[sample.labels["gen_ai_provider_name"]] = sample.labels
        return found

    yield run
    provider.shutdown()


def test_each_scopes_values_stay_under_their_labels(scrape) -> None:
    assert align_prometheus_labels() is True
    labels = scrape()

    assert labels["ai21"]["gen_ai_token_type"] == "output"
    assert labels["ai21"]["gen_ai_request_model"] == "jamba-mini"
    assert labels["ai21"]["otel_scope_name"] == "scope.ai21"
    # Written empty, which Prometheus reads as no label at all.
    assert labels["ai21"].get("gen_ai_response_model", "") == ""
    assert labels["openai"]["gen_ai_response_model"] == "gpt-4o-mini-2024-07-18"
    assert labels["openai"]["gen_ai_token_type"] == "output"


def test_aligning_twice_wraps_once() -> None:
    assert align_prometheus_labels() is True
    add = prometheus._CustomCollector.add_metrics_data
    assert align_prometheus_labels() is True
    assert prometheus._CustomCollector.add_metrics_data is add
