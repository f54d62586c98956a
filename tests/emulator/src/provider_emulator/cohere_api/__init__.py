"""Cohere wire formats (v1 and v2), served under `/cohere`.

cohere >= 5.8 takes `.../cohere` as its base URL and sends `v1/...` or `v2/...` paths; older
SDKs take `.../cohere/v1` and send relative paths. Both reach the same endpoints.
Named `cohere_api` so it can never shadow the real `cohere` package.
"""

from __future__ import annotations

from ..provider import Provider
from .errors import provider_error
from .router import route

PROVIDER = Provider(name="cohere", prefix="/cohere", route=route, error=provider_error)

__all__ = ["PROVIDER"]
