"""Cost of the spans our Anthropic instrumentation really emits (provider emulator), with prompt
caching: Anthropic reports cached tokens beside ``input_tokens``; the span counts them in the
input and in the two cache attributes, and the cost processor prices each part at its rate.

Expected prices come from genai-prices applied to the SDK's own usage, not to the span.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import anthropic
import genai_prices
import pytest
from agentops.cost import CostSpanProcessor
from agentops_semconv import (
    AGENTOPS_COST_CACHE_READ_USD,
    AGENTOPS_COST_CACHE_WRITE_USD,
    AGENTOPS_COST_INPUT_USD,
    AGENTOPS_COST_OUTPUT_USD,
    AGENTOPS_COST_PRICE_SOURCE,
    AGENTOPS_COST_STATUS,
    AGENTOPS_COST_TOTAL_USD,
)
from opentelemetry.instrumentation.agentops.anthropic import AnthropicInstrumentor

EXACT = {"rel": 1e-12, "abs": 1e-18}
MODEL = "claude-haiku-4-5"
MESSAGES = [{"role": "user", "content": "Say hello to the cost processor please"}]
CACHED = {"x-emulator-cached-tokens": "300", "x-emulator-cache-write-tokens": "200"}


@pytest.fixture(autouse=True)
def _no_price_file_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AGENTOPS_PRICES_FILE", raising=False)


@pytest.fixture
def client(emulator, telemetry) -> Iterator[anthropic.Anthropic]:
    telemetry.tracer_provider.add_span_processor(
        CostSpanProcessor(meter_provider=telemetry.meter_provider, preload=False)
    )
    instrumentor = AnthropicInstrumentor()
    instrumentor.instrument(
        tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
    )
    yield anthropic.Anthropic(
        api_key="sk-ant-test", base_url=emulator.anthropic_base_url, max_retries=0
    )
    instrumentor.uninstrument()


def price(span, model: str, **parts: int):
    """genai-prices' price of ``parts`` (its own Usage fields) for ``model`` at the span's time."""
    return genai_prices.calc_price(
        genai_prices.Usage(**parts),
        model,
        provider_id="anthropic",
        genai_request_timestamp=datetime.fromtimestamp(span.start_time / 1e9, tz=UTC),
    )


def assert_priced(span, message) -> None:
    usage = message.usage
    read, written = usage.cache_read_input_tokens, usage.cache_creation_input_tokens
    assert (read, written) == (300, 200)
    # genai-prices counts cached tokens in input_tokens, as the conventions do.
    everything = usage.input_tokens + read + written

    whole = price(
        span,
        message.model,
        input_tokens=everything,
        cache_read_tokens=read,
        cache_write_tokens=written,
        output_tokens=usage.output_tokens,
    )
    uncached = price(span, message.model, input_tokens=usage.input_tokens)
    from_cache = price(span, message.model, input_tokens=read, cache_read_tokens=read)
    to_cache = price(span, message.model, input_tokens=written, cache_write_tokens=written)

    attributes = span.attributes
    assert attributes["gen_ai.usage.input_tokens"] == everything
    assert attributes[AGENTOPS_COST_STATUS] == "priced"
    assert attributes[AGENTOPS_COST_PRICE_SOURCE] == "genai-prices"
    assert attributes[AGENTOPS_COST_TOTAL_USD] == pytest.approx(float(whole.total_price), **EXACT)
    assert attributes[AGENTOPS_COST_OUTPUT_USD] == pytest.approx(float(whole.output_price), **EXACT)
    assert attributes[AGENTOPS_COST_INPUT_USD] == pytest.approx(
        float(uncached.input_price), **EXACT
    )
    assert attributes[AGENTOPS_COST_CACHE_READ_USD] == pytest.approx(
        float(from_cache.input_price), **EXACT
    )
    assert attributes[AGENTOPS_COST_CACHE_WRITE_USD] == pytest.approx(
        float(to_cache.input_price), **EXACT
    )
    # Three rates: reading the cache is cheaper than input, writing it dearer.
    per_token = (
        attributes[AGENTOPS_COST_CACHE_READ_USD] / read,
        attributes[AGENTOPS_COST_INPUT_USD] / usage.input_tokens,
        attributes[AGENTOPS_COST_CACHE_WRITE_USD] / written,
    )
    assert per_token[0] < per_token[1] < per_token[2]


def test_cached_call_priced_by_part(client: anthropic.Anthropic, telemetry) -> None:
    message = client.messages.create(
        model=MODEL, max_tokens=100, messages=MESSAGES, extra_headers=CACHED
    )
    (span,) = telemetry.spans()
    assert_priced(span, message)
    points = telemetry.metrics()["agentops.client.cost"]
    assert [p.value for p in points] == [
        pytest.approx(span.attributes[AGENTOPS_COST_TOTAL_USD], **EXACT)
    ]


def test_cached_stream_helper_call_priced_by_part(client: anthropic.Anthropic, telemetry) -> None:
    with client.messages.stream(
        model=MODEL, max_tokens=100, messages=MESSAGES, extra_headers=CACHED
    ) as stream:
        message = stream.get_final_message()
    (span,) = telemetry.spans()
    assert_priced(span, message)
