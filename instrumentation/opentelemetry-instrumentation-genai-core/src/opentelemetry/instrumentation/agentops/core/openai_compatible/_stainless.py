"""What every Stainless-generated SDK shares (openai, anthropic, groq): how its methods are
patched, which calls hand the caller raw bytes, and which values a client was given."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final
from urllib.parse import urlsplit

from opentelemetry.instrumentation.agentops.core._mapper import Mapper
from opentelemetry.instrumentation.agentops.core._patch import CallShape, Patch

__all__ = ["RAW_RESPONSE_HEADER", "is_raw_call", "stainless_credentials", "stainless_patches"]

RAW_RESPONSE_HEADER: Final = "x-stainless-raw-response"
"""Set by ``with_raw_response`` (``true``) and ``with_streaming_response`` (``stream``)."""

# Headers the SDK itself sends on every request: not values the user gave the client.
_SDK_HEADERS: Final = ("x-stainless-", "user-agent", "accept", "content-type")


def stainless_patches(
    module: str, sync_class: str, async_class: str, methods: Iterable[str], mapper: Mapper[Any]
) -> Iterator[Patch]:
    """Patches for a resource's sync and async classes. The async methods are ``async def``
    under a plain ``def`` decorator (``required_args``), so their shape is stated."""
    for method in methods:
        yield Patch(module, f"{sync_class}.{method}", mapper)
        yield Patch(module, f"{async_class}.{method}", mapper, shape=CallShape.COROUTINE)


def is_raw_call(kwargs: Mapping[str, Any]) -> bool:
    """Whether the caller reads this call's HTTP body as it streams in (``with_streaming_
    response``, marked by the SDK with ``x-stainless-raw-response: stream``): its bytes must
    be exactly what the server sends for the caller's request. ``with_raw_response`` calls
    (marked ``true``) are read through ``parse()`` and are not raw in this sense."""
    headers = kwargs.get("extra_headers")
    if not isinstance(headers, Mapping):
        return False
    return any(
        isinstance(name, str)
        and name.lower() == RAW_RESPONSE_HEADER
        and str(value).lower() == "stream"
        for name, value in headers.items()
    )


def stainless_credentials(client: Any) -> list[str]:
    """The key, auth headers, custom headers and URL credentials a client was given."""
    values: list[str] = []
    for name in ("api_key", "auth_token", "bearer_token"):
        value = getattr(client, name, None)
        if isinstance(value, str) and value:
            values.append(value)
    for headers_name in ("auth_headers", "default_headers"):
        try:
            headers = getattr(client, headers_name, None)
        except Exception:
            headers = None
        if not isinstance(headers, Mapping):
            continue
        for header, value in headers.items():
            if not isinstance(value, str) or not isinstance(header, str):
                continue
            if header.lower().startswith(_SDK_HEADERS):
                continue
            values.append(value)
            scheme, _, token = value.partition(" ")
            if token and scheme.lower() in ("bearer", "basic", "token"):
                values.append(token)
    base_url = getattr(client, "base_url", None)
    if base_url is not None:
        try:
            parts = urlsplit(str(base_url))
        except ValueError:
            parts = None
        if parts is not None:
            values.extend(v for v in (parts.username, parts.password) if v)
    return values
