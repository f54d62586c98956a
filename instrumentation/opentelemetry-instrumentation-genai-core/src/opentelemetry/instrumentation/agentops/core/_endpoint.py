"""``server.address`` and ``server.port`` from the base URL an SDK client was given."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

__all__ = ["server_from_url"]

_DEFAULT_PORTS = {"https": 443, "http": 80}


@lru_cache(maxsize=256)
def server_from_url(url: str) -> tuple[str | None, int | None]:
    """Host and port of ``url``; the port is the scheme's default when none is written.

    Cached: clients keep one base URL, and this runs on every call.
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        return None, None
    return host, (port if host else None)
