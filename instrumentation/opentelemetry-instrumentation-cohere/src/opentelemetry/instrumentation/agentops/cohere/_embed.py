"""Embeddings: v1 ``Client.embed`` (which splits texts into batches itself) and v2
``V2Client.embed``; float, int8/uint8, binary/ubinary and base64 encodings."""

from __future__ import annotations

import base64
import binascii
from typing import Any, Final

from agentops_semconv import AGENTOPS_EMBEDDINGS_INPUT_COUNT
from opentelemetry.instrumentation.agentops.cohere._common import (
    CohereMapper,
    count,
    is_list,
)
from opentelemetry.instrumentation.agentops.core import Call, Request, Response, Usage
from opentelemetry.instrumentation.agentops.core.values import (
    as_str,
    as_str_list,
    field,
    text_size,
)
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as GenAI

__all__ = ["EmbedMapper", "embedding_dimensions"]

_EMBEDDINGS: Final = GenAI.GenAiOperationNameValues.EMBEDDINGS.value
_FLOAT32_BYTES: Final = 4
_BITS_PER_BYTE: Final = 8
# Encodings with one number per dimension, in the order they are read (``float_`` is the SDK
# field of ``float``; dicts and old SDKs use the wire name).
_PER_DIMENSION: Final = ("float_", "float", "int8", "uint8")
_PACKED_BITS: Final = ("binary", "ubinary")


class EmbedMapper(CohereMapper):
    """v1 and v2 embed (sync and async): inputs are ``texts``, ``images`` or (v2) ``inputs``."""

    operation = _EMBEDDINGS

    def request(self, call: Call, capture_content: bool) -> Request[None] | None:
        arguments = call.arguments
        request: Request[None] = self.new_request(call)
        request.encoding_formats = as_str_list(arguments.get("embedding_types"))
        inputs = [arguments.get(name) for name in ("texts", "images", "inputs")]
        given = [value for value in inputs if is_list(value)]
        if given:
            request.attributes[AGENTOPS_EMBEDDINGS_INPUT_COUNT] = sum(len(v) for v in given)
        request.prompt_size = lambda: (
            text_size(arguments.get("texts")) + text_size(arguments.get("inputs"))
        )
        return request

    def response(self, result: Any, request: Request[None], capture_content: bool) -> Response:
        meta = field(result, "meta")
        billed = field(meta, "billed_units") if meta is not None else None
        input_tokens = count(field(billed, "input_tokens")) if billed is not None else None
        return Response(
            id=as_str(field(result, "id")),
            usage=Usage(input_tokens=input_tokens) if input_tokens is not None else None,
            embedding_dimensions=embedding_dimensions(field(result, "embeddings")),
        )


def embedding_dimensions(embeddings: Any) -> int | None:
    """Length of the first embedding: a list of vectors (v1 ``embeddings_floats``) or vectors
    by encoding, where bits are packed eight to a byte and base64 holds float32 values."""
    if is_list(embeddings):
        return _length(embeddings)
    if embeddings is None:
        return None
    for name in _PER_DIMENSION:
        length = _length(field(embeddings, name))
        if length is not None:
            return length
    for name in _PACKED_BITS:
        length = _length(field(embeddings, name))
        if length is not None:
            return length * _BITS_PER_BYTE
    encoded = field(embeddings, "base64")
    if is_list(encoded) and encoded and isinstance(encoded[0], str):
        try:
            return len(base64.b64decode(encoded[0])) // _FLOAT32_BYTES
        except (ValueError, binascii.Error):
            return None
    return None


def _length(vectors: Any) -> int | None:
    if is_list(vectors) and vectors and is_list(vectors[0]):
        return len(vectors[0])
    return None
