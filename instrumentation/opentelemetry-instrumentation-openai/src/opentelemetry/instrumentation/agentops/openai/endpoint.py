"""Provider name and server address of the client a call was made on.

The same SDK talks to OpenAI, Azure OpenAI and many OpenAI-compatible servers; the base URL
says which. Hosts not listed here are reported as ``openai``: the API they speak.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from weakref import WeakKeyDictionary

from agentops_semconv import ProviderName
from opentelemetry.instrumentation.agentops.core import server_from_url

__all__ = ["Endpoint", "endpoint_of"]

Endpoint = tuple[str, str | None, int | None]
"""Provider name, server address, server port."""

_HOST_SUFFIXES: tuple[tuple[str, str], ...] = (
    (".openai.azure.com", ProviderName.AZURE_OPENAI),
    (".cognitiveservices.azure.com", ProviderName.AZURE_OPENAI),
    (".services.ai.azure.com", ProviderName.AZURE_OPENAI),
    ("api.groq.com", ProviderName.GROQ),
    ("api.deepseek.com", ProviderName.DEEPSEEK),
    ("api.x.ai", ProviderName.X_AI),
    ("api.perplexity.ai", ProviderName.PERPLEXITY),
    ("api.mistral.ai", ProviderName.MISTRAL),
)


@lru_cache(maxsize=256)
def _endpoint_of_url(base_url: str) -> Endpoint:
    host, port = server_from_url(base_url)
    provider = ProviderName.OPENAI
    if host:
        for suffix, name in _HOST_SUFFIXES:
            if host.endswith(suffix):
                provider = name
                break
    return provider, host, port


# Per client: the base URL object last seen and its endpoint. Turning the URL into a string
# costs more than everything else a request mapping does, and it rarely changes.
_by_client: WeakKeyDictionary[Any, tuple[Any, Endpoint]] = WeakKeyDictionary()


def endpoint_of(resource: Any) -> Endpoint:
    """Endpoint of an SDK resource object (``client.chat.completions`` and the like)."""
    client = getattr(resource, "_client", None)
    base_url = getattr(client, "base_url", None)
    if base_url is None:
        return ProviderName.OPENAI, None, None
    try:
        seen = _by_client.get(client)
    except TypeError:  # not weak-referenceable
        return _endpoint_of_url(str(base_url))
    if seen is not None and seen[0] is base_url:
        return seen[1]
    endpoint = _endpoint_of_url(str(base_url))
    _by_client[client] = (base_url, endpoint)
    return endpoint
