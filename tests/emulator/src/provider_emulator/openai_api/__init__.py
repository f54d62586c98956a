"""OpenAI wire format, served under `/openai` (so the SDK's base URL is `.../openai/v1`).

Named `openai_api` so it can never shadow the real `openai` package.
"""

from __future__ import annotations

from ..provider import Provider
from .errors import provider_error, stream_error
from .router import route

PROVIDER = Provider(
    name="openai", prefix="/openai", route=route, error=provider_error, stream_error=stream_error
)

__all__ = ["PROVIDER"]
