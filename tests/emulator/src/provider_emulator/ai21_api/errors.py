"""AI21 error bodies: FastAPI's `{"detail": "..."}`, and `{"detail": [...]}` for 422."""

from __future__ import annotations

from typing import Any

from ..bodies import BodyErrors, request_model
from ..sse import sse_event
from ..wire import EmulatedRequest, EmulatedResponse, json_response

DEFAULT_MODEL = "jamba-mini"


def detail_error(status: int, detail: str) -> EmulatedResponse:
    return json_response(status, {"detail": detail})


def validation_error(field: str, kind: str, message: str, value: Any = None) -> EmulatedResponse:
    detail = {"type": kind, "loc": ["body", field], "msg": message, "input": value}
    return json_response(422, {"detail": [detail]})


def missing_parameter(name: str) -> EmulatedResponse:
    return validation_error(name, "missing", "Field required")


def invalid_value(name: str, message: str) -> EmulatedResponse:
    return validation_error(name, "value_error", message)


def unknown_url(method: str, path: str) -> EmulatedResponse:
    return detail_error(404, "Not Found")


BODY_ERRORS = BodyErrors(
    invalid=lambda problem: validation_error("body", "json_invalid", f"JSON error: {problem}"),
    missing_model=lambda: missing_parameter("model"),
)


def provider_error(request: EmulatedRequest, status: int, message: str | None) -> EmulatedResponse:
    """The error the real API sends for `status`; `message` replaces its usual text if given."""
    model = request_model(request) or DEFAULT_MODEL
    details = {
        400: "Prompt is too long: 130000 tokens, the maximum is 256000 tokens minus max_tokens",
        401: "Forbidden: Bad or missing API token.",
        403: "Access denied: your organization cannot use this model.",
        404: f"Model {model} not found",
        422: "Unprocessable entity",
        429: "Too many requests, please slow down",
        500: "Internal server error",
        503: "Service temporarily unavailable, please try again later",
        529: "The model is overloaded, please try again later",
    }
    return detail_error(status, message or details.get(status, "Internal server error"))


def stream_error(request: EmulatedRequest) -> bytes:
    """The error body as a data event; it is not a chunk, so the SDK fails to read it."""
    return sse_event({"detail": "Internal server error"})
