"""Cost of the spans our Anthropic instrumentation really emits (provider emulator), with prompt
caching: Anthropic reports cached tokens beside ``input_tokens``; the span counts them in the
input and in the two cache attributes, and the cost processor prices each part at its rate.

The span's counts are checked against the SDK's own usage; its prices against genai-prices'
price of those counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from agentops.cost import CostSpanProcessor
from agentops_semconv import (
    AGENTOPS_COST_CACHE_READ_USD,
    AGENTOPS_COST_CACHE_WRITE_USD,
    AGENTOPS_COST_INPUT_USD,
    AGENTOPS_COST_TOTAL_USD,
)
from test_cost import assert_matches_genai_prices

# The lean compatibility runs install the distro with OpenAI alone; the main run has Anthropic.
anthropic = pytest.importorskip("anthropic")
AnthropicInstrumentor = pytest.importorskip(
    "opentelemetry.instrumentation.agentops.anthropic"
).AnthropicInstrumentor

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


def assert_priced(span, message) -> None:
    usage = message.usage
    read, written = usage.cache_read_input_tokens, usage.cache_creation_input_tokens
    assert (read, written) == (300, 200)
    # The span's counts, from the SDK's: the conventions' input includes the cached tokens.
    assert {
        key: span.attributes[key]
        for key in (
            "gen_ai.usage.input_tokens",
            "gen_ai.usage.cache_read.input_tokens",
            "gen_ai.usage.cache_creation.input_tokens",
            "gen_ai.usage.output_tokens",
        )
    } == {
        "gen_ai.usage.input_tokens": usage.input_tokens + read + written,
        "gen_ai.usage.cache_read.input_tokens": read,
        "gen_ai.usage.cache_creation.input_tokens": written,
        "gen_ai.usage.output_tokens": usage.output_tokens,
    }
    # Each part at its own rate, as genai-prices prices it.
    when = datetime.fromtimestamp(span.start_time / 1e9, tz=UTC)
    assert_matches_genai_prices(span, message.model, "anthropic", when=when)
    per_token = (
        span.attributes[AGENTOPS_COST_CACHE_READ_USD] / read,
        span.attributes[AGENTOPS_COST_INPUT_USD] / usage.input_tokens,
        span.attributes[AGENTOPS_COST_CACHE_WRITE_USD] / written,
    )
    assert per_token[0] < per_token[1] < per_token[2]  # reading the cache is cheapest


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
