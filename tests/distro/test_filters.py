"""``configure(llm_filters=...)``: listed models are recorded, others leave no trace at all."""

from __future__ import annotations

import logging

import pytest
import test_client_helpers as helpers
from agentops.filters import ModelFilter
from opentelemetry.instrumentation.agentops.core import Request, hooks
from test_client_helpers import (
    DURATION,
    TOKENS,
    async_openai_client,
    chat,
    configure,
    genai_spans,
    openai_client,
    points,
)

# Fixtures shared through the helpers module (pytest finds them by name here).
_isolated_hooks = helpers._isolated_hooks
agentops_client = helpers.agentops_client

SEED_FILTERS = {
    "openai": ["gpt-4", "gpt-3.5-turbo"],
    "anthropic": ["claude-3"],
    "cohere": ["command", "command-light"],
}


def request(provider: str, model: str | None) -> Request:
    return Request(provider=provider, operation="chat", model=model)


def test_listed_model_is_traced_unlisted_model_leaves_nothing(emulator, telemetry, agentops_client):
    configure(agentops_client, telemetry, llm_filters=SEED_FILTERS)
    client = openai_client(emulator)
    chat(client, model="gpt-4")
    chat(client, model="o3-mini")
    client.embeddings.create(model="text-embedding-3-small", input="not monitored")

    (span,) = genai_spans(telemetry)
    assert span.attributes["gen_ai.request.model"] == "gpt-4"
    models = {p.attributes["gen_ai.request.model"] for p in points(telemetry, DURATION)}
    assert models == {"gpt-4"}
    assert {p.attributes["gen_ai.request.model"] for p in points(telemetry, TOKENS)} == {"gpt-4"}
    # The filtered calls still ran: the caller got its answers.
    assert len(emulator.requests) == 3


def test_prefix_match_covers_dated_and_variant_models(emulator, telemetry, agentops_client):
    configure(agentops_client, telemetry, llm_filters={"openai": ["gpt-3.5-turbo"]})
    client = openai_client(emulator)
    chat(client, model="gpt-3.5-turbo-0125")
    chat(client, model="GPT-3.5-TURBO-16k")
    chat(client, model="gpt-4o-mini")

    models = [span.attributes["gen_ai.request.model"] for span in genai_spans(telemetry)]
    assert models == ["gpt-3.5-turbo-0125", "GPT-3.5-TURBO-16k"]


async def test_async_calls_are_filtered_too(emulator, telemetry, agentops_client):
    configure(agentops_client, telemetry, llm_filters={"openai": ["gpt-4o"]})
    client = async_openai_client(emulator)
    await client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "a"}]
    )
    await client.chat.completions.create(model="o1", messages=[{"role": "user", "content": "b"}])

    assert [s.attributes["gen_ai.request.model"] for s in genai_spans(telemetry)] == ["gpt-4o-mini"]
    await client.close()


def test_streams_of_unlisted_models_are_untouched(emulator, telemetry, agentops_client):
    configure(agentops_client, telemetry, llm_filters={"openai": ["gpt-4"]})
    stream = chat(openai_client(emulator), model="o3-mini", stream=True)
    text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)

    assert text.startswith("Emulated reply")
    assert genai_spans(telemetry) == []
    assert telemetry.metrics().get("gen_ai.client.operation.time_to_first_chunk", []) == []
    # Nothing asked the provider for usage on a call we do not record.
    assert "stream_options" not in emulator.requests[-1].body


def test_reconfiguring_filters_replaces_them(emulator, telemetry, agentops_client):
    configure(agentops_client, telemetry, llm_filters={"openai": ["gpt-4"]})
    configure(agentops_client, telemetry, llm_filters={"openai": ["o3"]})
    client = openai_client(emulator)
    chat(client, model="gpt-4")
    chat(client, model="o3-mini")
    assert [s.attributes["gen_ai.request.model"] for s in genai_spans(telemetry)] == ["o3-mini"]

    configure(agentops_client, telemetry, llm_filters={})
    chat(client, model="gpt-4")
    assert len(genai_spans(telemetry)) == 2


def test_filter_is_registered_once(telemetry, agentops_client):
    configure(agentops_client, telemetry, llm_filters=SEED_FILTERS)
    configure(agentops_client, telemetry, llm_filters=SEED_FILTERS)
    assert hooks.request_filters.count(agentops_client._filter) == 1


def test_claude_3_covers_dated_models():
    keep = ModelFilter(SEED_FILTERS)
    assert keep(request("anthropic", "claude-3-opus-20240229"))
    assert keep(request("anthropic", "claude-3-5-sonnet-latest"))
    assert not keep(request("anthropic", "claude-2.1"))


def test_unlisted_providers_are_not_filtered():
    keep = ModelFilter(SEED_FILTERS)
    assert keep(request("groq", "llama-3.1-8b-instant"))
    assert keep(request("mistral_ai", "mistral-large-latest"))


def test_seed_names_map_to_semconv_provider_values():
    keep = ModelFilter({"mistral": ["mistral-small"], "openai": ["gpt-4"]})
    assert keep(request("mistral_ai", "mistral-small-latest"))
    assert not keep(request("mistral_ai", "mistral-large-latest"))
    # Azure OpenAI counts as openai.
    assert keep(request("azure.ai.openai", "gpt-4-turbo"))
    assert not keep(request("azure.ai.openai", "o1"))
    assert keep.rules["azure.ai.openai"] == ("gpt-4",)


def test_command_covers_command_light_and_r():
    keep = ModelFilter(SEED_FILTERS)
    for model in ("command", "command-light", "command-r-plus"):
        assert keep(request("cohere", model))
    assert not keep(request("cohere", "embed-english-v3.0"))


def test_listed_provider_with_unknown_model_is_not_recorded():
    keep = ModelFilter({"openai": ["gpt-4"]})
    assert not keep(request("openai", None))


def test_provider_listed_with_no_models_records_nothing():
    keep = ModelFilter({"openai": []})
    assert not keep(request("openai", "gpt-4"))


def test_a_lone_string_is_one_model():
    keep = ModelFilter({"openai": "gpt-4"})
    assert keep.rules["openai"] == ("gpt-4",)


def test_unknown_provider_key_warns_once(caplog):
    with caplog.at_level(logging.WARNING, logger="agentops"):
        ModelFilter({"bedrock-claude": ["x"]})
        ModelFilter({"bedrock-claude": ["y"]})
    warnings = [r for r in caplog.records if "bedrock-claude" in r.getMessage()]
    assert len(warnings) == 1
    assert "openai" in warnings[0].getMessage()


def test_non_string_model_raises():
    with pytest.raises(TypeError):
        ModelFilter({"openai": [4]})
