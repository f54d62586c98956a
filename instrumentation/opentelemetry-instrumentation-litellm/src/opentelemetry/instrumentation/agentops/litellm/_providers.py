"""Which provider a LiteLLM call reaches, named as the direct instrumentations name it.

LiteLLM's provider names (the ``prefix/`` of its model strings) map onto
``gen_ai.provider.name`` values through the provider registry's ``litellm_prefixes``, so a
call to ``anthropic/claude-...`` is ``anthropic`` whether it went through LiteLLM or the
Anthropic SDK, and dashboards, filters and cost do not depend on the route. OpenAI's prefixes
speak OpenAI's API to whatever base URL they are given: the base URL names the server as it
does for the OpenAI SDK (Azure, Groq, DeepSeek, ... by host; anything else stays ``openai``).
A provider the registry does not know is reported as ``litellm``.
"""

from __future__ import annotations

from typing import Final, NamedTuple

from agentops_semconv import PROVIDERS, ProviderName
from opentelemetry.instrumentation.agentops.core import server_from_url
from opentelemetry.instrumentation.agentops.core.openai_compatible import provider_of_url
from opentelemetry.instrumentation.agentops.litellm._compat import route_of

__all__ = ["Endpoint", "endpoint_of"]

_BY_PREFIX: Final = {prefix: row.name for row in PROVIDERS for prefix in row.litellm_prefixes}
_OPENAI_PREFIXES: Final = frozenset(
    prefix
    for row in PROVIDERS
    if row.name == ProviderName.OPENAI
    for prefix in row.litellm_prefixes
)


class Endpoint(NamedTuple):
    provider: str
    """``gen_ai.provider.name``."""
    litellm_provider: str | None
    """LiteLLM's own name for it (the model prefix)."""
    model: str
    """The model as the provider is sent it (LiteLLM's prefix removed)."""
    server_address: str | None
    server_port: int | None


def endpoint_of(model: str, custom_llm_provider: str | None, api_base: str | None) -> Endpoint:
    """Where a LiteLLM call for ``model`` goes (``custom_llm_provider`` and ``api_base`` as
    the caller, or the Router's deployment, passed them)."""
    route = route_of(model, custom_llm_provider, api_base)
    litellm_provider = route.provider
    host, port = server_from_url(route.api_base) if route.api_base else (None, None)
    provider = _BY_PREFIX.get(litellm_provider or "", ProviderName.LITELLM)
    if litellm_provider in _OPENAI_PREFIXES and route.api_base:
        provider = provider_of_url(route.api_base, ProviderName.OPENAI)[0]
    return Endpoint(provider, litellm_provider, route.model, host, port)


def provider_model(model: str | None, litellm_provider: str | None) -> str | None:
    """A response's model as the provider named it: LiteLLM prefixes some with its provider
    name (``ollama/llama3.2``)."""
    if model is not None and litellm_provider and model.startswith(f"{litellm_provider}/"):
        return model[len(litellm_provider) + 1 :]
    return model
