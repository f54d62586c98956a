"""Rerank calls are priced per billed search unit: by genai-prices when it knows the model,
``unknown_model`` (no cost, never 0) when it does not.

genai-prices has a search-unit price key (``rerank_searches_kcount``) but, in the bundled
snapshot, no Cohere rerank model priced with it; the "knows the model" tests give it one
through genai-prices' own ``set_custom_snapshot``, and take the expected USD from genai-prices'
calculation. One test makes a real rerank call through the Cohere instrumentation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from decimal import Decimal

import genai_prices
import pytest
from agentops.cost import CostSpanProcessor
from agentops_semconv import (
    AGENTOPS_CLIENT_COST,
    AGENTOPS_COST_PRICE_SOURCE,
    AGENTOPS_COST_STATUS,
    AGENTOPS_COST_TOTAL_USD,
)
from genai_prices import data_snapshot
from genai_prices.types import ClauseEquals, ModelInfo, ModelPrice
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

# The lean compatibility runs install the distro with OpenAI alone; the main run has Cohere.
cohere = pytest.importorskip("cohere")
CohereInstrumentor = pytest.importorskip(
    "opentelemetry.instrumentation.agentops.cohere"
).CohereInstrumentor

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

MODEL = "rerank-v3.5"
COST_NAMES = (AGENTOPS_COST_TOTAL_USD, AGENTOPS_COST_PRICE_SOURCE)


@pytest.fixture(autouse=True)
def _no_price_file_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AGENTOPS_PRICES_FILE", raising=False)


@pytest.fixture
def price_list_knows_the_reranker() -> Iterator[ModelInfo]:
    """genai-prices' snapshot with a search-unit price for the Cohere reranker."""
    bundled = data_snapshot.get_snapshot()
    reranker = ModelInfo(
        id=MODEL,
        match=ClauseEquals(equals=MODEL),
        prices=ModelPrice(rerank_searches_kcount=Decimal("2")),
    )
    providers = [
        dataclasses.replace(p, models=[*p.models, reranker]) if p.id == "cohere" else p
        for p in bundled.providers
    ]
    data_snapshot.set_custom_snapshot(
        data_snapshot.DataSnapshot(providers=providers, from_auto_update=False)
    )
    try:
        yield reranker
    finally:
        data_snapshot.set_custom_snapshot(None)


class Pipeline:
    def __init__(self) -> None:
        self.exporter = InMemorySpanExporter()
        self.reader = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.reader])
        self.tracer_provider = TracerProvider()
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.exporter))
        self.tracer_provider.add_span_processor(
            CostSpanProcessor(meter_provider=self.meter_provider, preload=False)
        )

    def span(self, attributes: dict[str, object]) -> ReadableSpan:
        self.tracer_provider.get_tracer("test").start_span("rerank", attributes=attributes).end()
        return self.exporter.get_finished_spans()[-1]

    def cost_points(self) -> list:
        data = self.reader.get_metrics_data()
        return [
            point
            for resource in (data.resource_metrics if data else ())
            for scope in resource.scope_metrics
            for metric in scope.metrics
            if metric.name == AGENTOPS_CLIENT_COST
            for point in metric.data.data_points
        ]


@pytest.fixture
def pipeline() -> Iterator[Pipeline]:
    built = Pipeline()
    yield built
    built.tracer_provider.shutdown()
    built.meter_provider.shutdown()


def rerank(units: int | None, model: str = MODEL) -> dict[str, object]:
    attributes: dict[str, object] = {
        "gen_ai.operation.name": "rerank",
        "gen_ai.provider.name": "cohere",
        "gen_ai.request.model": model,
    }
    if units is not None:
        attributes["agentops.rerank.billed_search_units"] = units
    return attributes


def test_a_rerank_model_the_price_list_knows_is_priced_per_search_unit(
    pipeline, price_list_knows_the_reranker
):
    span = pipeline.span(rerank(units=3))
    expected = genai_prices.calc_price(
        genai_prices.Usage(rerank_searches=3), MODEL, provider_id="cohere"
    )
    assert expected.total_price > 0
    attributes = span.attributes
    assert attributes[AGENTOPS_COST_STATUS] == "priced"
    assert attributes[AGENTOPS_COST_PRICE_SOURCE] == "genai-prices"
    assert attributes[AGENTOPS_COST_TOTAL_USD] == pytest.approx(float(expected.total_price))
    (point,) = pipeline.cost_points()
    assert point.value == pytest.approx(float(expected.total_price))
    assert dict(point.attributes) == {
        "gen_ai.provider.name": "cohere",
        "gen_ai.request.model": MODEL,
        "gen_ai.operation.name": "rerank",
    }


def test_a_rerank_model_the_price_list_does_not_know_is_unknown_never_zero(pipeline):
    span = pipeline.span(rerank(units=3))
    assert span.attributes[AGENTOPS_COST_STATUS] == "unknown_model"
    assert not set(COST_NAMES) & set(span.attributes)
    assert pipeline.cost_points() == []


def test_a_rerank_model_priced_per_token_only_is_unknown(pipeline):
    # A chat model has token prices and no search price: not a price for searches.
    span = pipeline.span(rerank(units=3, model="command-r-plus"))
    assert span.attributes[AGENTOPS_COST_STATUS] == "unknown_model"
    assert AGENTOPS_COST_TOTAL_USD not in span.attributes


def test_a_rerank_without_billed_units_has_no_usage(pipeline, price_list_knows_the_reranker):
    span = pipeline.span(rerank(units=None))
    assert span.attributes[AGENTOPS_COST_STATUS] == "no_usage"
    assert AGENTOPS_COST_TOTAL_USD not in span.attributes


def test_token_usage_on_a_model_priced_per_search_only_is_unknown(
    pipeline, price_list_knows_the_reranker
):
    span = pipeline.span(
        {
            **rerank(units=None),
            "gen_ai.operation.name": "chat",
            "gen_ai.usage.input_tokens": 10,
            "gen_ai.usage.output_tokens": 5,
        }
    )
    assert span.attributes[AGENTOPS_COST_STATUS] == "unknown_model"
    assert AGENTOPS_COST_TOTAL_USD not in span.attributes


@pytest.mark.parametrize("known", [False, True], ids=["unknown", "known"])
def test_a_real_rerank_call_is_priced_from_its_billed_units(pipeline, emulator, request, known):
    if known:
        request.getfixturevalue("price_list_knows_the_reranker")
    instrumentor = CohereInstrumentor()
    instrumentor.instrument(
        tracer_provider=pipeline.tracer_provider, meter_provider=pipeline.meter_provider
    )
    try:
        base_url = (
            emulator.cohere_base_url if hasattr(cohere, "ClientV2") else emulator.cohere_v1_base_url
        )
        client = cohere.Client(api_key="co-test", base_url=base_url)
        documents = [f"document {index}" for index in range(150)]
        result = client.rerank(query="document", documents=documents, model=MODEL)
    finally:
        instrumentor.uninstrument()
    (span,) = pipeline.exporter.get_finished_spans()
    units = int(result.meta.billed_units.search_units)
    assert span.attributes["agentops.rerank.billed_search_units"] == units == 2
    if not known:
        assert span.attributes[AGENTOPS_COST_STATUS] == "unknown_model"
        assert AGENTOPS_COST_TOTAL_USD not in span.attributes
        return
    expected = genai_prices.calc_price(
        genai_prices.Usage(rerank_searches=units), MODEL, provider_id="cohere"
    )
    assert span.attributes[AGENTOPS_COST_STATUS] == "priced"
    assert span.attributes[AGENTOPS_COST_TOTAL_USD] == pytest.approx(float(expected.total_price))
