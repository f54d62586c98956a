"""Tags on the cost metrics: ``agentops.client.cost``, the prompt-cache counters and the
running-cost gauge carry the same ``agentops.tag.<key>`` attributes as the duration and
token metrics, so cost per tag is a query. Also the cost-limit gauge."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal

import agentops
import agentops.limits
import genai_prices
import pytest
import test_client_helpers as helpers
from agentops import _tag_keys
from agentops.cost import CostSpanProcessor
from agentops.limits import CostLimit, CostTracker
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from test_client_helpers import DURATION, TOKENS, chat, configure, genai_spans, openai_client

_isolated_hooks = helpers._isolated_hooks
agentops_client = helpers.agentops_client

TAG = "agentops.tag."
COST = "agentops.client.cost"
RUNNING = "agentops.client.cost.running"
LIMIT = "agentops.client.cost.limit"
CACHE_READ = "agentops.client.token.cache_read"
SAVINGS = "agentops.client.cost.cache_savings"
CACHED = {"x-emulator-cached-tokens": "40"}


def tags_of(attributes) -> dict[str, str]:
    return {k: v for k, v in attributes.items() if k.startswith(TAG)}


def frozen(attributes) -> tuple:
    return tuple(sorted(tags_of(attributes).items()))


@pytest.fixture
def traced(emulator, telemetry, agentops_client):
    configure(agentops_client, telemetry)
    return openai_client(emulator)


def test_cost_points_carry_the_tags_of_their_calls(traced, telemetry):
    with agentops.tags(use_case="support", tier="gold"):
        chat(traced)
        chat(traced, model="gpt-4o")
    with agentops.tags(use_case="search"):
        chat(traced)
    chat(traced)  # untagged

    spent: dict[tuple, float] = defaultdict(float)
    for span in genai_spans(telemetry):
        key = (span.attributes["gen_ai.request.model"], frozen(span.attributes))
        spent[key] += span.attributes["agentops.cost.total_usd"]
    metrics = telemetry.metrics()
    points = {
        (p.attributes["gen_ai.request.model"], frozen(p.attributes)): p.value for p in metrics[COST]
    }
    assert points == pytest.approx(dict(spent), rel=1e-12)
    assert set(points) == {
        ("gpt-4o-mini", ((TAG + "tier", "gold"), (TAG + "use_case", "support"))),
        ("gpt-4o", ((TAG + "tier", "gold"), (TAG + "use_case", "support"))),
        ("gpt-4o-mini", ((TAG + "use_case", "search"),)),
        ("gpt-4o-mini", ()),
    }
    # The same tag sets as the duration and token points of the same calls.
    for name in (DURATION, TOKENS):
        assert {frozen(p.attributes) for p in metrics[name]} == {key[1] for key in points}


def test_cost_per_tag_adds_up_to_the_total(traced, telemetry):
    for team in ("a", "b", "a"):
        with agentops.tags(team=team):
            chat(traced)
    per_team: dict[str | None, float] = defaultdict(float)
    for point in telemetry.metrics()[COST]:
        per_team[point.attributes.get(TAG + "team")] += point.value
    spans = genai_spans(telemetry)
    assert sum(per_team.values()) == pytest.approx(
        sum(s.attributes["agentops.cost.total_usd"] for s in spans), rel=1e-12
    )
    team_a = [s for s in spans if s.attributes.get(TAG + "team") == "a"]
    assert len(team_a) == 2
    assert per_team["a"] == pytest.approx(
        sum(s.attributes["agentops.cost.total_usd"] for s in team_a), rel=1e-12
    )


def test_cache_reads_and_their_savings_are_counted(traced, telemetry):
    with agentops.tags(use_case="support"):
        chat(traced, extra_headers=CACHED)
        chat(traced, extra_headers=CACHED)
    chat(traced)  # no cache read: no cache point for it
    spans = genai_spans(telemetry)
    cached = [s for s in spans if s.attributes.get("gen_ai.usage.cache_read.input_tokens")]
    assert len(cached) == 2
    metrics = telemetry.metrics()
    (tokens,) = metrics[CACHE_READ]
    assert tokens.value == 80 and isinstance(tokens.value, int)
    assert tags_of(tokens.attributes) == {TAG + "use_case": "support"}

    # genai-prices' own arithmetic: the same usage priced without the cache, minus with it.
    expected = Decimal(0)
    for span in cached:
        attributes = span.attributes
        model = attributes["gen_ai.response.model"]
        when = datetime.fromtimestamp(span.start_time / 1e9, UTC)
        inputs, outputs = (
            attributes["gen_ai.usage.input_tokens"],
            attributes["gen_ai.usage.output_tokens"],
        )
        full = genai_prices.calc_price(
            genai_prices.Usage(input_tokens=inputs, output_tokens=outputs),
            model,
            provider_id="openai",
            genai_request_timestamp=when,
        )
        with_cache = genai_prices.calc_price(
            genai_prices.Usage(input_tokens=inputs, output_tokens=outputs, cache_read_tokens=40),
            model,
            provider_id="openai",
            genai_request_timestamp=when,
        )
        expected += full.total_price - with_cache.total_price
    (savings,) = metrics[SAVINGS]
    assert expected > 0
    assert savings.value == pytest.approx(float(expected), rel=1e-9)
    assert tags_of(savings.attributes) == {TAG + "use_case": "support"}


def test_running_cost_gauge_per_tag_sums_to_the_limit_and_the_limit_is_a_gauge(
    traced, telemetry, agentops_client
):
    agentops_client.add_cost_limit(name="daily", limit_usd=2.5, window_seconds=86_400)
    agentops_client.add_cost_limit(name="idle", limit_usd=1.0, provider="anthropic")
    with agentops.tags(team="a"):
        chat(traced)
    with agentops.tags(team="b"):
        chat(traced)
        chat(traced)
    metrics = telemetry.metrics()
    running = {
        (p.attributes["agentops.cost_limit.name"], p.attributes.get(TAG + "team")): p.value
        for p in metrics[RUNNING]
    }
    spans = genai_spans(telemetry)

    def spent(team: str) -> float:
        return sum(
            s.attributes["agentops.cost.total_usd"]
            for s in spans
            if s.attributes.get(TAG + "team") == team
        )

    assert running == pytest.approx(
        {("daily", "a"): spent("a"), ("daily", "b"): spent("b"), ("idle", None): 0.0}
    )
    assert running[("daily", "a")] + running[("daily", "b")] == pytest.approx(
        agentops_client.running_cost("daily")
    )
    limits = {p.attributes["agentops.cost_limit.name"]: p.value for p in metrics[LIMIT]}
    assert limits == {"daily": 2.5, "idle": 1.0}


def test_a_new_window_forgets_the_per_tag_costs(monkeypatch):
    now = [86_400.0 * 20_000]
    monkeypatch.setattr(agentops.limits, "_now", lambda: now[0])
    tracker = CostTracker()
    tracker.add(CostLimit("daily", 10.0, window_seconds=86_400))
    tags = ((TAG + "team", "a"),)
    tracker.add_cost(1.0, "openai", "gpt-4o", None, tags=tags)
    tracker.add_cost(0.5, "openai", "gpt-4o", None)
    assert sorted(tracker.running()) == [("daily", (), 0.5), ("daily", tags, 1.0)]
    now[0] += 86_400
    assert tracker.running() == [("daily", (), 0.0)]


def test_tag_keys_beyond_the_cap_are_left_off_cost_metrics(monkeypatch, caplog):
    monkeypatch.setattr(_tag_keys, "_keys", ())
    monkeypatch.setattr(_tag_keys, "_known", frozenset())
    monkeypatch.setattr(_tag_keys, "_warned", False)
    with caplog.at_level(logging.WARNING, logger="agentops"):
        for index in range(_tag_keys.MAX_KEYS + 3):
            agentops.tags({f"k{index}": "v"})
    assert len(_tag_keys.keys()) == _tag_keys.MAX_KEYS
    warnings = [r for r in caplog.records if "distinct tag keys" in r.getMessage()]
    assert len(warnings) == 1
    attributes = {TAG + "k0": "v", TAG + f"k{_tag_keys.MAX_KEYS + 1}": "v", "other": 1}
    assert _tag_keys.tags_of(attributes.get) == ((TAG + "k0", "v"),)


def test_an_unpriced_model_counts_its_cache_reads_but_no_cost():
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(
        CostSpanProcessor(meter_provider=meter_provider, preload=False)
    )
    usage = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.usage.input_tokens": 100,
        "gen_ai.usage.output_tokens": 10,
        "gen_ai.usage.cache_read.input_tokens": 60,
    }
    tracer = tracer_provider.get_tracer("t")
    tracer.start_span("chat", attributes={**usage, "gen_ai.request.model": "house-model"}).end()
    tracer.start_span("chat", attributes={**usage, "gen_ai.request.model": "gpt-4o-mini"}).end()
    metrics: dict[str, list] = {}
    for resource_metrics in reader.get_metrics_data().resource_metrics:
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                metrics[metric.name] = list(metric.data.data_points)
    models = {
        name: {p.attributes["gen_ai.request.model"]: p.value for p in metrics[name]}
        for name in (COST, CACHE_READ, SAVINGS)
    }
    assert set(models[COST]) == {"gpt-4o-mini"}  # never a 0 for the unknown model
    assert models[CACHE_READ] == {"house-model": 60, "gpt-4o-mini": 60}
    assert set(models[SAVINGS]) == {"gpt-4o-mini"}
    meter_provider.shutdown()
