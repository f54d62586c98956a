"""Groq's wire format, served under `/groq` (the SDK's `base_url`; it adds `/openai/v1`)."""

from __future__ import annotations

from ..provider import Provider
from .errors import provider_error
from .router import PREFIX, route

PROVIDER = Provider(name="groq", prefix=PREFIX, route=route, error=provider_error)

__all__ = ["PROVIDER"]
