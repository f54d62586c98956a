"""Maps `/ollama/api/...` requests to the endpoints."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..bodies import BodyError, json_object, with_body
from ..controls import Controls
from ..wire import EmulatedRequest, EmulatedResponse
from . import embeddings, errors, generation, models

PREFIX = "/ollama"

POST_ENDPOINTS: dict[str, Callable[[dict[str, Any], Controls], EmulatedResponse]] = {
    "/api/chat": generation.chat,
    "/api/generate": generation.generate,
    "/api/embed": lambda body, _controls: embeddings.embed(body),
    "/api/embeddings": lambda body, _controls: embeddings.embeddings(body),
    "/api/show": lambda body, _controls: models.show(body),
}
GET_ENDPOINTS: dict[str, Callable[[], EmulatedResponse]] = {
    "/api/tags": models.tags,
    "/api/version": models.version,
}


def route(request: EmulatedRequest, path: str, controls: Controls) -> EmulatedResponse:
    path = path.partition("?")[0].rstrip("/")
    method = request.method.upper()
    if method in ("GET", "HEAD") and path in GET_ENDPOINTS:
        return GET_ENDPOINTS[path]()
    endpoint = POST_ENDPOINTS.get(path)
    # ollama 0.0.1 asks for /api/show with GET and a JSON body.
    allowed = ("POST", "GET") if path == "/api/show" else ("POST",)
    if endpoint is None or method not in allowed:
        return errors.unknown_url()

    def answer(body: dict[str, Any]) -> EmulatedResponse:
        if errors.is_missing(body["model"]):
            return errors.model_not_found(body["model"])
        return endpoint(body, controls)

    # Older clients name the model `name` in /api/show.
    return with_body(request, errors.BODY_ERRORS, answer, model_alias(request))


def model_alias(request: EmulatedRequest) -> dict[str, Any]:
    try:
        name = json_object(request).get("name")
    except BodyError:
        return {}
    return {"model": name} if isinstance(name, str) and name else {}
