"""Cost of the spans our Ollama instrumentation really emits (provider emulator): free unless
the user prices the model, and priced from a GPU's hourly price as docs/cost.md shows."""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from agentops.cost import CostSpanProcessor

# The distro's suite also runs where only some providers are installed (tests/compat).
ollama = pytest.importorskip("ollama")
OllamaInstrumentor = pytest.importorskip(
    "opentelemetry.instrumentation.agentops.ollama"
).OllamaInstrumentor

EXACT = {"rel": 1e-12, "abs": 1e-18}
MODEL = "llama3.2:3b"
MESSAGES = [{"role": "user", "content": "Say hello to the cost processor please"}]


@pytest.fixture(autouse=True)
def _no_price_file_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AGENTOPS_PRICES_FILE", raising=False)


def add_cost(telemetry: Any, prices_file: Path | None = None) -> None:
    telemetry.tracer_provider.add_span_processor(
        CostSpanProcessor(
            meter_provider=telemetry.meter_provider, prices_file=prices_file, preload=False
        )
    )


@pytest.fixture
def client(emulator, telemetry) -> Iterator[Any]:
    instrumentor = OllamaInstrumentor()
    instrumentor.instrument(
        tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
    )
    parameters = inspect.signature(ollama.Client.__init__).parameters
    yield ollama.Client(**{"host" if "host" in parameters else "base_url": emulator.ollama_host})
    instrumentor.uninstrument()


def cost_of(span: Any) -> dict[str, Any]:
    """The cost attributes of a span (names spelled out: the test fails if they change)."""
    return {k: v for k, v in span.attributes.items() if k.startswith("agentops.cost.")}


def cost_points(telemetry: Any) -> list[float]:
    return [point.value for point in telemetry.metrics().get("agentops.client.cost", [])]


def test_a_local_model_nobody_priced_costs_nothing(client, telemetry) -> None:
    add_cost(telemetry)
    client.chat(model=MODEL, messages=MESSAGES)
    (span,) = telemetry.spans()
    assert span.attributes["gen_ai.usage.input_tokens"] > 0
    assert cost_of(span) == {
        "agentops.cost.input_usd": 0.0,
        "agentops.cost.output_usd": 0.0,
        "agentops.cost.cache_read_usd": 0.0,
        "agentops.cost.cache_write_usd": 0.0,
        "agentops.cost.total_usd": 0.0,
        "agentops.cost.status": "priced",
        "agentops.cost.price_source": "default_local",
    }
    assert cost_points(telemetry) == [0.0]


def gpu_hour_prices(hourly_usd: float, span: Any) -> dict[str, float]:
    """USD per million tokens from a GPU's hourly price and the throughput the server
    reported for a call (docs/cost.md, "Pricing local models")."""
    attributes = span.attributes
    per_second = hourly_usd / 3600
    reading = attributes["gen_ai.usage.input_tokens"] / attributes["agentops.server.prompt_time"]
    writing = (
        attributes["gen_ai.usage.output_tokens"] / attributes["agentops.server.completion_time"]
    )
    return {
        "input_per_mtok": per_second / reading * 1e6,
        "output_per_mtok": per_second / writing * 1e6,
    }


def test_a_model_priced_by_gpu_hour(client, telemetry, tmp_path) -> None:
    # Measure: one call gives the server's throughput for this model.
    client.chat(model=MODEL, messages=MESSAGES)
    (measured,) = telemetry.spans()
    prices = gpu_hour_prices(1.20, measured)
    prices_file = tmp_path / "prices.json"
    # "llama3.2" covers every tag of the model (llama3.2:3b, llama3.2:latest, ...).
    prices_file.write_text(json.dumps({"ollama": {"llama3.2": prices}}))
    telemetry.span_exporter.clear()
    add_cost(telemetry, prices_file)

    final = list(client.chat(model=MODEL, messages=MESSAGES, stream=True))[-1]
    (span,) = telemetry.spans()
    input_usd = final["prompt_eval_count"] * prices["input_per_mtok"] / 1e6
    output_usd = final["eval_count"] * prices["output_per_mtok"] / 1e6
    assert cost_of(span) == {
        "agentops.cost.input_usd": pytest.approx(input_usd, **EXACT),
        "agentops.cost.output_usd": pytest.approx(output_usd, **EXACT),
        "agentops.cost.cache_read_usd": 0.0,
        "agentops.cost.cache_write_usd": 0.0,
        "agentops.cost.total_usd": pytest.approx(input_usd + output_usd, **EXACT),
        "agentops.cost.status": "priced",
        "agentops.cost.price_source": "user",
    }
    # Priced this way, a call costs the GPU time the server spent on it.
    gpu_seconds = (final["prompt_eval_duration"] + final["eval_duration"]) / 1e9
    assert span.attributes["agentops.cost.total_usd"] == pytest.approx(gpu_seconds * 1.20 / 3600)
