"""Mistral error bodies: `{"object": "error", "message", "type", "param", "code"}` for most
statuses, `{"message", "request_id"}` from the gateway for auth, and FastAPI's `{"detail": [...]}`
for 422 validation errors (the SDK parses that one into HTTPValidationError)."""

from __future__ import annotations

from ..bodies import BodyErrors
from ..sse import sse_event
from ..textgen import digest
from ..validation import invalid_value as invalid_value
from ..validation import missing_parameter as missing_parameter
from ..validation import validation_error as validation_error
from ..wire import EmulatedRequest, EmulatedResponse, json_response

DEFAULT_MODEL = "mistral-small-latest"
GATEWAY_CONTENT_TYPE = "application/json; charset=utf-8"


def error_response(
    status: int,
    message: str,
    error_type: str = "invalid_request_error",
    code: str | None = None,
) -> EmulatedResponse:
    body = {"object": "error", "message": message, "type": error_type, "param": None, "code": code}
    return json_response(status, body)


def gateway_error(status: int, message: str, request: EmulatedRequest) -> EmulatedResponse:
    body = {"message": message, "request_id": digest("mistral-request", request.body)[:32]}
    return json_response(status, body, {"content-type": GATEWAY_CONTENT_TYPE})


def unknown_url(method: str, path: str) -> EmulatedResponse:
    return json_response(404, {"detail": "Not Found"})


BODY_ERRORS = BodyErrors(
    invalid=lambda problem: validation_error(
        "body", "json_invalid", f"JSON decode error: {problem}"
    ),
    missing_model=lambda: missing_parameter("model"),
)


def provider_error(request: EmulatedRequest, status: int, message: str | None) -> EmulatedResponse:
    """The error the real API sends for `status`; `message` replaces its usual text if given."""
    if status in (401, 403):
        return gateway_error(
            status, message or {401: "Unauthorized"}.get(status, "Forbidden"), request
        )
    model = request.model() or DEFAULT_MODEL
    shapes: dict[int, tuple[str, str, str | None]] = {
        400: (
            "Prompt contains 130000 tokens and 0 draft tokens, too large for model with 32768 "
            "maximum context length",
            "invalid_request_error",
            "3051",
        ),
        404: (f"Invalid model: {model}", "invalid_model", "1500"),
        422: ("Invalid request", "invalid_request_message_error", None),
        429: ("Requests rate limit exceeded", "rate_limited", "1300"),
        503: ("Service unavailable, please retry later", "service_unavailable", None),
        529: (
            "Service tier capacity exceeded for this model.",
            "service_tier_capacity_exceeded",
            "3505",
        ),
    }
    text, error_type, code = shapes.get(
        status,
        (
            "Internal server error",
            "internal_server_error" if status >= 500 else "invalid_request_error",
            None,
        ),
    )
    return error_response(status, message or text, error_type, code)


def stream_error_event() -> bytes:
    """An error object as an SSE data event; it is not a chunk, so the SDK fails to read it
    (ResponseValidationError on 2.x/3.x)."""
    error = {
        "object": "error",
        "message": "Internal server error",
        "type": "internal_server_error",
        "param": None,
        "code": None,
    }
    return sse_event(error)
