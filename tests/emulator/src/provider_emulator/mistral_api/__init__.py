"""Mistral's wire format, served under `/mistral` (the SDK's `server_url`; it adds `/v1/...`)."""

from __future__ import annotations

from ..provider import Provider
from .errors import provider_error
from .router import PREFIX, route

PROVIDER = Provider(name="mistral", prefix=PREFIX, route=route, error=provider_error)

__all__ = ["PROVIDER"]
