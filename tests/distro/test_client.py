"""``Client.configure``: instrumentation, the ``track_*`` switches, reconfiguration, warnings.

The real openai SDK talks to the provider emulator; spans and metrics come from real SDK
providers with in-memory exporters (the ``telemetry`` fixture).
"""

from __future__ import annotations

import logging

import pytest
import test_client_helpers as helpers
from agentops import Client
from agentops.instrumentor import AgentOpsInstrumentor
from agentops_semconv import AGENTOPS_COST_STATUS, AGENTOPS_COST_TOTAL_USD
from opentelemetry.instrumentation.agentops.core import hooks
from test_client_helpers import (
    DURATION,
    TOKENS,
    chat,
    configure,
    genai_spans,
    openai_client,
    points,
    ready_providers,
)

# Fixtures shared through the helpers module (pytest finds them by name here).
_isolated_hooks = helpers._isolated_hooks
agentops_client = helpers.agentops_client

SEED_CONFIG = {
    "providers": ["openai", "anthropic"],
    "track_tokens": True,
    "track_costs": True,
    "track_latency": True,
}


def test_seed_configuration_traces_openai_with_cost(emulator, telemetry, agentops_client):
    configure(agentops_client, telemetry, llm_config=SEED_CONFIG)
    chat(openai_client(emulator))

    (span,) = genai_spans(telemetry)
    assert span.name == "chat gpt-4o-mini"
    assert span.attributes["gen_ai.provider.name"] == "openai"
    assert span.attributes["gen_ai.usage.input_tokens"] > 0
    assert span.attributes[AGENTOPS_COST_TOTAL_USD] > 0
    assert points(telemetry, DURATION)
    assert {p.attributes["gen_ai.token.type"] for p in points(telemetry, TOKENS)} == {
        "input",
        "output",
    }
    assert AgentOpsInstrumentor().instrumented_providers() == ready_providers(
        *SEED_CONFIG["providers"]
    )


def test_configure_returns_the_client(telemetry, agentops_client):
    assert configure(agentops_client, telemetry) is agentops_client


def test_signals_are_set_before_instrumenting(telemetry, agentops_client):
    configure(agentops_client, telemetry, llm_config={"track_tokens": False})
    assert hooks.signals.tokens is False
    assert hooks.signals.latency is True


def test_track_tokens_off(emulator, telemetry, agentops_client):
    configure(agentops_client, telemetry, llm_config={**SEED_CONFIG, "track_tokens": False})
    chat(openai_client(emulator))

    (span,) = genai_spans(telemetry)
    assert not [key for key in span.attributes if key.startswith("gen_ai.usage.")]
    assert points(telemetry, TOKENS) == []
    assert points(telemetry, DURATION)


def test_track_latency_off(emulator, telemetry, agentops_client):
    configure(agentops_client, telemetry, llm_config={**SEED_CONFIG, "track_latency": False})
    client = openai_client(emulator)
    chat(client)
    for _ in chat(client, stream=True):
        pass

    assert len(genai_spans(telemetry)) == 2
    metrics = telemetry.metrics()
    for name in (
        DURATION,
        "gen_ai.client.operation.time_to_first_chunk",
        "gen_ai.client.operation.time_per_output_chunk",
    ):
        assert metrics.get(name, []) == [], name
    assert metrics[TOKENS]


def test_track_costs_off(emulator, telemetry, agentops_client):
    configure(agentops_client, telemetry, llm_config={**SEED_CONFIG, "track_costs": False})
    chat(openai_client(emulator))

    (span,) = genai_spans(telemetry)
    assert not [key for key in span.attributes if key.startswith("agentops.cost.")]
    assert "agentops.client.cost" not in telemetry.metrics()


def test_configure_again_does_not_instrument_twice(emulator, telemetry, agentops_client):
    configure(agentops_client, telemetry, llm_config=SEED_CONFIG)
    configure(agentops_client, telemetry, llm_filters={"openai": ["gpt-4"]})
    configure(agentops_client, telemetry)
    chat(openai_client(emulator))

    assert len(genai_spans(telemetry)) == 1
    cost_processors = [
        processor
        for processor in telemetry.tracer_provider._active_span_processor._span_processors
        if type(processor).__name__ == "CostSpanProcessor"
    ]
    assert len(cost_processors) == 1


def test_configure_again_applies_new_switches(emulator, telemetry, agentops_client):
    configure(agentops_client, telemetry, llm_config=SEED_CONFIG)
    client = openai_client(emulator)
    chat(client)
    configure(agentops_client, telemetry, llm_config={"track_tokens": False})
    chat(client)

    first, second = genai_spans(telemetry)
    assert "gen_ai.usage.input_tokens" in first.attributes
    assert "gen_ai.usage.input_tokens" not in second.attributes
    # The costs switch was not part of the second call: it stays on.
    assert second.attributes[AGENTOPS_COST_STATUS] == "no_usage"


def test_semconv_provider_names_are_accepted(telemetry, agentops_client, caplog):
    with caplog.at_level(logging.WARNING, logger="agentops"):
        configure(agentops_client, telemetry, llm_config={"providers": ["OpenAI", "mistral_ai"]})
    assert not [r for r in caplog.records if "unknown" in r.getMessage()]
    assert agentops_client._providers == ("openai", "mistral")


def test_only_listed_providers_are_instrumented(emulator, telemetry, agentops_client):
    configure(agentops_client, telemetry, llm_config={"providers": ["anthropic"]})
    chat(openai_client(emulator))
    assert genai_spans(telemetry) == []


def test_unknown_llm_config_key_warns(telemetry, agentops_client, caplog):
    with caplog.at_level(logging.WARNING, logger="agentops"):
        configure(agentops_client, telemetry, llm_config={"track_toknes": False})
    assert any("track_toknes" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    "config",
    [{"track_tokens": "no"}, {"track_costs": 0}, {"providers": 3}],
)
def test_malformed_llm_config_raises(telemetry, agentops_client, config):
    with pytest.raises(TypeError):
        configure(agentops_client, telemetry, llm_config=config)


def test_uninstrument_stops_tracing_and_restores_hooks(emulator, telemetry):
    before = (list(hooks.request_filters), list(hooks.pre_call_checks), hooks.signals.tokens)
    client = Client()
    configure(client, telemetry, llm_config={"track_tokens": False}, llm_filters={"openai": []})
    client.uninstrument()
    chat(openai_client(emulator))

    assert genai_spans(telemetry) == []
    assert (list(hooks.request_filters), list(hooks.pre_call_checks), hooks.signals.tokens) == (
        before
    )


def test_repr_has_no_secret(telemetry, agentops_client):
    configure(agentops_client, telemetry, api_key="sk-agentops-secret-123456")
    assert "sk-agentops" not in repr(agentops_client)
