"""What the LiteLLM package reads from LiteLLM beyond call arguments, checked against the
installed release; and how the package presents itself to OpenTelemetry."""

from __future__ import annotations

from importlib.metadata import entry_points

from agentops_semconv.providers import sdk_requirement
from opentelemetry.instrumentation.agentops.litellm import LiteLLMInstrumentor
from opentelemetry.instrumentation.agentops.litellm._compat import route_of
from opentelemetry.instrumentation.agentops.litellm._providers import endpoint_of


def test_litellm_names_where_a_model_string_goes():
    assert route_of("anthropic/claude-3-5-haiku", None, None)[:2] == (
        "anthropic",
        "claude-3-5-haiku",
    )
    assert route_of("gpt-4o-mini", None, None)[:2] == ("openai", "gpt-4o-mini")
    assert route_of("my-model", "openai", "http://h:1/v1") == (
        "openai",
        "my-model",
        "http://h:1/v1",
    )
    # A default base URL where LiteLLM has one for the provider.
    assert route_of("groq/x", None, None).api_base == "https://api.groq.com/openai/v1"


def test_provider_names_come_from_the_registry():
    assert endpoint_of("anthropic/claude-3-5-haiku", None, None).provider == "anthropic"
    assert endpoint_of("mistral/mistral-small", None, None).provider == "mistral_ai"
    assert endpoint_of("cohere_chat/command-r", None, None).provider == "cohere"
    assert endpoint_of("azure/my-deployment", None, None).provider == "azure.ai.openai"
    assert endpoint_of("ollama_chat/qwen2.5", None, None).provider == "ollama"
    groq = endpoint_of("groq/gemma2-9b-it", None, None)
    assert (groq.provider, groq.server_address, groq.server_port) == ("groq", "api.groq.com", 443)
    # OpenAI's API on another server: named by its host, as the OpenAI package names it.
    assert endpoint_of("openai/x", None, "https://api.deepseek.com/v1").provider == "deepseek"
    assert endpoint_of("openai/x", None, "http://127.0.0.1:8000/v1").provider == "openai"
    # A provider the registry does not know (a model name LiteLLM cannot place at all).
    assert endpoint_of("not-a-provider/x", None, None).provider == "litellm"


def test_the_entry_point_loads_the_instrumentor():
    (entry,) = [e for e in entry_points(group="opentelemetry_instrumentor") if e.name == "litellm"]
    assert entry.load() is LiteLLMInstrumentor


def test_dependencies_are_the_registry_range():
    assert tuple(LiteLLMInstrumentor().instrumentation_dependencies()) == (
        sdk_requirement("litellm"),
    )
    assert sdk_requirement("litellm") == "litellm >=1.53.4,<2"
