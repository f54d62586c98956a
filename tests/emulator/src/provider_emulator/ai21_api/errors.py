"""AI21 error bodies: FastAPI's `{"detail": "..."}`, and `{"detail": [...]}` for 422."""

from __future__ import annotations

from ..bodies import BodyErrors
from ..sse import sse_event
from ..validation import invalid_value as invalid_value
from ..validation import missing_parameter as missing_parameter
from ..validation import validation_error as validation_error
from ..wire import EmulatedRequest, EmulatedResponse, json_response

DEFAULT_MODEL = "jamba-mini"


def detail_error(status: int, detail: str) -> EmulatedResponse:
    return json_response(status, {"detail": detail})


def unknown_url(method: str, path: str) -> EmulatedResponse:
    return detail_error(404, "Not Found")


BODY_ERRORS = BodyErrors(
    invalid=lambda problem: validation_error("body", "json_invalid", f"JSON error: {problem}"),
    missing_model=lambda: missing_parameter("model"),
)


def provider_error(request: EmulatedRequest, status: int, message: str | None) -> EmulatedResponse:
    """The error the real API sends for `status`; `message` replaces its usual text if given."""
    model = request.model() or DEFAULT_MODEL
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


def stream_error_event() -> bytes:
    """The error body as a data event; it is not a chunk, so the SDK fails to read it."""
    return sse_event({"detail": "Internal server error"})
