"""Maps `/anthropic/v1/...` requests to the endpoint modules after the checks they all share.

Beta requests (`?beta=true`, an `anthropic-beta` header) reach the same endpoints.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..bodies import with_body
from ..controls import Controls
from ..wire import EmulatedRequest, EmulatedResponse
from . import complete, errors, messages

Endpoint = Callable[[dict[str, Any], Controls], EmulatedResponse]

ENDPOINTS: dict[str, Endpoint] = {
    "/v1/messages": messages.create,
    "/v1/messages/count_tokens": messages.count_tokens,
    "/v1/complete": complete.create,
}


def route(request: EmulatedRequest, path: str, controls: Controls) -> EmulatedResponse:
    endpoint = ENDPOINTS.get(path.partition("?")[0].rstrip("/"))
    if endpoint is None or request.method.upper() != "POST":
        return errors.error_response(404, "Not Found", "not_found_error", request.path)
    return with_body(request, errors.BODY_ERRORS, lambda body: endpoint(body, controls))
