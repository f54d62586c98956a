"""POST /api/embed (input: a string or a list) and the older /api/embeddings (one prompt)."""

from __future__ import annotations

from typing import Any

from ..textgen import count_words
from ..vectors import DEFAULT_DIMENSIONS, MAX_DIMENSIONS, embedding_for, requested_dimensions
from ..wire import EmulatedResponse, json_response
from . import errors
from .generation import LOAD_NS, PROMPT_EVAL_NS_PER_TOKEN


def embed(body: dict[str, Any]) -> EmulatedResponse:
    raw = body.get("input")
    inputs = [raw] if isinstance(raw, str) else raw
    if not isinstance(inputs, list) or not all(isinstance(item, str) for item in inputs):
        return errors.error_response(400, "invalid input type")
    dimensions = requested_dimensions(body.get("dimensions"))
    if dimensions is None:
        return errors.error_response(400, f"dimensions must be between 1 and {MAX_DIMENSIONS}")
    model = body["model"]
    tokens = sum(count_words(item) for item in inputs)
    payload = {
        "model": model,
        "embeddings": [embedding_for(model, item, dimensions) for item in inputs],
        "total_duration": LOAD_NS + tokens * PROMPT_EVAL_NS_PER_TOKEN,
        "load_duration": LOAD_NS,
        "prompt_eval_count": tokens,
    }
    return json_response(200, payload)


def embeddings(body: dict[str, Any]) -> EmulatedResponse:
    prompt = body.get("prompt")
    prompt = prompt if isinstance(prompt, str) else ""
    dimensions = requested_dimensions(body.get("dimensions")) or DEFAULT_DIMENSIONS
    # An empty prompt gets an empty embedding, as on the real server.
    vector = embedding_for(body["model"], prompt, dimensions) if prompt else []
    return json_response(200, {"embedding": vector})
