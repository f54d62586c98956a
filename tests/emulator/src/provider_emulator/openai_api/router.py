"""Maps `/openai/v1/...` requests to the endpoint modules after the checks they all share."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..controls import Controls
from ..wire import EmulatedRequest, EmulatedResponse
from . import chat, completions, embeddings, errors, responses

Endpoint = Callable[[dict[str, Any], Controls], EmulatedResponse]

ENDPOINTS: dict[str, Endpoint] = {
    "/v1/chat/completions": chat.create,
    "/v1/completions": completions.create,
    "/v1/embeddings": lambda body, _controls: embeddings.create(body),
    "/v1/responses": responses.create,
}


def route(request: EmulatedRequest, path: str, controls: Controls) -> EmulatedResponse:
    endpoint = ENDPOINTS.get(path.partition("?")[0].rstrip("/"))
    if endpoint is None or request.method.upper() != "POST":
        return errors.unknown_url(request.method.upper(), "/openai" + path)
    try:
        body = json.loads(request.body) if request.body else None
    except ValueError:
        return errors.error_response(
            400,
            "We could not parse the JSON body of your request. (HINT: This likely means you "
            "aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, "
            "but what was sent was not valid JSON.)",
        )
    if not isinstance(body, dict):
        return errors.error_response(400, "The request body must be a JSON object.")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        return errors.error_response(400, "you must provide a model parameter")
    return endpoint(body, controls)
