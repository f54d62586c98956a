"""The OpenAI package's one use of a private SDK attribute, checked by a contract test.

SDK resources (``client.chat.completions``) hold their client as ``_client`` (every
Stainless-generated SDK does); there is no public way from a resource to the client whose
base URL, default query and credentials the call will use. ``client_of`` is the only reader:
if an SDK upgrade removes it, calls are still traced (with provider ``openai`` and no server
address) and ``tests/instrumentation/openai/test_compat.py`` fails loudly.
"""

from __future__ import annotations

from typing import Any

__all__ = ["client_of"]


def client_of(resource: Any) -> Any:
    """The SDK client behind a resource object, or None."""
    return getattr(resource, "_client", None)
