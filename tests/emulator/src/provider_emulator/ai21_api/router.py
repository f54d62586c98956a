"""Maps `/ai21/studio/v1/...` to Jamba chat completions and the J2 endpoints."""

from __future__ import annotations

from ..bodies import with_body
from ..controls import Controls
from ..wire import EmulatedRequest, EmulatedResponse
from . import chat, errors, j2

PREFIX = "/ai21"
STUDIO = "/studio/v1"


def route(request: EmulatedRequest, path: str, controls: Controls) -> EmulatedResponse:
    path = path.partition("?")[0].rstrip("/")
    if request.method.upper() != "POST" or not path.startswith(STUDIO + "/"):
        return errors.unknown_url(request.method.upper(), PREFIX + path)
    rest = path[len(STUDIO) + 1 :].split("/")
    if rest == ["chat", "completions"]:
        return with_body(request, errors.BODY_ERRORS, lambda body: chat.create(body, controls))
    # J2: the model (and a custom model trained on it) are named in the path.
    if len(rest) in (2, 3) and rest[-1] == "complete" and all(rest):
        defaults = {"model": rest[0]}
        return with_body(
            request, errors.BODY_ERRORS, lambda body: j2.complete(body, controls), defaults
        )
    if len(rest) == 2 and rest[1] == "chat" and rest[0]:
        defaults = {"model": rest[0]}
        return with_body(
            request, errors.BODY_ERRORS, lambda body: j2.chat(body, controls), defaults
        )
    return errors.unknown_url(request.method.upper(), PREFIX + path)
