"""The Anthropic package's uses of private SDK names, checked by a contract test.

- SDK resources (``client.messages``) hold their client as ``_client`` (every
  Stainless-generated SDK does); there is no public way from a resource to the client whose
  base URL and credentials the call will use. If an SDK upgrade removes it, calls are still
  traced (provider ``anthropic``, no server address).
- The SDK's own tracer scopes (anthropic >= 1.14, ``anthropic/_tracing.py`` and the platform
  clients' ``_otel_platform``) are not exported; they are written out here.

``tests/instrumentation/anthropic/test_anthropic_compat.py`` fails loudly when either changes.
"""

from __future__ import annotations

from typing import Any, Final

__all__ = ["NATIVE_SCOPES", "NATIVE_TRACING_ENV", "client_of"]

_SDK_SCOPE: Final = "com.anthropic.sdk.python"
_PLATFORMS: Final = ("aws", "bedrock", "foundry", "google_cloud", "vertex")

NATIVE_SCOPES: Final = (_SDK_SCOPE, *(f"{_SDK_SCOPE}.{platform}" for platform in _PLATFORMS))
"""The tracer scopes of the SDK's own spans: ``Anthropic`` clients and the platform clients
(``AnthropicBedrock``, ``AnthropicVertex``, ``AnthropicFoundry``, ...)."""

NATIVE_TRACING_ENV: Final = {"ANTHROPIC_OPEN_TELEMETRY": "false"}
"""The SDK's documented switch for its own spans, read when a client is built."""


def client_of(resource: Any) -> Any:
    """The SDK client behind a resource object, or None."""
    return getattr(resource, "_client", None)
