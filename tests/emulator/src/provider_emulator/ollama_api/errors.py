"""Ollama error bodies: `{"error": "<text>"}` for every status, and the same object as an NDJSON
line in the middle of a stream."""

from __future__ import annotations

from typing import Any

from ..bodies import BodyErrors
from ..wire import EmulatedRequest, EmulatedResponse, json_response

# Models whose name starts with this are reported missing, the way an unpulled model is.
MISSING_MODEL_PREFIX = "missing"
DEFAULT_MODEL = "llama3.2"
STREAM_ERROR = "an error was encountered while running the model: unexpected EOF"


def error_response(status: int, message: str) -> EmulatedResponse:
    return json_response(status, {"error": message})


def model_not_found(model: str) -> EmulatedResponse:
    return error_response(404, f"model '{model}' not found")


def is_missing(model: str) -> bool:
    return model.startswith(MISSING_MODEL_PREFIX)


def unknown_url() -> EmulatedResponse:
    return EmulatedResponse(
        status=404, headers={"content-type": "text/plain"}, body=b"404 page not found"
    )


BODY_ERRORS = BodyErrors(
    invalid=lambda problem: error_response(400, str(problem)),
    missing_model=lambda: error_response(400, "model is required"),
)


def provider_error(request: EmulatedRequest, status: int, message: str | None) -> EmulatedResponse:
    """The error the real server sends for `status`; `message` replaces its usual text if given."""
    if message is None and status == 404:
        return model_not_found(request.model() or DEFAULT_MODEL)
    messages = {
        400: "invalid options: num_ctx must be a positive integer",
        401: "unauthorized",
        403: "forbidden",
        429: "too many requests: you have reached your usage limit, please try again later",
        500: "llama runner process has terminated: exit status 2",
        503: "server busy, please try again.  maximum pending requests exceeded",
        529: "server overloaded, please try again later",
    }
    return error_response(status, message or messages.get(status, "internal server error"))


def stream_error_line() -> dict[str, Any]:
    """The `{"error": ...}` line sent in the middle of a stream; the SDK raises ResponseError
    when it reads one."""
    return {"error": STREAM_ERROR}
