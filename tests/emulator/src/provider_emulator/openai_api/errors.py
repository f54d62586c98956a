"""OpenAI error bodies: `{"error": {"message", "type", "param", "code"}}`, as the real API sends."""

from __future__ import annotations

from typing import Any

from ..bodies import BodyError, BodyErrors
from ..sse import sse_event
from ..wire import EmulatedRequest, EmulatedResponse, json_response
from .common import base_headers

# Seconds a client is told to wait after an injected 429 (sent as retry-after and -ms).
RETRY_AFTER_S = 1
SERVER_ERROR_MESSAGE = "The server had an error while processing your request. Sorry about that!"


def error_response(
    status: int,
    message: str,
    error_type: str = "invalid_request_error",
    code: str | None = None,
    param: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmulatedResponse:
    body = {"error": {"message": message, "type": error_type, "param": param, "code": code}}
    return json_response(status, body, {**base_headers(), **(headers or {})})


def missing_parameter(name: str) -> EmulatedResponse:
    return error_response(
        400, f"Missing required parameter: '{name}'.", code="missing_required_parameter", param=name
    )


def invalid_value(name: str, message: str) -> EmulatedResponse:
    return error_response(400, message, code="invalid_value", param=name)


def unknown_url(method: str, path: str) -> EmulatedResponse:
    return error_response(404, f"Invalid URL ({method} {path})", code="unknown_url")


def invalid_body(error: BodyError) -> EmulatedResponse:
    if not error.not_json:
        return error_response(400, "The request body must be a JSON object.")
    return error_response(
        400,
        "We could not parse the JSON body of your request. (HINT: This likely means you "
        "aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, "
        "but what was sent was not valid JSON.)",
    )


BODY_ERRORS = BodyErrors(
    invalid=invalid_body,
    missing_model=lambda: error_response(400, "you must provide a model parameter"),
)


def provider_error(request: EmulatedRequest, status: int, message: str | None) -> EmulatedResponse:
    """The error the real API sends for `status`; `message` replaces its usual text if given."""
    model = request.model() or "gpt-4o-mini"
    shapes: dict[int, dict[str, Any]] = {
        400: {
            "message": (
                "This model's maximum context length is 128000 tokens. However, your messages "
                "resulted in 130000 tokens. Please reduce the length of the messages."
            ),
            "error_type": "invalid_request_error",
            "code": "context_length_exceeded",
            "param": "messages",
        },
        # The real API reports a bad key with type invalid_request_error, not an auth type.
        401: {
            "message": (
                "Incorrect API key provided: sk-emula*****. You can find your API key at "
                "https://platform.openai.com/account/api-keys."
            ),
            "error_type": "invalid_request_error",
            "code": "invalid_api_key",
        },
        404: {
            "message": f"The model `{model}` does not exist or you do not have access to it.",
            "error_type": "invalid_request_error",
            "code": "model_not_found",
        },
        429: {
            "message": (
                f"Rate limit reached for {model} in organization org-emulator on requests per "
                "min (RPM): Limit 3, Used 3, Requested 1. Please try again in 1s."
            ),
            "error_type": "requests",
            "code": "rate_limit_exceeded",
            "headers": {
                "retry-after": str(RETRY_AFTER_S),
                "retry-after-ms": str(RETRY_AFTER_S * 1000),
                "x-ratelimit-limit-requests": "3",
                "x-ratelimit-remaining-requests": "0",
                "x-ratelimit-reset-requests": f"{RETRY_AFTER_S}s",
            },
        },
    }
    shape = shapes.get(
        status,
        {
            "message": SERVER_ERROR_MESSAGE,
            "error_type": "server_error" if status >= 500 else "invalid_request_error",
        },
    )
    if message is not None:
        shape = {**shape, "message": message}
    return error_response(status, **shape)


def stream_error_event() -> bytes:
    """The `{"error": {...}}` data event Chat Completions and Completions streams send when the
    API fails mid-stream; the SDK raises a bare APIError for it."""
    error = {"message": SERVER_ERROR_MESSAGE, "type": "server_error", "param": None, "code": None}
    return sse_event({"error": error})


def responses_error_event(sequence_number: int) -> bytes:
    """The typed `error` event a Responses stream sends instead, numbered for its place."""
    error = {
        "type": "error",
        "code": "server_error",
        "message": SERVER_ERROR_MESSAGE,
        "param": None,
        "sequence_number": sequence_number,
    }
    return sse_event(error, "error")
