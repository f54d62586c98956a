"""What a call learns from the SDK client behind a resource (``client.chat``, ``client.fim``).

Every resource of the Speakeasy-generated SDK holds the client's ``sdk_configuration`` (a
public attribute, in 1.x and in the ``mistralai.client`` layout alike): the server it talks to
(``server_url=``, or the named server, ``https://api.mistral.ai`` by default), the security
(the API key) and the HTTP clients, whose headers the application may have filled.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Final

from opentelemetry.instrumentation.agentops.core import server_from_url

__all__ = ["credentials", "server_of"]

# The SDK falls back to this variable when the client was given no key.
_API_KEY_ENV: Final = "MISTRAL_API_KEY"
# Headers every HTTP client sends by itself: not values the application gave it.
_TRANSPORT_HEADERS: Final = frozenset(
    {"accept", "accept-encoding", "connection", "content-type", "user-agent"}
)


def server_of(resource: Any, arguments: Mapping[str, Any]) -> tuple[str | None, int | None]:
    """Host and port the call goes to: a per-call ``server_url``, else the client's server."""
    url = arguments.get("server_url")
    if not isinstance(url, str) or not url:
        try:
            url = resource.sdk_configuration.get_server_details()[0]
        except Exception:  # no configuration, or a server name the SDK rejects itself
            return None, None
    return server_from_url(url) if isinstance(url, str) else (None, None)


def credentials(resource: Any) -> list[str]:
    """The API key and the header values the client's HTTP clients were given."""
    config = getattr(resource, "sdk_configuration", None)
    values: list[str] = []
    security = getattr(config, "security", None)
    # A callable is the application's own key source: never called from here.
    key = None if callable(security) else getattr(security, "api_key", None)
    for value in (key, os.environ.get(_API_KEY_ENV)):
        if isinstance(value, str) and value:
            values.append(value)
    for name in ("client", "async_client"):
        headers = getattr(getattr(config, name, None), "headers", None)
        if not isinstance(headers, Mapping):
            continue
        for header, value in headers.items():
            if isinstance(value, str) and str(header).lower() not in _TRANSPORT_HEADERS:
                values.append(value)
    return list(dict.fromkeys(values))
