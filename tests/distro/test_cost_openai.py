"""Cost enrichment of the spans our OpenAI instrumentation really emits (provider emulator).

The cost processor is added *after* the exporting processor, as a user adding it to an
existing setup would; the exported spans still carry the cost.
"""

from __future__ import annotations

from collections.abc import Iterator

import genai_prices
import openai
import pytest
from agentops.cost import CostSpanProcessor
from agentops_semconv import (
    AGENTOPS_COST_CACHE_READ_USD,
    AGENTOPS_COST_PRICE_SOURCE,
    AGENTOPS_COST_STATUS,
    AGENTOPS_COST_TOTAL_USD,
)
from opentelemetry.instrumentation.agentops.openai import OpenAIInstrumentor

EXACT = {"rel": 1e-12, "abs": 1e-18}


@pytest.fixture(autouse=True)
def _no_price_file_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AGENTOPS_PRICES_FILE", raising=False)


@pytest.fixture
def client(emulator, telemetry) -> Iterator[openai.OpenAI]:
    telemetry.tracer_provider.add_span_processor(
        CostSpanProcessor(meter_provider=telemetry.meter_provider, preload=False)
    )
    instrumentor = OpenAIInstrumentor()
    instrumentor.instrument(
        tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
    )
    yield openai.OpenAI(api_key="sk-test", base_url=emulator.openai_base_url, max_retries=0)
    instrumentor.uninstrument()


def expected_total(span) -> float:
    """genai-prices' price of the usage and model the span reports."""
    attributes = span.attributes
    usage = genai_prices.Usage(
        input_tokens=attributes["gen_ai.usage.input_tokens"],
        output_tokens=attributes["gen_ai.usage.output_tokens"],
        cache_read_tokens=attributes.get("gen_ai.usage.cache_read.input_tokens", 0),
    )
    tier = attributes.get("openai.response.service_tier") or attributes.get(
        "openai.response.service_tier"
    )
    price = genai_prices.calc_price(
        usage,
        attributes.get("gen_ai.response.model") or attributes["gen_ai.request.model"],
        provider_id="openai",
        genai_request_timestamp=genai_prices_time(span.start_time),
        price_context={"service_tier": tier} if tier else None,
    )
    return float(price.total_price)


def genai_prices_time(start_time_ns: int):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(start_time_ns / 1e9, tz=UTC)


MESSAGES = [{"role": "user", "content": "Say hello to the cost processor please"}]


def test_chat_span_priced(client: openai.OpenAI, telemetry) -> None:
    client.chat.completions.create(
        model="gpt-4o-mini",
        messages=MESSAGES,
        extra_headers={"x-emulator-cached-tokens": "2"},
    )
    (span,) = telemetry.spans()
    assert span.attributes[AGENTOPS_COST_STATUS] == "priced"
    assert span.attributes[AGENTOPS_COST_PRICE_SOURCE] == "genai-prices"
    assert span.attributes[AGENTOPS_COST_CACHE_READ_USD] > 0
    assert span.attributes[AGENTOPS_COST_TOTAL_USD] == pytest.approx(expected_total(span), **EXACT)
    points = telemetry.metrics()["agentops.client.cost"]
    assert [p.value for p in points] == [pytest.approx(expected_total(span), **EXACT)]


def test_streamed_chat_span_priced(client: openai.OpenAI, telemetry) -> None:
    stream = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)
    for _ in stream:
        pass
    (span,) = telemetry.spans()
    assert span.attributes[AGENTOPS_COST_TOTAL_USD] == pytest.approx(expected_total(span), **EXACT)


def test_failed_call_has_no_usage(client: openai.OpenAI, telemetry) -> None:
    with pytest.raises(openai.RateLimitError):
        client.chat.completions.create(
            model="gpt-4o-mini", messages=MESSAGES, extra_headers={"x-emulator-fault": "http-429"}
        )
    (span,) = telemetry.spans()
    assert span.attributes[AGENTOPS_COST_STATUS] == "no_usage"
    assert AGENTOPS_COST_TOTAL_USD not in span.attributes
