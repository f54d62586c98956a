"""Ollama's wire format, served under `/ollama` (`Client(host=...)`, OLLAMA_HOST, or
`base_url=` up to ollama 0.1.2; the SDK adds `/api/...`)."""

from __future__ import annotations

from ..provider import Provider
from .errors import provider_error
from .router import PREFIX, route

PROVIDER = Provider(name="ollama", prefix=PREFIX, route=route, error=provider_error)

__all__ = ["PROVIDER"]
