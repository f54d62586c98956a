"""Reading JSON request bodies, shared by every provider."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .wire import EmulatedRequest, EmulatedResponse


class BodyError(ValueError):
    """The body is not valid JSON (`not_json`), or valid JSON but not an object."""

    def __init__(self, message: str, *, not_json: bool) -> None:
        super().__init__(message)
        self.not_json = not_json


def json_object(request: EmulatedRequest) -> dict[str, Any]:
    """The body as a JSON object; raises BodyError otherwise (an empty body is an empty object)."""
    try:
        body = json.loads(request.body) if request.body else {}
    except ValueError as error:
        raise BodyError(f"invalid JSON: {error}", not_json=True) from None
    if not isinstance(body, dict):
        raise BodyError("the body must be a JSON object", not_json=False)
    return body


@dataclass(frozen=True)
class BodyErrors:
    """How a provider answers a body it cannot use: not a JSON object, or no model."""

    invalid: Callable[[BodyError], EmulatedResponse]
    missing_model: Callable[[], EmulatedResponse]


def with_body(
    request: EmulatedRequest,
    errors: BodyErrors,
    handler: Callable[[dict[str, Any]], EmulatedResponse],
    defaults: Mapping[str, Any] | None = None,
    *,
    model_required: bool = True,
) -> EmulatedResponse:
    """Parse the body, fill `defaults` (such as a model named in the path), require a model
    unless told not to, then let `handler` answer."""
    try:
        body = json_object(request)
    except BodyError as error:
        return errors.invalid(error)
    for key, value in (defaults or {}).items():
        body.setdefault(key, value)
    model = body.get("model")
    if model_required and (not isinstance(model, str) or not model):
        return errors.missing_model()
    return handler(body)
