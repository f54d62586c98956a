"""The Ollama package's one use of a private SDK attribute, checked by a contract test.

Every ``ollama.Client`` and ``AsyncClient`` from 0.0.1 to 0.6 keeps the httpx client it built
as ``_client``: the base URL it resolved (from ``host=``, ``base_url=`` before 0.1.3, or
``OLLAMA_HOST``) and the headers it sends (``headers=``, the bearer header ``OLLAMA_API_KEY``
adds) live there and nowhere public. ``http_client_of`` is the only reader: if an SDK upgrade
removes it, calls are still traced (without a server address) and
``tests/instrumentation/ollama/test_ollama_compat.py`` fails loudly.
"""

from __future__ import annotations

from typing import Any

__all__ = ["http_client_of"]


def http_client_of(client: Any) -> Any:
    """The httpx client behind an Ollama client, or None."""
    return getattr(client, "_client", None)
