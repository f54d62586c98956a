"""Anthropic wire format, served under `/anthropic` (the SDK's base URL, host and prefix only).

Named `anthropic_api` so it can never shadow the real `anthropic` package.
"""

from __future__ import annotations

from ..provider import Provider
from .errors import provider_error
from .router import route

PROVIDER = Provider(name="anthropic", prefix="/anthropic", route=route, error=provider_error)

__all__ = ["PROVIDER"]
