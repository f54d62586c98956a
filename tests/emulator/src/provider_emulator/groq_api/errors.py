"""Groq error bodies: OpenAI's `{"error": {...}}` shape, with Groq's own messages and types."""

from __future__ import annotations

from typing import Any

from ..bodies import BodyErrors
from ..sse import sse_event
from ..wire import EmulatedRequest, EmulatedResponse, json_response

RETRY_AFTER_S = 2
DEFAULT_MODEL = "llama-3.3-70b-versatile"


def error_response(
    status: int,
    message: str,
    error_type: str = "invalid_request_error",
    code: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmulatedResponse:
    error: dict[str, Any] = {"message": message, "type": error_type}
    if code is not None:
        error["code"] = code
    return json_response(status, {"error": error}, headers)


def missing_parameter(name: str) -> EmulatedResponse:
    return error_response(400, f"'{name}' : property '{name}' is missing")


def invalid_value(name: str, message: str) -> EmulatedResponse:
    return error_response(400, message)


def unknown_url(method: str, path: str) -> EmulatedResponse:
    message = (
        f"Unknown request URL: {method} {path}. Please check the URL for typos, "
        "or see the docs at https://console.groq.com/docs/"
    )
    return error_response(404, message, code="unknown_url")


BODY_ERRORS = BodyErrors(
    invalid=lambda problem: error_response(400, f"The request body is not valid: {problem}"),
    missing_model=lambda: missing_parameter("model"),
)


def provider_error(request: EmulatedRequest, status: int, message: str | None) -> EmulatedResponse:
    """The error the real API sends for `status`; `message` replaces its usual text if given."""
    model = request.model() or DEFAULT_MODEL
    shapes: dict[int, dict[str, Any]] = {
        400: {
            "message": (
                "Please reduce the length of the messages or completion. Requested 130000 "
                "tokens, the model supports at most 131072."
            ),
            "code": "context_length_exceeded",
        },
        401: {"message": "Invalid API Key", "code": "invalid_api_key"},
        403: {
            "message": "Access denied. Please check your network settings.",
            "error_type": "permission_error",
            "code": "permission_denied",
        },
        404: {
            "message": f"The model `{model}` does not exist or you do not have access to it.",
            "code": "model_not_found",
        },
        429: {
            "message": (
                f"Rate limit reached for model `{model}` in organization `org_emulator` service "
                "tier `on_demand` on requests per minute (RPM): Limit 30, Used 30, Requested 1. "
                f"Please try again in {RETRY_AFTER_S}s."
            ),
            "error_type": "requests",
            "code": "rate_limit_exceeded",
            "headers": {
                "retry-after": str(RETRY_AFTER_S),
                "x-ratelimit-limit-requests": "30",
                "x-ratelimit-remaining-requests": "0",
                "x-ratelimit-reset-requests": f"{RETRY_AFTER_S}s",
            },
        },
        503: {
            "message": (
                "Service Unavailable: the server is temporarily unable to handle the request "
                "due to overloading or maintenance. Please try again later."
            ),
            "error_type": "internal_server_error",
            "code": "service_unavailable",
        },
    }
    shape = shapes.get(
        status,
        {
            "message": "Internal Server Error",
            "error_type": "internal_server_error" if status >= 500 else "invalid_request_error",
        },
    )
    if message is not None:
        shape = {**shape, "message": message}
    return error_response(status, **shape)


def stream_error_event() -> bytes:
    """An `{"error": {...}}` data event; the SDK raises APIError for it."""
    error = {
        "message": "Internal Server Error: the model stopped generating. Please try again.",
        "type": "internal_server_error",
    }
    return sse_event({"error": error})
