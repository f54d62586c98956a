"""Server-sent events encoding shared by providers that stream with SSE."""

from __future__ import annotations

import json
from typing import Any

from .wire import Chunk, EmulatedResponse

SSE_HEADERS = {"content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache"}


def sse_event(data: Any, event: str | None = None) -> bytes:
    """One event: an optional `event:` line, one `data:` line of compact JSON, a blank line."""
    payload = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    prefix = f"event: {event}\n" if event else ""
    return f"{prefix}data: {payload}\n\n".encode()


def sse_response(
    events: list[bytes], headers: dict[str, str] | None = None, *, error_event: bytes
) -> EmulatedResponse:
    """A 200 streamed response sending each encoded event as its own chunk.

    `error_event` is the event this stream's API sends when it fails mid-stream, for the
    `stream-error` fault; every stream must say what it is.
    """
    return EmulatedResponse(
        status=200,
        headers={**SSE_HEADERS, **(headers or {})},
        body=[Chunk(event) for event in events],
        error_event=error_event,
    )
