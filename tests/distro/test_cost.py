"""CostSpanProcessor through real SDK pipelines: exported span attributes and the cost metric.

Expected USD values come from genai-prices' own calculation (``calc_price`` with a ``Usage``),
never from copied constants, except for the user price file, whose numbers are chosen here.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import genai_prices
import pytest
from agentops.cost import CostSpanProcessor, PriceResolver, catalog
from agentops_semconv import (
    AGENTOPS_CLIENT_COST,
    AGENTOPS_COST_CACHE_READ_USD,
    AGENTOPS_COST_CACHE_WRITE_USD,
    AGENTOPS_COST_INPUT_USD,
    AGENTOPS_COST_OUTPUT_USD,
    AGENTOPS_COST_PRICE_SOURCE,
    AGENTOPS_COST_STATUS,
    AGENTOPS_COST_TOTAL_USD,
)
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader, Sum
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

COST_ATTRIBUTES = (
    AGENTOPS_COST_INPUT_USD,
    AGENTOPS_COST_OUTPUT_USD,
    AGENTOPS_COST_CACHE_READ_USD,
    AGENTOPS_COST_CACHE_WRITE_USD,
    AGENTOPS_COST_TOTAL_USD,
    AGENTOPS_COST_PRICE_SOURCE,
)

# A fixed request time keeps time-dependent prices (new prices from a date, off-peak hours)
# deterministic; genai-prices is given the same time.
START = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
START_NS = int(START.timestamp() * 1e9)

EXACT = {"rel": 1e-12, "abs": 1e-18}


@pytest.fixture(autouse=True)
def _no_price_file_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AGENTOPS_PRICES_FILE", raising=False)


@dataclass
class Pipeline:
    tracer_provider: TracerProvider
    exporter: InMemorySpanExporter
    reader: InMemoryMetricReader
    processor: CostSpanProcessor

    def span(self, attributes: dict, start_ns: int = START_NS, name: str = "chat") -> ReadableSpan:
        """End one span with ``attributes`` and return what the exporter received."""
        before = len(self.exporter.get_finished_spans())
        tracer = self.tracer_provider.get_tracer("test")
        tracer.start_span(name, attributes=attributes, start_time=start_ns).end()
        self.tracer_provider.force_flush()
        spans = self.exporter.get_finished_spans()
        assert len(spans) == before + 1
        return spans[-1]

    def cost_points(self) -> list:
        data = self.reader.get_metrics_data()
        points = []
        for resource_metrics in data.resource_metrics if data else ():
            for scope_metrics in resource_metrics.scope_metrics:
                for metric in scope_metrics.metrics:
                    if metric.name == AGENTOPS_CLIENT_COST:
                        assert metric.unit == "USD"
                        assert isinstance(metric.data, Sum) and metric.data.is_monotonic
                        points.extend(metric.data.data_points)
        return points


def _pipeline(
    export: str = "simple", cost_first: bool = False, **processor_args: object
) -> Iterator[Pipeline]:
    exporter = InMemorySpanExporter()
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    tracer_provider = TracerProvider()
    export_processor = (
        SimpleSpanProcessor(exporter) if export == "simple" else BatchSpanProcessor(exporter)
    )
    processor = CostSpanProcessor(meter_provider=meter_provider, preload=False, **processor_args)
    for each in (processor, export_processor) if cost_first else (export_processor, processor):
        tracer_provider.add_span_processor(each)
    yield Pipeline(tracer_provider, exporter, reader, processor)
    tracer_provider.shutdown()
    meter_provider.shutdown()


@pytest.fixture
def pipeline() -> Iterator[Pipeline]:
    yield from _pipeline()


def chat(provider: str | None, request_model: str | None, **extra: object) -> dict:
    attributes: dict[str, object] = {"gen_ai.operation.name": "chat"}
    if provider is not None:
        attributes["gen_ai.provider.name"] = provider
    if request_model is not None:
        attributes["gen_ai.request.model"] = request_model
    attributes.update(extra)
    return attributes


def usage(input_tokens: int, output_tokens: int, cache_read: int = 0, cache_write: int = 0):
    return {
        "gen_ai.usage.input_tokens": input_tokens,
        "gen_ai.usage.output_tokens": output_tokens,
        "gen_ai.usage.cache_read.input_tokens": cache_read,
        "gen_ai.usage.cache_creation.input_tokens": cache_write,
    }


def genai_price(model: str, provider_id: str, when: datetime = START, context=None, **tokens):
    """genai-prices' own calculation for ``tokens`` (Usage keyword names)."""
    return genai_prices.calc_price(
        genai_prices.Usage(**tokens),
        model,
        provider_id=provider_id,
        genai_request_timestamp=when,
        price_context=context,
    )


def usd(value: Decimal) -> float:
    return float(value)


def assert_matches_genai_prices(
    span: ReadableSpan, model: str, provider_id: str, split: bool = True, **kwargs
):
    """The cost attributes equal genai-prices' price of the span's usage.

    With ``split``, each input part also equals genai-prices' price of that part alone,
    which holds for prices without tiers (a tier depends on the request's whole input).
    """
    attributes = span.attributes
    inp = attributes["gen_ai.usage.input_tokens"]
    out = attributes["gen_ai.usage.output_tokens"]
    read = attributes.get("gen_ai.usage.cache_read.input_tokens", 0)
    write = attributes.get("gen_ai.usage.cache_creation.input_tokens", 0)
    whole = genai_price(
        model,
        provider_id,
        input_tokens=inp,
        output_tokens=out,
        cache_read_tokens=read,
        cache_write_tokens=write,
        **kwargs,
    )
    assert attributes[AGENTOPS_COST_STATUS] == "priced"
    assert attributes[AGENTOPS_COST_PRICE_SOURCE] == "genai-prices"
    assert attributes[AGENTOPS_COST_TOTAL_USD] == pytest.approx(usd(whole.total_price), **EXACT)
    assert attributes[AGENTOPS_COST_OUTPUT_USD] == pytest.approx(usd(whole.output_price), **EXACT)
    if split:
        uncached = genai_price(model, provider_id, input_tokens=inp - read - write, **kwargs)
        cache_read = genai_price(
            model, provider_id, input_tokens=read, cache_read_tokens=read, **kwargs
        )
        cache_write = genai_price(
            model, provider_id, input_tokens=write, cache_write_tokens=write, **kwargs
        )
        assert attributes[AGENTOPS_COST_INPUT_USD] == pytest.approx(
            usd(uncached.input_price), **EXACT
        )
        assert attributes[AGENTOPS_COST_CACHE_READ_USD] == pytest.approx(
            usd(cache_read.input_price), **EXACT
        )
        assert attributes[AGENTOPS_COST_CACHE_WRITE_USD] == pytest.approx(
            usd(cache_write.input_price), **EXACT
        )
    parts = sum(
        attributes[name]
        for name in (
            AGENTOPS_COST_INPUT_USD,
            AGENTOPS_COST_CACHE_READ_USD,
            AGENTOPS_COST_CACHE_WRITE_USD,
        )
    )
    assert parts == pytest.approx(usd(whole.input_price), **EXACT)


def cost_attributes(span: ReadableSpan) -> dict:
    return {k: v for k, v in span.attributes.items() if k.startswith("agentops.cost.")}


# --- exact USD from genai-prices, every export path ------------------------------------


@pytest.mark.parametrize("export", ["simple", "batch"])
@pytest.mark.parametrize("cost_first", [True, False], ids=["cost-first", "cost-last"])
def test_known_model_priced_exactly_on_every_export_path(export: str, cost_first: bool) -> None:
    # The processor added after the exporter still reaches the exported span: the SDK runs
    # every _on_ending hook before any on_end.
    for pipeline in _pipeline(export, cost_first):
        span = pipeline.span(
            chat(
                "openai",
                "gpt-4o-mini",
                **{"gen_ai.response.model": "gpt-4o-mini-2024-07-18"},
                **usage(1000, 500, cache_read=200),
            )
        )
        assert_matches_genai_prices(span, "gpt-4o-mini-2024-07-18", "openai")
        assert span.attributes[AGENTOPS_COST_TOTAL_USD] > 0
        (point,) = pipeline.cost_points()
        assert point.value == pytest.approx(span.attributes[AGENTOPS_COST_TOTAL_USD], **EXACT)


def test_anthropic_cache_read_and_write_priced_separately(pipeline: Pipeline) -> None:
    span = pipeline.span(
        chat("anthropic", "claude-3-5-sonnet-20241022", **usage(1000, 500, 200, 100))
    )
    assert_matches_genai_prices(span, "claude-3-5-sonnet-20241022", "anthropic")
    attributes = span.attributes
    # 700 uncached, 200 read, 100 written: three different prices per token.
    per_token_input = attributes[AGENTOPS_COST_INPUT_USD] / 700
    per_token_read = attributes[AGENTOPS_COST_CACHE_READ_USD] / 200
    per_token_write = attributes[AGENTOPS_COST_CACHE_WRITE_USD] / 100
    assert per_token_read < per_token_input < per_token_write


def test_threshold_tier_applies_to_all_tokens(pipeline: Pipeline) -> None:
    # claude-sonnet-4-5 has a higher price above 200k input tokens.
    small = pipeline.span(chat("anthropic", "claude-sonnet-4-5", **usage(1000, 100)))
    large = pipeline.span(chat("anthropic", "claude-sonnet-4-5", **usage(250_000, 100, 10_000)))
    assert_matches_genai_prices(small, "claude-sonnet-4-5", "anthropic")
    assert_matches_genai_prices(large, "claude-sonnet-4-5", "anthropic", split=False)
    # Same 100 output tokens, dearer because the request's input crossed the threshold.
    assert large.attributes[AGENTOPS_COST_OUTPUT_USD] > small.attributes[AGENTOPS_COST_OUTPUT_USD]


def test_time_of_day_price_follows_span_start_time(pipeline: Pipeline) -> None:
    peak = START.replace(hour=10)
    off_peak = START.replace(hour=20)
    totals = []
    for when in (peak, off_peak):
        span = pipeline.span(
            chat("deepseek", "deepseek-chat", **usage(1000, 500)),
            start_ns=int(when.timestamp() * 1e9),
        )
        assert_matches_genai_prices(span, "deepseek-chat", "deepseek", when=when)
        totals.append(span.attributes[AGENTOPS_COST_TOTAL_USD])
    assert totals[0] != totals[1]


def test_openai_service_tier_selects_price_variant(pipeline: Pipeline) -> None:
    default = pipeline.span(
        chat(
            "openai",
            "gpt-4o-mini",
            **{"openai.response.service_tier": "default"},
            **usage(1000, 500),
        )
    )
    priority = pipeline.span(
        chat(
            "openai",
            "gpt-4o-mini",
            **{"openai.response.service_tier": "priority"},
            **usage(1000, 500),
        )
    )
    assert_matches_genai_prices(
        default, "gpt-4o-mini", "openai", context={"service_tier": "default"}
    )
    assert_matches_genai_prices(
        priority, "gpt-4o-mini", "openai", context={"service_tier": "priority"}
    )
    assert (
        priority.attributes[AGENTOPS_COST_TOTAL_USD] > default.attributes[AGENTOPS_COST_TOTAL_USD]
    )


def test_response_model_preferred_then_request_model(pipeline: Pipeline) -> None:
    by_response = pipeline.span(
        chat("openai", "gpt-4o", **{"gen_ai.response.model": "gpt-4o-mini"}, **usage(1000, 500))
    )
    assert_matches_genai_prices(by_response, "gpt-4o-mini", "openai")
    by_request = pipeline.span(
        chat(
            "openai", "gpt-4o-mini", **{"gen_ai.response.model": "not-a-model"}, **usage(1000, 500)
        )
    )
    assert_matches_genai_prices(by_request, "gpt-4o-mini", "openai")


@pytest.mark.parametrize(
    ("provider", "model", "provider_id", "priced_as"),
    [
        ("azure.ai.openai", "gpt-4o", "azure", "gpt-4o"),
        ("mistral_ai", "mistral-large-latest", "mistral", "mistral-large-latest"),
        ("x_ai", "grok-2", "x-ai", "grok-2"),
        ("groq", "llama-3.1-8b-instant", "groq", "llama-3.1-8b-instant"),
        ("cohere", "command-r", "cohere", "command-r"),
        # Carries a per-request fee, part of the total only.
        ("perplexity", "sonar", "perplexity", "sonar"),
        ("litellm", "anthropic/claude-3-haiku-20240307", "anthropic", "claude-3-haiku-20240307"),
        ("litellm", "gpt-4o", "openai", "gpt-4o"),
    ],
)
def test_provider_mapping(pipeline: Pipeline, provider, model, provider_id, priced_as) -> None:
    span = pipeline.span(chat(provider, model, **usage(1000, 500)))
    assert_matches_genai_prices(span, priced_as, provider_id)


def test_deprecated_attribute_names_still_priced(pipeline: Pipeline) -> None:
    span = pipeline.span(
        {
            "gen_ai.operation.name": "chat",
            "gen_ai.system": "openai",
            "gen_ai.request.model": "gpt-4o-mini",
            "gen_ai.usage.prompt_tokens": 1000,
            "gen_ai.usage.completion_tokens": 500,
        }
    )
    expected = genai_price("gpt-4o-mini", "openai", input_tokens=1000, output_tokens=500)
    assert span.attributes[AGENTOPS_COST_TOTAL_USD] == pytest.approx(
        usd(expected.total_price), **EXACT
    )


def test_embeddings_priced_on_input_only(pipeline: Pipeline) -> None:
    span = pipeline.span(
        {
            "gen_ai.operation.name": "embeddings",
            "gen_ai.provider.name": "openai",
            "gen_ai.request.model": "text-embedding-3-small",
            "gen_ai.usage.input_tokens": 5000,
        }
    )
    expected = genai_price("text-embedding-3-small", "openai", input_tokens=5000)
    assert span.attributes[AGENTOPS_COST_TOTAL_USD] == pytest.approx(
        usd(expected.total_price), **EXACT
    )
    assert span.attributes[AGENTOPS_COST_OUTPUT_USD] == 0.0


# --- statuses ----------------------------------------------------------------------------


def test_unknown_model_sets_status_and_no_cost(pipeline: Pipeline) -> None:
    span = pipeline.span(chat("openai", "no-such-model-xyz", **usage(1000, 500)))
    assert cost_attributes(span) == {AGENTOPS_COST_STATUS: "unknown_model"}
    assert pipeline.cost_points() == []


@pytest.mark.parametrize("model", ["whisper-1", "tts-1"])
def test_model_not_priced_per_token_is_unknown_not_free(pipeline: Pipeline, model: str) -> None:
    # genai-prices prices these per audio hour / per character: tokens would cost "0".
    span = pipeline.span(chat("openai", model, **usage(1000, 500)))
    assert cost_attributes(span) == {AGENTOPS_COST_STATUS: "unknown_model"}


def test_unknown_provider_is_not_guessed_from_model_name(pipeline: Pipeline) -> None:
    # A self-hosted server that calls its model gpt-4o is not billed OpenAI's price.
    span = pipeline.span(chat("my-vllm-box", "gpt-4o", **usage(1000, 500)))
    assert cost_attributes(span) == {AGENTOPS_COST_STATUS: "unknown_model"}


def test_usage_without_model_is_unknown_model(pipeline: Pipeline) -> None:
    span = pipeline.span(chat("openai", None, **usage(1000, 500)))
    assert cost_attributes(span) == {AGENTOPS_COST_STATUS: "unknown_model"}


def test_no_usage_sets_status_only(pipeline: Pipeline) -> None:
    span = pipeline.span(chat("openai", "gpt-4o-mini"))
    assert cost_attributes(span) == {AGENTOPS_COST_STATUS: "no_usage"}
    assert pipeline.cost_points() == []


def test_ollama_is_free_by_default(pipeline: Pipeline) -> None:
    span = pipeline.span(chat("ollama", "llama3.2", **usage(1000, 500)))
    assert cost_attributes(span) == {
        AGENTOPS_COST_INPUT_USD: 0.0,
        AGENTOPS_COST_OUTPUT_USD: 0.0,
        AGENTOPS_COST_CACHE_READ_USD: 0.0,
        AGENTOPS_COST_CACHE_WRITE_USD: 0.0,
        AGENTOPS_COST_TOTAL_USD: 0.0,
        AGENTOPS_COST_STATUS: "priced",
        AGENTOPS_COST_PRICE_SOURCE: "default_local",
    }
    (point,) = pipeline.cost_points()
    assert point.value == 0.0


def test_litellm_ollama_model_is_local(pipeline: Pipeline) -> None:
    span = pipeline.span(chat("litellm", "ollama/llama3", **usage(10, 5)))
    assert span.attributes[AGENTOPS_COST_PRICE_SOURCE] == "default_local"
    assert span.attributes[AGENTOPS_COST_TOTAL_USD] == 0.0


def test_non_genai_span_untouched(pipeline: Pipeline) -> None:
    span = pipeline.span({"http.request.method": "GET"}, name="GET /")
    assert dict(span.attributes) == {"http.request.method": "GET"}
    assert pipeline.cost_points() == []


def test_agent_span_with_summed_usage_untouched(pipeline: Pipeline) -> None:
    # Pricing the agent's total too would count its model calls twice.
    attributes = {
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o-mini",
        **usage(1000, 500),
    }
    span = pipeline.span(attributes)
    assert cost_attributes(span) == {}


def test_span_already_carrying_a_status_is_left_alone(pipeline: Pipeline) -> None:
    span = pipeline.span(
        chat("openai", "gpt-4o-mini", **{AGENTOPS_COST_STATUS: "priced"}, **usage(1000, 500))
    )
    assert cost_attributes(span) == {AGENTOPS_COST_STATUS: "priced"}
    assert pipeline.cost_points() == []


def test_cache_counts_above_input_taken_as_reported_without_cache(pipeline: Pipeline) -> None:
    # Anthropic's API reports input tokens without the cached ones; an instrumentation that
    # passes that through must not get a negative or clamped input price.
    span = pipeline.span(chat("anthropic", "claude-3-5-sonnet", **usage(50, 10, 200, 100)))
    expected = genai_price(
        "claude-3-5-sonnet",
        "anthropic",
        input_tokens=350,
        output_tokens=10,
        cache_read_tokens=200,
        cache_write_tokens=100,
    )
    assert span.attributes[AGENTOPS_COST_TOTAL_USD] == pytest.approx(
        usd(expected.total_price), **EXACT
    )


# --- metric ------------------------------------------------------------------------------


def test_cost_counter_sums_per_attribute_set(pipeline: Pipeline) -> None:
    first = pipeline.span(
        chat(
            "openai",
            "gpt-4o-mini",
            **{"gen_ai.response.model": "gpt-4o-mini-2024-07-18"},
            **usage(1000, 500),
        )
    )
    second = pipeline.span(
        chat(
            "openai",
            "gpt-4o-mini",
            **{"gen_ai.response.model": "gpt-4o-mini-2024-07-18"},
            **usage(10, 20),
        )
    )
    other = pipeline.span(chat("anthropic", "claude-3-5-sonnet", **usage(100, 50)))
    points = {tuple(sorted(p.attributes.items())): p.value for p in pipeline.cost_points()}
    assert points == {
        (
            ("gen_ai.operation.name", "chat"),
            ("gen_ai.provider.name", "openai"),
            ("gen_ai.request.model", "gpt-4o-mini"),
            ("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
        ): pytest.approx(
            first.attributes[AGENTOPS_COST_TOTAL_USD] + second.attributes[AGENTOPS_COST_TOTAL_USD],
            **EXACT,
        ),
        (
            ("gen_ai.operation.name", "chat"),
            ("gen_ai.provider.name", "anthropic"),
            ("gen_ai.request.model", "claude-3-5-sonnet"),
        ): pytest.approx(other.attributes[AGENTOPS_COST_TOTAL_USD], **EXACT),
    }


def test_processors_sharing_a_meter_provider_share_the_counter() -> None:
    # The SDK keeps only the first instrument of a name per meter: a second processor with
    # its own instrument would lose its costs.
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    exporter = InMemorySpanExporter()
    totals = []
    for _ in range(2):
        provider = TracerProvider()
        provider.add_span_processor(CostSpanProcessor(meter_provider=meter_provider, preload=False))
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        provider.get_tracer("t").start_span(
            "chat", attributes=chat("openai", "gpt-4o-mini", **usage(1000, 500))
        ).end()
        totals.append(exporter.get_finished_spans()[-1].attributes[AGENTOPS_COST_TOTAL_USD])
    (point,) = Pipeline(provider, exporter, reader, None).cost_points()
    assert point.value == pytest.approx(sum(totals), **EXACT)
    meter_provider.shutdown()


# --- user price file ---------------------------------------------------------------------


def write_prices(tmp_path: Path, content: object, name: str = "prices.json") -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


USER_PRICES = {
    "openai": {
        "my-finetune": {"input_per_mtok": 3, "output_per_mtok": 12, "cache_read_per_mtok": 1.5},
        "gpt-4o-mini": {"input_per_mtok": 1, "output_per_mtok": 2},
    },
    "ollama": {"llama3.2": {"input_per_mtok": 0.5, "output_per_mtok": 1}},
    "anthropic": {
        "claude-3": {"input_per_mtok": 10, "output_per_mtok": 10},
        "claude-3-5": {"input_per_mtok": 20, "output_per_mtok": 20},
    },
    "*": {"house-model": {"input_per_mtok": 4, "output_per_mtok": 4}},
}


def test_user_file_extends_with_hand_checked_prices(tmp_path: Path) -> None:
    for pipeline in _pipeline(prices_file=write_prices(tmp_path, USER_PRICES)):
        span = pipeline.span(chat("openai", "my-finetune", **usage(1000, 500, cache_read=200)))
        # 800 uncached x $3/M = 0.0024; 200 read x $1.5/M = 0.0003; 500 out x $12/M = 0.006
        assert cost_attributes(span) == {
            AGENTOPS_COST_INPUT_USD: pytest.approx(0.0024, **EXACT),
            AGENTOPS_COST_OUTPUT_USD: pytest.approx(0.006, **EXACT),
            AGENTOPS_COST_CACHE_READ_USD: pytest.approx(0.0003, **EXACT),
            AGENTOPS_COST_CACHE_WRITE_USD: 0.0,
            AGENTOPS_COST_TOTAL_USD: pytest.approx(0.0087, **EXACT),
            AGENTOPS_COST_STATUS: "priced",
            AGENTOPS_COST_PRICE_SOURCE: "user",
        }
        (point,) = pipeline.cost_points()
        assert point.value == pytest.approx(0.0087, **EXACT)


def test_user_file_overrides_genai_prices_and_local_default(tmp_path: Path) -> None:
    for pipeline in _pipeline(prices_file=write_prices(tmp_path, USER_PRICES)):
        # Dated response model, matched by the "gpt-4o-mini" prefix; cache write defaults
        # to the input price: 1000 x $1/M + 500 x $2/M = 0.002.
        openai = pipeline.span(
            chat(
                "openai",
                "gpt-4o-mini",
                **{"gen_ai.response.model": "gpt-4o-mini-2024-07-18"},
                **usage(1000, 500, cache_write=100),
            )
        )
        assert openai.attributes[AGENTOPS_COST_PRICE_SOURCE] == "user"
        assert openai.attributes[AGENTOPS_COST_CACHE_WRITE_USD] == pytest.approx(0.0001, **EXACT)
        assert openai.attributes[AGENTOPS_COST_TOTAL_USD] == pytest.approx(0.002, **EXACT)
        # 1000 x $0.5/M + 500 x $1/M = 0.001
        ollama = pipeline.span(chat("ollama", "llama3.2:latest", **usage(1000, 500)))
        assert ollama.attributes[AGENTOPS_COST_PRICE_SOURCE] == "user"
        assert ollama.attributes[AGENTOPS_COST_TOTAL_USD] == pytest.approx(0.001, **EXACT)
        # Models the file does not name still come from genai-prices.
        other = pipeline.span(chat("openai", "gpt-4o", **usage(1000, 500)))
        assert_matches_genai_prices(other, "gpt-4o", "openai")


def test_user_file_longest_prefix_wins(tmp_path: Path) -> None:
    for pipeline in _pipeline(prices_file=write_prices(tmp_path, USER_PRICES)):
        haiku = pipeline.span(chat("anthropic", "claude-3-haiku-20240307", **usage(1000, 0)))
        sonnet = pipeline.span(chat("anthropic", "Claude-3-5-Sonnet-20241022", **usage(1000, 0)))
        assert haiku.attributes[AGENTOPS_COST_TOTAL_USD] == pytest.approx(0.01, **EXACT)
        assert sonnet.attributes[AGENTOPS_COST_TOTAL_USD] == pytest.approx(0.02, **EXACT)


def test_user_file_any_provider_entry(tmp_path: Path) -> None:
    for pipeline in _pipeline(prices_file=write_prices(tmp_path, USER_PRICES)):
        for provider in ("my-vllm-box", None):
            span = pipeline.span(chat(provider, "house-model-v2", **usage(1000, 0)))
            assert span.attributes[AGENTOPS_COST_PRICE_SOURCE] == "user"
            assert span.attributes[AGENTOPS_COST_TOTAL_USD] == pytest.approx(0.004, **EXACT)


def test_user_file_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTOPS_PRICES_FILE", str(write_prices(tmp_path, USER_PRICES)))
    for pipeline in _pipeline():
        span = pipeline.span(chat("openai", "my-finetune", **usage(1000, 0)))
        assert span.attributes[AGENTOPS_COST_TOTAL_USD] == pytest.approx(0.003, **EXACT)


def test_explicit_file_wins_over_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("AGENTOPS_PRICES_FILE", str(write_prices(tmp_path, USER_PRICES)))
    explicit = {"openai": {"my-finetune": {"input_per_mtok": 7, "output_per_mtok": 7}}}
    path = write_prices(tmp_path, explicit, "explicit.json")
    for pipeline in _pipeline(prices_file=path):
        span = pipeline.span(chat("openai", "my-finetune", **usage(1000, 0)))
        assert span.attributes[AGENTOPS_COST_TOTAL_USD] == pytest.approx(0.007, **EXACT)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "invalid JSON at line 1"),
        ([1, 2], "top level must be an object"),
        ({"openai": ["x"]}, "'openai' must be an object of model names"),
        ({"openai": {"m": 3}}, "openai.m must be an object of prices"),
        ({"openai": {"m": {"input_per_mtok": 1}}}, "openai.m is missing output_per_mtok"),
        (
            {"openai": {"m": {"input_per_mtok": 1, "output_per_mtok": 1, "inptu_per_mtok": 1}}},
            "unknown field(s) inptu_per_mtok",
        ),
        (
            {"openai": {"m": {"input_per_mtok": -1, "output_per_mtok": 1}}},
            "openai.m.input_per_mtok must be a finite number >= 0",
        ),
        (
            {"openai": {"m": {"input_per_mtok": "3", "output_per_mtok": 1}}},
            'openai.m.input_per_mtok must be a number, got "3"',
        ),
        (
            {"openai": {"m": {"input_per_mtok": True, "output_per_mtok": 1}}},
            "must be a number, got true",
        ),
    ],
)
def test_malformed_price_file_warns_once_and_is_ignored(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, content: object, problem: str
) -> None:
    path = write_prices(tmp_path, content)
    with caplog.at_level(logging.DEBUG, logger="agentops"):
        for pipeline in _pipeline(prices_file=path):
            span = pipeline.span(chat("openai", "gpt-4o-mini", **usage(1000, 500)))
            assert_matches_genai_prices(span, "gpt-4o-mini", "openai")
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    message = warnings[0].getMessage()
    assert str(path) in message
    assert problem in message


def test_missing_price_file_warns(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "absent.json"
    with caplog.at_level(logging.WARNING, logger="agentops"):
        for pipeline in _pipeline(prices_file=path):
            span = pipeline.span(chat("openai", "gpt-4o-mini", **usage(1000, 500)))
            assert span.attributes[AGENTOPS_COST_PRICE_SOURCE] == "genai-prices"
    (record,) = caplog.records
    assert str(path) in record.getMessage()
    assert "cannot read it" in record.getMessage()


# --- lookups, threads, failures, mechanism -----------------------------------------------


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str | None, str]]:
    calls: list[tuple[str | None, str]] = []
    real_find = catalog.find

    def counting_find(provider_id, model, **kwargs):
        calls.append((provider_id, model))
        return real_find(provider_id, model, **kwargs)

    monkeypatch.setattr(catalog, "find", counting_find)
    return calls


def test_price_lookup_once_per_provider_and_model(pipeline: Pipeline, lookups: list) -> None:
    for _ in range(5):
        pipeline.span(chat("openai", "gpt-4o-mini", **usage(100, 50)))
        pipeline.span(chat("anthropic", "claude-3-5-sonnet", **usage(100, 50)))
        pipeline.span(chat("openai", "no-such-model-xyz", **usage(100, 50)))
    assert sorted(lookups) == [
        ("anthropic", "claude-3-5-sonnet"),
        ("openai", "gpt-4o-mini"),
        ("openai", "no-such-model-xyz"),
    ]


def test_concurrent_first_spans_look_up_once(pipeline: Pipeline, lookups: list) -> None:
    barrier = threading.Barrier(8)
    tracer = pipeline.tracer_provider.get_tracer("threads")

    def end_spans() -> None:
        barrier.wait()
        for _ in range(20):
            tracer.start_span(
                "chat", attributes=chat("groq", "llama-3.1-8b-instant", **usage(1, 1))
            ).end()

    threads = [threading.Thread(target=end_spans) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert lookups == [("groq", "llama-3.1-8b-instant")]
    spans = pipeline.exporter.get_finished_spans()
    assert len(spans) == 160
    assert {span.attributes[AGENTOPS_COST_STATUS] for span in spans} == {"priced"}


def test_processor_errors_never_propagate(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline.processor.resolver, "resolve", broken)
    with caplog.at_level(logging.DEBUG, logger="agentops.cost"):
        for _ in range(3):
            span = pipeline.span(chat("openai", "gpt-4o-mini", **usage(1, 1)))
            assert AGENTOPS_COST_TOTAL_USD not in span.attributes
    levels = [r.levelno for r in caplog.records if r.name == "agentops.cost"]
    assert levels == [logging.WARNING, logging.DEBUG, logging.DEBUG]


def test_genai_prices_failure_leaves_model_unknown(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("bad data")

    monkeypatch.setattr(catalog, "find", broken)
    with caplog.at_level(logging.WARNING, logger="agentops"):
        span = pipeline.span(chat("openai", "gpt-4o-mini", **usage(1, 1)))
    assert cost_attributes(span) == {AGENTOPS_COST_STATUS: "unknown_model"}
    assert len(caplog.records) == 1


class OnEndOnly(SpanProcessor):
    """A wrapping processor that forwards on_end but not the SDK's private _on_ending."""

    def __init__(self, inner: SpanProcessor) -> None:
        self.inner = inner

    def on_end(self, span: ReadableSpan) -> None:
        self.inner.on_end(span)


def test_on_end_fallback_when_ending_hook_not_called() -> None:
    exporter = InMemorySpanExporter()
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    provider = TracerProvider()
    # Without the ending hook the order matters: cost before export.
    provider.add_span_processor(
        OnEndOnly(CostSpanProcessor(meter_provider=meter_provider, preload=False))
    )
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    provider.get_tracer("t").start_span(
        "chat", attributes=chat("openai", "gpt-4o-mini", **usage(1000, 500)), start_time=START_NS
    ).end()
    (span,) = exporter.get_finished_spans()
    assert_matches_genai_prices(span, "gpt-4o-mini", "openai")
    provider.shutdown()
    meter_provider.shutdown()


def test_resolver_can_be_shared(pipeline: Pipeline) -> None:
    resolver = PriceResolver()
    pricing = resolver.resolve("openai", "gpt-4o-mini-2024-07-18", "gpt-4o-mini")
    assert pricing is not None and pricing.source == "genai-prices"
    assert resolver.resolve("openai", "gpt-4o-mini-2024-07-18", "gpt-4o-mini") is pricing
    assert resolver.resolve("openai", "no-such-model-xyz") is None


def test_importing_agentops_does_not_import_genai_prices() -> None:
    code = (
        "import sys, agentops, agentops.cost; "
        "from agentops.cost import CostSpanProcessor; "
        "CostSpanProcessor(preload=False); "
        "assert 'genai_prices' not in sys.modules, 'genai_prices imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
