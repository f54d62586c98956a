"""POST /v1/embeddings: float vectors only, as the SDK's response type declares."""

from __future__ import annotations

from typing import Any

from ..openai_compat.content import prompts_of
from ..textgen import make_id
from ..vectors import MAX_DIMENSIONS, embedding_for, requested_dimensions
from ..wire import EmulatedResponse, json_response
from . import errors


def create(body: dict[str, Any]) -> EmulatedResponse:
    if body.get("input") is None:
        return errors.missing_parameter("input")
    inputs = prompts_of(body["input"])
    if inputs is None:
        return errors.invalid_value("input", "Input should be a valid string or list of strings")
    dimensions = requested_dimensions(body.get("output_dimension"))
    if dimensions is None:
        return errors.invalid_value(
            "output_dimension", f"Input should be between 1 and {MAX_DIMENSIONS}"
        )
    model = body["model"]
    data = [
        {"object": "embedding", "embedding": embedding_for(model, item.key, dimensions), "index": i}
        for i, item in enumerate(inputs)
    ]
    tokens = sum(item.tokens for item in inputs)
    payload = {
        "id": make_id("embd-", "mistral-embeddings", body, length=32),
        "object": "list",
        "data": data,
        "model": model,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens, "completion_tokens": 0},
    }
    return json_response(200, payload)
