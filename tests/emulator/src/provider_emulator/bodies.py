"""Reading JSON request bodies, shared by every provider."""

from __future__ import annotations

import json
from typing import Any

from .wire import EmulatedRequest


class BodyError(ValueError):
    """The body is not valid JSON, or not a JSON object."""


def json_object(request: EmulatedRequest) -> dict[str, Any]:
    """The body as a JSON object; raises BodyError otherwise (an empty body is an empty object)."""
    try:
        body = json.loads(request.body) if request.body else {}
    except ValueError as error:
        raise BodyError(f"invalid JSON: {error}") from None
    if not isinstance(body, dict):
        raise BodyError("the body must be a JSON object")
    return body


def request_model(request: EmulatedRequest) -> str | None:
    """The `model` of a JSON request body, or None when there is none to read."""
    try:
        body = json_object(request)
    except BodyError:
        return None
    model = body.get("model")
    return model if isinstance(model, str) and model else None
