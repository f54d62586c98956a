"""Anthropic error bodies: `{"type": "error", "error": {"type", "message"}, "request_id"}`."""

from __future__ import annotations

from typing import Any

from ..bodies import BodyError, BodyErrors
from ..sse import sse_event
from ..textgen import digest
from ..wire import EmulatedRequest, EmulatedResponse, json_response

# Seconds a client is told to wait after an injected 429.
RETRY_AFTER_S = 1

# The error type and usual message the API sends for each status.
ERRORS: dict[int, tuple[str, str]] = {
    400: ("invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum"),
    401: ("authentication_error", "invalid x-api-key"),
    403: ("permission_error", "Your API key does not have permission to use this resource."),
    404: ("not_found_error", "Not Found"),
    413: ("request_too_large", "Request exceeds the maximum allowed number of bytes."),
    429: (
        "rate_limit_error",
        "This request would exceed the rate limit for your organization of 50 requests per "
        "minute. Please try again later.",
    ),
    500: ("api_error", "Internal server error"),
    504: ("timeout_error", "Request timed out"),
    529: ("overloaded_error", "Overloaded"),
}
DEFAULT_SERVER_ERROR = ("api_error", "Internal server error")
DEFAULT_CLIENT_ERROR = ("invalid_request_error", "Invalid request")


def request_id(key: Any) -> str:
    return "req_" + digest("request-id", key)[:24]


def base_headers(key: Any) -> dict[str, str]:
    return {"request-id": request_id(key), "anthropic-organization-id": "org-emulator"}


def error_body(error_type: str, message: str, key: Any) -> dict[str, Any]:
    return {
        "type": "error",
        "error": {"type": error_type, "message": message},
        "request_id": request_id(key),
    }


def error_response(
    status: int,
    message: str,
    error_type: str = "invalid_request_error",
    key: Any = None,
    headers: dict[str, str] | None = None,
) -> EmulatedResponse:
    body = error_body(error_type, message, key)
    return json_response(status, body, {**base_headers(key), **(headers or {})})


def missing_field(name: str) -> EmulatedResponse:
    return error_response(400, f"{name}: Field required")


def invalid_body(error: BodyError) -> EmulatedResponse:
    if error.not_json:
        return error_response(400, "There was an issue with your request body: invalid JSON")
    return error_response(400, "The request body must be a JSON object.")


BODY_ERRORS = BodyErrors(invalid=invalid_body, missing_model=lambda: missing_field("model"))


def stream_error_event(key: Any) -> bytes:
    """The `error` event the API sends when it fails mid-stream (usually overload)."""
    error_type, message = ERRORS[529]
    return sse_event(error_body(error_type, message, key), "error")


def provider_error(request: EmulatedRequest, status: int, message: str | None) -> EmulatedResponse:
    """The error the real API sends for `status`; `message` replaces its usual text if given."""
    error_type, usual = ERRORS.get(
        status, DEFAULT_SERVER_ERROR if status >= 500 else DEFAULT_CLIENT_ERROR
    )
    if status == 404:
        model = request.model()
        usual = f"model: {model}" if model else usual
    headers: dict[str, str] = {}
    if status == 429:
        headers = {
            "retry-after": str(RETRY_AFTER_S),
            "anthropic-ratelimit-requests-limit": "50",
            "anthropic-ratelimit-requests-remaining": "0",
            "anthropic-ratelimit-requests-reset": "2023-11-14T22:13:21Z",
        }
    key = (request.path, request.body.decode(errors="replace"), status)
    return error_response(status, message or usual, error_type, key, headers)
