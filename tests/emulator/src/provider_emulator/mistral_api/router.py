"""Maps `/mistral/v1/...` requests to the endpoints."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..bodies import with_body
from ..controls import Controls
from ..wire import EmulatedRequest, EmulatedResponse
from . import chat, embeddings, errors

PREFIX = "/mistral"

ENDPOINTS: dict[str, Callable[[dict[str, Any], Controls], EmulatedResponse]] = {
    "/v1/chat/completions": chat.create,
    "/v1/fim/completions": chat.fim,
    "/v1/embeddings": lambda body, _controls: embeddings.create(body),
}


def route(request: EmulatedRequest, path: str, controls: Controls) -> EmulatedResponse:
    path = path.partition("?")[0].rstrip("/")
    endpoint = ENDPOINTS.get(path)
    if endpoint is None or request.method.upper() != "POST":
        return errors.unknown_url(request.method.upper(), PREFIX + path)
    return with_body(request, errors.BODY_ERRORS, lambda body: endpoint(body, controls))
