"""What every Ollama call shares: the server its client talks to, the values the client was
given, and the request fields of the ``options`` and ``format`` arguments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final
from weakref import WeakKeyDictionary

from agentops_semconv import ProviderName
from opentelemetry.instrumentation.agentops.core import Call, Request, server_from_url
from opentelemetry.instrumentation.agentops.core.values import (
    as_float,
    as_int,
    as_str,
    as_str_list,
    field,
)
from opentelemetry.instrumentation.agentops.ollama._compat import http_client_of
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as GenAI

__all__ = ["credentials_of", "new_request", "option_params", "output_type_of", "server_of"]

_JSON: Final = GenAI.GenAiOutputTypeValues.JSON.value
# Headers the SDK and httpx send on every request: not values the user gave the client.
_SDK_HEADERS: Final = frozenset(
    {"accept", "accept-encoding", "connection", "content-type", "user-agent"}
)

Server = tuple[str | None, int | None]

# Per client: the base URL object last seen and its server. Turning an httpx URL into a
# string costs about 2 us, more than the rest of a request mapping; it rarely changes.
_servers: WeakKeyDictionary[Any, tuple[Any, Server]] = WeakKeyDictionary()


def server_of(client: Any) -> Server:
    """``server.address`` and ``server.port`` of the base URL the client resolved (from its
    ``host``, or ``OLLAMA_HOST`` when it was built)."""
    base_url = getattr(http_client_of(client), "base_url", None)
    if base_url is None:
        return None, None
    try:
        seen = _servers.get(client)
    except TypeError:  # not weak-referenceable
        return server_from_url(str(base_url))
    if seen is not None and seen[0] is base_url:
        return seen[1]
    server = server_from_url(str(base_url))
    _servers[client] = (base_url, server)
    return server


def credentials_of(client: Any) -> list[str]:
    """The header values the client sends beyond the SDK's own (``headers=``, the bearer
    header ``OLLAMA_API_KEY`` adds), their tokens, and credentials in its base URL."""
    http = http_client_of(client)
    values: list[str] = []
    headers = getattr(http, "headers", None)
    if isinstance(headers, Mapping):
        for name, value in headers.items():
            if not isinstance(name, str) or not isinstance(value, str):
                continue
            if name.lower() in _SDK_HEADERS:
                continue
            values.append(value)
            token = value.partition(" ")[2]
            if token:
                values.append(token)
    base_url = getattr(http, "base_url", None)
    for part in (getattr(base_url, "username", None), getattr(base_url, "password", None)):
        if isinstance(part, str) and part:
            values.append(part)
    return values


def new_request(call: Call, operation: str) -> Request[None]:
    arguments = call.arguments
    host, port = server_of(call.instance)
    return Request(
        provider=ProviderName.OLLAMA,
        operation=operation,
        # As given, tags and all (``llama3.2:3b``); the SDK's default "" names no model.
        model=as_str(arguments.get("model")) or None,
        server_address=host,
        server_port=port,
        stream=arguments.get("stream") is True,
    )


def option_params(request: Request[None], options: Any) -> None:
    """Sampling parameters of the ``options`` argument (a dict, or an ``Options`` model)."""
    if options is None:
        return
    request.temperature = as_float(field(options, "temperature"))
    request.top_p = as_float(field(options, "top_p"))
    request.top_k = as_float(field(options, "top_k"))
    request.frequency_penalty = as_float(field(options, "frequency_penalty"))
    request.presence_penalty = as_float(field(options, "presence_penalty"))
    request.seed = as_int(field(options, "seed"))
    request.stop_sequences = as_str_list(field(options, "stop"))
    # -1 (and -2) mean no limit, not a limit of minus one.
    limit = as_int(field(options, "num_predict"))
    request.max_tokens = limit if limit is not None and limit >= 0 else None


def output_type_of(fmt: Any) -> str | None:
    """``json`` for ``format="json"`` or a JSON schema; None when no format was asked for."""
    if fmt == "json" or isinstance(fmt, Mapping):
        return _JSON
    return None
