"""Cost of the spans our AI21 instrumentation really emits (provider emulator).

genai-prices lists no AI21 provider, so the registry row has no price id and the model name
alone picks the price. A model genai-prices knows by name is priced at its price; one it does
not know is ``unknown_model`` with no cost attribute (never a cost of 0); a user's price file
prices AI21 models like any other.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import genai_prices
import pytest
from agentops.cost import CostSpanProcessor
from agentops_semconv import (
    AGENTOPS_COST_PRICE_SOURCE,
    AGENTOPS_COST_STATUS,
    AGENTOPS_COST_TOTAL_USD,
)

# The lean compatibility runs install the distro with OpenAI alone; the main run has AI21.
ai21 = pytest.importorskip("ai21")
AI21Instrumentor = pytest.importorskip(
    "opentelemetry.instrumentation.agentops.ai21"
).AI21Instrumentor

EXACT = {"rel": 1e-12, "abs": 1e-18}
# ai21 up to 2.5.0 takes the host and adds /studio/v1; later releases take the full URL.
OLD_HOST_FORM = tuple(int(p) for p in ai21.__version__.split(".")[:3]) <= (2, 5, 0)


@pytest.fixture(autouse=True)
def _no_price_file_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AGENTOPS_PRICES_FILE", raising=False)


@pytest.fixture
def instrumented(telemetry) -> Iterator[None]:
    instrumentor = AI21Instrumentor()
    instrumentor.instrument(
        tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
    )
    yield
    instrumentor.uninstrument()


def add_cost(telemetry, **options: object) -> None:
    telemetry.tracer_provider.add_span_processor(
        CostSpanProcessor(meter_provider=telemetry.meter_provider, preload=False, **options)
    )


def client(emulator) -> ai21.AI21Client:
    host = emulator.ai21_api_host if OLD_HOST_FORM else emulator.ai21_base_url
    return ai21.AI21Client(api_key="ai21-cost-test-key", api_host=host)


def jamba_chat(emulator, model: str):
    from ai21.models.chat import ChatMessage

    messages = [ChatMessage(role="user", content="Say hello to the cost processor please")]
    return client(emulator).chat.completions.create(model=model, messages=messages)


def genai_prices_total(span) -> float | None:
    """genai-prices' own price of the span's usage for its model name, None if unknown."""
    usage = genai_prices.Usage(
        input_tokens=span.attributes["gen_ai.usage.input_tokens"],
        output_tokens=span.attributes["gen_ai.usage.output_tokens"],
    )
    try:
        price = genai_prices.calc_price(
            usage,
            span.attributes["gen_ai.request.model"],
            genai_request_timestamp=datetime.fromtimestamp(span.start_time / 1e9, tz=UTC),
        )
    except LookupError:
        return None
    return float(price.total_price)


def cost_points(telemetry) -> list:
    return telemetry.metrics().get("agentops.client.cost", [])


@pytest.mark.parametrize("model", ["jamba-mini", "jamba-large", "jamba-1.5-large"])
def test_jamba_spans_priced_by_model_name_or_unknown_never_free(
    emulator, telemetry, instrumented, model
) -> None:
    add_cost(telemetry)
    jamba_chat(emulator, model)

    (span,) = telemetry.spans()
    assert span.attributes["gen_ai.provider.name"] == "ai21"
    assert "gen_ai.response.model" not in span.attributes
    expected = genai_prices_total(span)
    if expected is None:
        assert span.attributes[AGENTOPS_COST_STATUS] == "unknown_model"
        costs = [key for key in span.attributes if key.startswith("agentops.cost.")]
        assert costs == [AGENTOPS_COST_STATUS]
        assert cost_points(telemetry) == []
    else:
        assert span.attributes[AGENTOPS_COST_STATUS] == "priced"
        assert span.attributes[AGENTOPS_COST_TOTAL_USD] == pytest.approx(expected, **EXACT)
        assert span.attributes[AGENTOPS_COST_TOTAL_USD] > 0


def test_a_price_file_prices_ai21_models(emulator, telemetry, instrumented, tmp_path: Path) -> None:
    prices = tmp_path / "prices.json"
    prices.write_text(
        json.dumps({"ai21": {"jamba-mini": {"input_per_mtok": 2, "output_per_mtok": 8}}})
    )
    add_cost(telemetry, prices_file=prices)
    response = jamba_chat(emulator, "jamba-mini")

    (span,) = telemetry.spans()
    usage = response.usage
    total = (usage.prompt_tokens * 2 + usage.completion_tokens * 8) / 1e6
    assert span.attributes[AGENTOPS_COST_STATUS] == "priced"
    assert span.attributes[AGENTOPS_COST_PRICE_SOURCE] == "user"
    assert span.attributes[AGENTOPS_COST_TOTAL_USD] == pytest.approx(total, **EXACT)
    assert [p.value for p in cost_points(telemetry)] == [pytest.approx(total, **EXACT)]


def test_jurassic_chat_reports_no_usage(emulator, telemetry, instrumented) -> None:
    from ai21.models import ChatMessage, RoleType

    add_cost(telemetry)
    client(emulator).chat.create(
        model="j2-ultra",
        messages=[ChatMessage(role=RoleType.USER, text="Hello")],
        system="Be brief.",
    )

    (span,) = telemetry.spans()
    assert span.attributes[AGENTOPS_COST_STATUS] == "no_usage"
    assert AGENTOPS_COST_TOTAL_USD not in span.attributes
