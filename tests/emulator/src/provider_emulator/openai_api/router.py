"""Maps `/openai/v1/...` requests to the endpoint modules after the checks they all share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..bodies import with_body
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


_AZURE_DEPLOYMENTS = "/deployments/"


def _azure_deployment(path: str) -> tuple[str, str | None]:
    """Azure OpenAI names the deployment in the path (``/openai/deployments/<name>/chat/
    completions?api-version=...``) and may omit the model from the body; the same endpoints
    answer, with the deployment name standing in for the model."""
    if not path.startswith(_AZURE_DEPLOYMENTS):
        return path, None
    name, _, rest = path[len(_AZURE_DEPLOYMENTS) :].partition("/")
    return "/v1/" + rest, name or None


def route(request: EmulatedRequest, path: str, controls: Controls) -> EmulatedResponse:
    path, deployment = _azure_deployment(path.partition("?")[0])
    endpoint = ENDPOINTS.get(path.rstrip("/"))
    if endpoint is None or request.method.upper() != "POST":
        return errors.unknown_url(request.method.upper(), "/openai" + path)
    defaults = {"model": deployment} if deployment is not None else None
    return with_body(request, errors.BODY_ERRORS, lambda body: endpoint(body, controls), defaults)
