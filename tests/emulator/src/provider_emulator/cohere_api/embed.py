"""POST /v1/embed and /v2/embed: hashed unit vectors in every requested encoding."""

from __future__ import annotations

from typing import Any

from ..textgen import IMAGE_TOKENS, count_words
from ..vectors import embedding_for, encode_base64, requested_dimensions
from ..wire import EmulatedResponse, json_response
from . import errors
from .common import uuid_for

# Cohere allows larger vectors than the shared limit; v2's `output_dimension` asks for a size.
MAX_DIMENSIONS = 4096
EMBEDDING_TYPES = ("float", "int8", "uint8", "binary", "ubinary", "base64")
DEFAULT_MODEL = "embed-english-v3.0"


def create_v1(body: dict[str, Any]) -> EmulatedResponse:
    """`embeddings_floats` unless `embedding_types` is sent, then `embeddings_by_type`."""
    return create(body, version="1", by_type=bool(body.get("embedding_types")))


def create_v2(body: dict[str, Any]) -> EmulatedResponse:
    """Always `embeddings_by_type`; floats when no type is asked for."""
    return create(body, version="2", by_type=True)


def inputs_of(body: dict[str, Any]) -> tuple[list[str], int] | None:
    """The texts to embed (v2 `inputs` contents included) and the number of images."""
    texts = body.get("texts")
    images = body.get("images") if isinstance(body.get("images"), list) else []
    found = [t for t in texts if isinstance(t, str)] if isinstance(texts, list) else []
    for item in body.get("inputs") or []:
        for part in (item or {}).get("content") or [] if isinstance(item, dict) else []:
            if isinstance(part, dict) and part.get("type") == "image_url":
                images = [*images, part.get("image_url")]
            elif isinstance(part, dict) and isinstance(part.get("text"), str):
                found.append(part["text"])
    if not found and not images:
        return None
    return found, len(images)


def create(body: dict[str, Any], version: str, by_type: bool) -> EmulatedResponse:
    inputs = inputs_of(body)
    if inputs is None:
        return errors.bad_request("one of texts, images or inputs must be specified")
    texts, images = inputs
    dimensions = requested_dimensions(body.get("output_dimension"), MAX_DIMENSIONS)
    if dimensions is None:
        return errors.bad_request(f"output_dimension must be between 1 and {MAX_DIMENSIONS}")
    kinds = body.get("embedding_types") or ["float"]
    unknown = [kind for kind in kinds if kind not in EMBEDDING_TYPES]
    if unknown:
        return errors.bad_request(f"invalid embedding type {unknown[0]!r}")
    model = body.get("model") or DEFAULT_MODEL
    seeds = [*texts, *(f"image {index}" for index in range(images))]
    vectors = [embedding_for(model, seed, dimensions) for seed in seeds]
    billed: dict[str, Any] = {"input_tokens": sum(count_words(text) for text in texts)}
    if images:
        billed["images"] = images
        billed["image_tokens"] = images * IMAGE_TOKENS
    payload: dict[str, Any] = {
        "id": uuid_for("embed", body),
        "texts": texts,
        "meta": {"api_version": {"version": version}, "billed_units": billed},
    }
    if by_type:
        payload["response_type"] = "embeddings_by_type"
        payload["embeddings"] = {kind: encode(vectors, kind) for kind in kinds}
    else:
        payload["response_type"] = "embeddings_floats"
        payload["embeddings"] = vectors
    return json_response(200, payload, errors.trace_headers(body))


def encode(vectors: list[list[float]], kind: str) -> list[Any]:
    """Cohere's quantised encodings: int8/uint8 per value, binary/ubinary as packed sign bits."""
    if kind == "float":
        return vectors
    if kind == "base64":
        return [encode_base64(vector) for vector in vectors]
    if kind in ("int8", "uint8"):
        offset = 128 if kind == "uint8" else 0
        return [
            [max(-128, min(127, round(v * 127))) + offset for v in vector] for vector in vectors
        ]
    return [pack_bits(vector, signed=kind == "binary") for vector in vectors]


def pack_bits(vector: list[float], signed: bool) -> list[int]:
    packed: list[int] = []
    for start in range(0, len(vector), 8):
        byte = 0
        for value in vector[start : start + 8]:
            byte = (byte << 1) | (1 if value > 0 else 0)
        byte <<= 8 - len(vector[start : start + 8])
        packed.append(byte - 128 if signed else byte)
    return packed
