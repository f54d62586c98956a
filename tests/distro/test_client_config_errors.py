"""``Client.configure`` with configuration mistakes: a clear exception, and nothing changed.

Each rejected call is followed by real openai calls against the emulator, to show that the
settings in force before it (filters, switches, providers, limits) still apply.
"""

from __future__ import annotations

import importlib.metadata
import logging

import pytest
import test_client_helpers as helpers
from agentops import CostLimit
from agentops.instrumentor import AgentOpsInstrumentor
from test_client_helpers import TOKENS, chat, configure, genai_spans, openai_client, points

_isolated_hooks = helpers._isolated_hooks
agentops_client = helpers.agentops_client

KNOWN = ("openai", "anthropic", "cohere", "mistral", "ai21", "groq", "ollama", "litellm")


@pytest.mark.parametrize(
    ("typo", "meant"),
    [("opnai", "openai"), ("antropic", "anthropic"), ("Mistrall", "mistral"), ("olama", "ollama")],
)
def test_a_typo_of_a_provider_is_a_value_error_with_the_closest_match(
    telemetry, agentops_client, typo, meant
):
    with pytest.raises(ValueError) as raised:
        configure(agentops_client, telemetry, llm_config={"providers": ["openai", typo]})

    message = str(raised.value)
    assert f"unknown provider {typo!r}" in message
    assert f"did you mean {meant!r}?" in message
    for known in KNOWN:
        assert known in message


def test_an_unknown_provider_without_a_close_match_names_the_known_ones(telemetry, agentops_client):
    with pytest.raises(ValueError) as raised:
        configure(agentops_client, telemetry, llm_config={"providers": ["bedrock"]})
    message = str(raised.value)
    assert "unknown provider 'bedrock'" in message
    assert "did you mean" not in message
    assert "known providers: " + ", ".join(KNOWN) in message


def test_a_listed_provider_without_its_sdk_is_a_warning(
    telemetry, agentops_client, caplog, monkeypatch
):
    # The development environment has every SDK: make cohere's distribution unfindable.
    real_version = importlib.metadata.version

    def version(name: str) -> str:
        if name == "cohere":
            raise importlib.metadata.PackageNotFoundError(name)
        return real_version(name)

    monkeypatch.setattr("agentops.providers.version", version)
    with caplog.at_level(logging.WARNING, logger="agentops"):
        configure(agentops_client, telemetry, llm_config={"providers": ["openai", "cohere"]})

    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("cohere is listed but its SDK (cohere) is not installed" in w for w in warnings)
    assert AgentOpsInstrumentor().instrumented_providers() == ("openai",)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (["gpt-4"], "llm_filters must be a dict of provider name to model name prefixes"),
        ("openai", "llm_filters must be a dict of provider name to model name prefixes"),
        ({"openai": 4}, "llm_filters['openai'] must be a list of model name prefixes"),
        ({"openai": {"models": ["gpt-4"]}}, "llm_filters['openai'] must be a list of model"),
        ({"openai": ["gpt-4", 3]}, "llm_filters['openai']: model names must be strings"),
        ({3: ["gpt-4"]}, "got the key 3 (int), provider names are strings"),
    ],
)
def test_filters_of_the_wrong_shape_are_a_type_error_showing_the_shape(
    telemetry, agentops_client, filters, expected
):
    with pytest.raises(TypeError) as raised:
        configure(agentops_client, telemetry, llm_filters=filters)
    message = str(raised.value)
    assert expected in message
    # The expected shape is shown with an example.
    assert "'gpt-4', 'gpt-3.5-turbo'" in message or "model names must be strings" in message


def test_a_rejected_call_leaves_every_setting_as_it_was(emulator, telemetry, agentops_client):
    configure(
        agentops_client,
        telemetry,
        llm_config={"providers": ["openai"], "track_tokens": False},
        llm_filters={"openai": ["gpt-4o"]},
        cost_limits=[CostLimit("daily", 100.0)],
    )
    rejected = [
        # Valid parts first, the mistake last: none of them may be applied.
        {"llm_config": {"track_tokens": True, "providers": ["opnai"]}},
        {"llm_config": {"track_tokens": True}, "llm_filters": {"openai": 4}},
        {"llm_filters": {"openai": ["gpt-3.5"]}, "cost_limits": [{"name": "x"}]},
        {"llm_config": {"track_latency": False}, "cost_limits": {"name": "x", "limit_usd": 1}},
    ]
    for arguments in rejected:
        with pytest.raises((TypeError, ValueError)):
            configure(agentops_client, telemetry, **arguments)

    assert agentops_client.llm_filters == {
        "openai": ("gpt-4o",),
        "azure.ai.openai": ("gpt-4o",),
    }
    assert [limit.name for limit in agentops_client.cost_limits] == ["daily"]
    client = openai_client(emulator)
    chat(client, model="gpt-4o-mini")  # recorded: "gpt-4o" covers it
    chat(client, model="gpt-3.5-turbo")  # filtered out, as before the rejected calls
    (span,) = genai_spans(telemetry)
    assert span.attributes["gen_ai.request.model"] == "gpt-4o-mini"
    assert "gen_ai.usage.input_tokens" not in span.attributes  # track_tokens still False
    assert points(telemetry, TOKENS) == []
