"""Maps `/groq/openai/v1/...` requests to the endpoints."""

from __future__ import annotations

from ..bodies import with_body
from ..controls import Controls
from ..wire import EmulatedRequest, EmulatedResponse
from . import chat, errors

PREFIX = "/groq"
CHAT_PATH = "/openai/v1/chat/completions"


def route(request: EmulatedRequest, path: str, controls: Controls) -> EmulatedResponse:
    path = path.partition("?")[0].rstrip("/")
    if path != CHAT_PATH or request.method.upper() != "POST":
        return errors.unknown_url(request.method.upper(), PREFIX + path)
    return with_body(request, errors.BODY_ERRORS, lambda body: chat.create(body, controls))
