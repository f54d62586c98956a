"""Where the Groq package reads a private SDK attribute (one place, one contract test).

A Groq resource such as ``client.chat.completions`` keeps the client it sends through as
``_client``; nothing public leads from the resource back to that client's base URL and key.
If an SDK release drops the attribute, calls are still traced (provider ``groq``, no server
address) and ``tests/instrumentation/groq/test_groq_compat.py`` fails.
"""

from __future__ import annotations

from typing import Any

__all__ = ["client_of"]


def client_of(resource: Any) -> Any:
    """The ``Groq`` / ``AsyncGroq`` client a resource belongs to, None if it cannot tell."""
    return getattr(resource, "_client", None)
