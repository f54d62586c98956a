"""Which provider an OpenAI-compatible client is talking to, from its base URL.

The OpenAI SDK (and every SDK built the same way) talks to OpenAI, Azure OpenAI and many
OpenAI-compatible servers; the base URL says which, so cost is priced with the right
provider's prices. Hosts and ports come from the provider registry
(``agentops_semconv.PROVIDERS``). Azure is also recognised by its request shape (an
``api-version`` query parameter, ``/openai/deployments/`` paths), which covers API gateways
in front of it. Any other host keeps the SDK's own provider name: the API it speaks.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit
from weakref import WeakKeyDictionary

from agentops_semconv import PROVIDERS, ProviderName
from opentelemetry.instrumentation.agentops.core._endpoint import server_from_url

__all__ = ["Endpoint", "endpoint_of_client", "provider_of_url"]

Endpoint = tuple[str, str | None, int | None]
"""Provider name, server address, server port."""

_EXACT_HOSTS: Final = {host: row.name for row in PROVIDERS for host in row.hosts if host[0] != "."}
_HOST_SUFFIXES: Final = tuple(
    (host, row.name) for row in PROVIDERS for host in row.hosts if host[0] == "."
)
_PORTS: Final = {row.port: row.name for row in PROVIDERS if row.port is not None}
# Azure API Management: the usual gateway in front of Azure OpenAI.
_AZURE_GATEWAY: Final = ".azure-api.net"
_AZURE_PATH: Final = "/openai/deployments"
_AZURE_QUERY: Final = "api-version"


@lru_cache(maxsize=256)
def provider_of_url(base_url: str, default: str) -> Endpoint:
    """Provider, host and port for ``base_url``; ``default`` when the host is not known."""
    host, port = server_from_url(base_url)
    provider = default
    if host:
        name = host.lower()
        known = _EXACT_HOSTS.get(name)
        if known is None:
            known = next((p for suffix, p in _HOST_SUFFIXES if name.endswith(suffix)), None)
        if known is None and (name.endswith(_AZURE_GATEWAY) or _azure_shaped(base_url)):
            known = ProviderName.AZURE_OPENAI
        if known is None and port is not None:
            known = _PORTS.get(port)
        if known is not None:
            provider = known
    return provider, host, port


def _azure_shaped(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return _AZURE_PATH in parts.path or _AZURE_QUERY in parse_qs(parts.query)


# Per client: the base URL object last seen and its endpoint. Turning the URL into a string
# costs more than everything else a request mapping does, and it rarely changes.
_by_client: WeakKeyDictionary[Any, tuple[Any, Endpoint]] = WeakKeyDictionary()


def endpoint_of_client(client: Any, default: str) -> Endpoint:
    """Endpoint of an SDK client with a public ``base_url`` (and ``default_query``)."""
    base_url = getattr(client, "base_url", None)
    if base_url is None:
        return default, None, None
    try:
        seen = _by_client.get(client)
    except TypeError:  # not weak-referenceable
        return _endpoint(client, base_url, default)
    if seen is not None and seen[0] is base_url:
        return seen[1]
    endpoint = _endpoint(client, base_url, default)
    _by_client[client] = (base_url, endpoint)
    return endpoint


def _endpoint(client: Any, base_url: Any, default: str) -> Endpoint:
    url = str(base_url)
    query = getattr(client, "default_query", None)
    if isinstance(query, Mapping) and _AZURE_QUERY in query and _AZURE_QUERY not in url:
        # AzureOpenAI keeps its api-version in the client's default query, not the URL.
        provider, host, port = provider_of_url(url, default)
        if provider == default:
            provider = ProviderName.AZURE_OPENAI
        return provider, host, port
    return provider_of_url(url, default)
