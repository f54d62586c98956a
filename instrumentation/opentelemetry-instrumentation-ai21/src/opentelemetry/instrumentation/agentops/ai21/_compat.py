"""The AI21 package's uses of private SDK attributes, checked by a contract test.

A resource (``client.chat.completions``, ``client.completion``) holds the HTTP client it posts
through as ``_client``; that client keeps the base URL, the API key and the headers it was
given in private attributes, and the SDK offers no public way to read them:

- ai21 2.0 to 2.4: ``_client`` is an ``AI21HTTPClient`` whose public ``get_base_url()``
  builds ``{api_host}/studio/v1``; the key is ``_api_key``, the caller's headers ``_headers``.
- ai21 2.5 and later: ``_client`` is an HTTP client (in later 2.x releases and since, the
  ``AI21Client`` itself) with ``_base_url`` (the full URL since 2.5.1), ``_api_key`` and
  ``_headers`` (which, in those later releases, include the ``Authorization`` header).

If an upgrade removes them, calls are still traced (without ``server.address``; error
messages are still scrubbed of key-like text) and
``tests/instrumentation/ai21/test_ai21_compat.py`` fails loudly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

__all__ = ["base_url_of", "client_of", "secrets_of"]

# Headers the SDK builds itself: not values the caller gave the client.
_SDK_HEADERS: Final = frozenset({"content-type", "user-agent", "accept"})


def client_of(resource: Any) -> Any:
    """The HTTP client behind a resource object, or None."""
    return getattr(resource, "_client", None)


def base_url_of(client: Any) -> str | None:
    """The URL the client prefixes every path with, or None."""
    url = getattr(client, "_base_url", None)
    if isinstance(url, str):
        return url
    get_base_url = getattr(client, "get_base_url", None)
    if callable(get_base_url):
        url = get_base_url()
        return url if isinstance(url, str) else None
    return None


def secrets_of(client: Any) -> list[str]:
    """The API key and the header values the client was given (bearer tokens unwrapped)."""
    values: list[str] = []
    key = getattr(client, "_api_key", None)
    if isinstance(key, str) and key:
        values.append(key)
    headers = getattr(client, "_headers", None)
    if isinstance(headers, Mapping):
        for name, value in headers.items():
            if not isinstance(name, str) or name.lower() in _SDK_HEADERS:
                continue
            if isinstance(value, str) and value:
                values.append(value)
                scheme, _, token = value.partition(" ")
                if token and scheme.lower() == "bearer":
                    values.append(token)
    return values
