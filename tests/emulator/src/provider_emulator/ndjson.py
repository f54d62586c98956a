"""Newline-delimited JSON streams (one JSON object a line), shared by Cohere v1 and Ollama."""

from __future__ import annotations

import json
from typing import Any

from .wire import Chunk, EmulatedResponse


def ndjson_line(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode() + b"\n"


def ndjson_response(
    lines: list[dict[str, Any]],
    content_type: str,
    headers: dict[str, str] | None = None,
    *,
    error: dict[str, Any],
) -> EmulatedResponse:
    """A 200 stream sending each object as its own line and chunk; `error` is the line the API
    sends when it fails mid-stream, for the `stream-error` fault."""
    return EmulatedResponse(
        status=200,
        headers={"content-type": content_type, **(headers or {})},
        body=[Chunk(ndjson_line(line)) for line in lines],
        error_event=ndjson_line(error),
    )
