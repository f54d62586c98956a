"""Maps `/cohere/v1/...` and `/cohere/v2/...` requests to the endpoint modules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..bodies import with_body
from ..controls import Controls
from ..wire import EmulatedRequest, EmulatedResponse
from . import chat_v1, chat_v2, embed, errors, generate, rerank
from .common import sdk_knows_tool_calls_chunk

Endpoint = Callable[[dict[str, Any], Controls], EmulatedResponse]

ENDPOINTS: dict[str, Endpoint] = {
    "/v1/chat": chat_v1.create,
    "/v1/generate": generate.create,
    "/v1/embed": lambda body, _controls: embed.create_v1(body),
    "/v1/rerank": lambda body, _controls: rerank.create_v1(body),
    "/v2/chat": chat_v2.create,
    "/v2/embed": lambda body, _controls: embed.create_v2(body),
    "/v2/rerank": lambda body, _controls: rerank.create_v2(body),
}
# v2 requests must name a model; v1 ones fall back to the API's default model.
MODEL_REQUIRED = frozenset({"/v2/chat", "/v2/embed", "/v2/rerank"})


def route(request: EmulatedRequest, path: str, controls: Controls) -> EmulatedResponse:
    path = path.partition("?")[0].rstrip("/")
    endpoint = ENDPOINTS.get(path)
    if endpoint is None or request.method.upper() != "POST":
        return errors.error_response(404, f"404 page not found: {request.method} {path}")

    def answer(body: dict[str, Any]) -> EmulatedResponse:
        if path == "/v1/chat":
            return chat_v1.create(body, controls, sdk_knows_tool_calls_chunk(request.headers))
        return endpoint(body, controls)

    required = path in MODEL_REQUIRED
    return with_body(request, errors.BODY_ERRORS, answer, model_required=required)
