"""Deterministic embedding vectors: unit vectors hashed from the model and the input, and their
encodings."""

from __future__ import annotations

import base64
import hashlib
import math
import struct

# Small by default to keep bodies short; providers let the request ask for another size.
DEFAULT_DIMENSIONS = 8
MAX_DIMENSIONS = 3072


def requested_dimensions(value: object, maximum: int = MAX_DIMENSIONS) -> int | None:
    """The vector size a request asks for (the default when it names none); None when the
    value is not a whole number from 1 to `maximum`."""
    dimensions = value or DEFAULT_DIMENSIONS
    valid = isinstance(dimensions, int) and not isinstance(dimensions, bool)
    return dimensions if valid and 1 <= dimensions <= maximum else None


def unit_vector(seed: str, dimensions: int) -> list[float]:
    """Hash-derived values in [-1, 1), normalised, then rounded to float32.

    Rounding to float32 makes the float and base64 encodings decode to identical numbers.
    """
    raw: list[float] = []
    block = 0
    while len(raw) < dimensions:
        digest = hashlib.sha256(f"{seed}\n{block}".encode()).digest()
        raw.extend(value / 2**31 - 1 for value in struct.unpack("<8I", digest))
        block += 1
    raw = raw[:dimensions]
    norm = math.sqrt(sum(value * value for value in raw)) or 1.0
    packed = struct.pack(f"<{dimensions}f", *(value / norm for value in raw))
    return list(struct.unpack(f"<{dimensions}f", packed))


def embedding_for(model: str, key: str, dimensions: int) -> list[float]:
    """The vector of one input: the same model and input always give the same vector."""
    return unit_vector(f"{model}\n{key}", dimensions)


def encode_base64(values: list[float]) -> str:
    """Little-endian float32 bytes, base64-encoded: what the SDKs decode."""
    return base64.b64encode(struct.pack(f"<{len(values)}f", *values)).decode()
