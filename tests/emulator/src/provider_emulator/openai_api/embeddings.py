"""POST /v1/embeddings: deterministic unit vectors derived from a hash of each input."""

from __future__ import annotations

from typing import Any

from ..openai_compat.content import prompts_of
from ..vectors import MAX_DIMENSIONS, embedding_for, encode_base64, requested_dimensions
from ..wire import EmulatedResponse, json_response
from . import errors
from .common import base_headers


def create(body: dict[str, Any]) -> EmulatedResponse:
    if body.get("input") is None:
        return errors.missing_parameter("input")
    inputs = prompts_of(body["input"])
    if inputs is None:
        return errors.invalid_value("input", "Invalid 'input': expected a string or list.")
    dimensions = requested_dimensions(body.get("dimensions"))
    if dimensions is None:
        return errors.invalid_value(
            "dimensions", f"Invalid 'dimensions': must be between 1 and {MAX_DIMENSIONS}."
        )
    encoding = body.get("encoding_format") or "float"
    if encoding not in ("float", "base64"):
        return errors.invalid_value(
            "encoding_format", "Invalid 'encoding_format': expected 'float' or 'base64'."
        )
    model = body["model"]
    data = []
    for index, item in enumerate(inputs):
        values = embedding_for(model, item.key, dimensions)
        embedding: Any = encode_base64(values) if encoding == "base64" else values
        data.append({"object": "embedding", "index": index, "embedding": embedding})
    tokens = sum(item.tokens for item in inputs)
    payload = {
        "object": "list",
        "data": data,
        "model": model,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }
    return json_response(200, payload, base_headers(body))
