"""Cost of a LiteLLM Router call (provider emulator): each attempt priced once, on its own
span and in the cost counter; the route span that groups them never."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from agentops.cost import CostSpanProcessor

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# The distro's suite also runs where only some providers are installed (tests/compat).
litellm = pytest.importorskip("litellm")
LiteLLMInstrumentor = pytest.importorskip(
    "opentelemetry.instrumentation.agentops.litellm"
).LiteLLMInstrumentor

MESSAGES = [{"role": "user", "content": "Say hello to the cost processor please"}]
EXACT = {"rel": 1e-12, "abs": 1e-18}


@pytest.fixture(autouse=True)
def _no_price_file_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AGENTOPS_PRICES_FILE", raising=False)


@pytest.fixture
def instrumented(telemetry) -> Iterator[None]:
    telemetry.tracer_provider.add_span_processor(
        CostSpanProcessor(meter_provider=telemetry.meter_provider, preload=False)
    )
    instrumentor = LiteLLMInstrumentor()
    instrumentor.instrument(
        tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
    )
    yield
    instrumentor.uninstrument()


def cost_of(span: Any) -> dict[str, Any]:
    return {k: v for k, v in span.attributes.items() if k.startswith("agentops.cost.")}


def test_a_fallback_is_priced_once_per_answered_attempt(emulator, telemetry, instrumented):
    router = litellm.Router(
        model_list=[
            {
                "model_name": "primary",
                "litellm_params": {
                    "model": "openai/gpt-4o-mini",
                    "api_base": emulator.openai_base_url,
                    "api_key": "sk-cost",
                    "extra_headers": {"x-emulator-fault": "http-500"},
                },
                "model_info": {"id": f"primary-{uuid.uuid4().hex}"},
            },
            {
                "model_name": "backup",
                "litellm_params": {
                    "model": "anthropic/claude-3-5-haiku-20241022",
                    "api_base": emulator.anthropic_base_url,
                    "api_key": "sk-cost",
                },
                "model_info": {"id": f"backup-{uuid.uuid4().hex}"},
            },
        ],
        fallbacks=[{"primary": ["backup"]}],
        num_retries=0,
        disable_cooldowns=True,
    )
    router.completion(model="primary", messages=MESSAGES)

    spans = telemetry.spans()
    assert [s.name for s in spans] == [
        "chat gpt-4o-mini",
        "chat claude-3-5-haiku-20241022",
        "route primary",
    ], [(s.name, dict(s.attributes)) for s in spans]
    failed, answered, route = spans
    assert route.attributes["gen_ai.operation.name"] == "route"
    assert cost_of(route) == {}
    assert "agentops.cost.total_usd" not in failed.attributes  # failed: nothing to price
    assert answered.attributes["gen_ai.provider.name"] == "anthropic"
    assert answered.attributes["agentops.cost.status"] == "priced"
    total = answered.attributes["agentops.cost.total_usd"]
    assert total > 0
    (point,) = telemetry.metrics()["agentops.client.cost"]
    assert point.value == pytest.approx(total, **EXACT)
    assert point.attributes["gen_ai.provider.name"] == "anthropic"


def test_a_route_span_is_never_priced(telemetry):
    """Whichever instrumentation made it: a route span's usage is its attempts'."""
    telemetry.tracer_provider.add_span_processor(
        CostSpanProcessor(meter_provider=telemetry.meter_provider, preload=False)
    )
    tracer = telemetry.tracer_provider.get_tracer("another.instrumentation")
    with tracer.start_as_current_span("route primary") as span:
        span.set_attributes(
            {
                "gen_ai.operation.name": "route",
                "gen_ai.provider.name": "anthropic",
                "gen_ai.request.model": "claude-3-5-haiku-20241022",
                "gen_ai.usage.input_tokens": 10,
                "gen_ai.usage.output_tokens": 10,
            }
        )
    (ended,) = telemetry.spans()
    assert cost_of(ended) == {}
    assert "agentops.client.cost" not in telemetry.metrics()
