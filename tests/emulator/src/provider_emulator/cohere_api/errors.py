"""Cohere error bodies: `{"message": ...}`, the same for v1 and v2."""

from __future__ import annotations

from typing import Any

from ..bodies import BodyError, BodyErrors
from ..textgen import digest
from ..wire import EmulatedRequest, EmulatedResponse, json_response

MESSAGES: dict[int, str] = {
    400: "invalid request: message must be at least 1 token long or tool results must be "
    "specified.",
    401: "invalid api token",
    403: "You do not have permission to access this resource.",
    404: "model not found, make sure the correct model ID was used and that you have access to "
    "the model.",
    429: "You are using a Trial key, which is limited to 10 API calls / minute. You can "
    "continue to use the Trial key for free or upgrade to a Production key with higher rate "
    "limits.",
    500: "internal server error, this has been reported to our developers.",
    503: "service unavailable, please try again later.",
    529: "the service is overloaded, please try again later.",
}


def trace_headers(key: Any) -> dict[str, str]:
    return {"x-debug-trace-id": digest("trace", key)[:32]}


def error_response(status: int, message: str, key: Any = None) -> EmulatedResponse:
    headers = trace_headers(key)
    if status == 429:
        headers["retry-after"] = "1"
    return json_response(status, {"message": message}, headers)


def bad_request(message: str) -> EmulatedResponse:
    return error_response(400, f"invalid request: {message}")


def invalid_body(error: BodyError) -> EmulatedResponse:
    return bad_request("invalid json body" if error.not_json else "the body must be a JSON object")


BODY_ERRORS = BodyErrors(
    invalid=invalid_body, missing_model=lambda: bad_request("model is required")
)


def provider_error(request: EmulatedRequest, status: int, message: str | None) -> EmulatedResponse:
    """The error the real API sends for `status`; `message` replaces its usual text if given."""
    usual = MESSAGES.get(status, MESSAGES[500] if status >= 500 else MESSAGES[400])
    model = request.model()
    if status == 404 and model:
        usual = usual.replace("model not found", f"model '{model}' not found")
    return error_response(status, message or usual, (request.path, request.body, status))
