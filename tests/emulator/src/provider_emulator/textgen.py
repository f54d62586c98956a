"""Deterministic text, ids and token counts derived from request content.

Tokens are counted as whitespace-separated words: crude, but stable and easy to predict in tests.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

# Fixed creation time of every response, so bytes are reproducible (2023-11-14T22:13:20Z).
CREATED = 1_700_000_000
PREVIEW_WORDS = 8
# Flat prompt cost of one image (or other binary attachment), for every provider.
IMAGE_TOKENS = 10
# Words appended when a caller asks for a longer reply than the preview gives.
FILLER = (
    *("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india"),
    *("juliett", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo"),
    *("sierra", "tango", "uniform", "victor", "whiskey", "xray", "yankee", "zulu"),
)
# Default size of a streamed piece of JSON text (tool arguments, structured output).
JSON_PIECE_CHARS = 8


def digest(*parts: Any) -> str:
    """Hex SHA-256 of the parts; JSON-encoded with sorted keys so dict order does not matter."""
    encoded = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=repr)
    return hashlib.sha256(encoded.encode()).hexdigest()


def make_id(prefix: str, *parts: Any, length: int = 24) -> str:
    return f"{prefix}{digest(*parts)[:length]}"


def count_words(text: str) -> int:
    return len(text.split())


def reply_text(lead: str, source: str, variant: int = 0, words: int | None = None) -> str:
    """`<lead> <first words of source>...`, optionally fitted to exactly `words` words.

    `variant` > 0 prefixes `Choice N:` so that the choices of one request differ.
    """
    source_words = source.split()
    preview = " ".join(source_words[:PREVIEW_WORDS]) or "(empty)"
    if len(source_words) > PREVIEW_WORDS:
        preview += "..."
    text = f"{lead} {preview}"
    if variant:
        text = f"Choice {variant + 1}: {text}"
    return text if words is None else fit_words(text, words)


def fit_words(text: str, words: int) -> str:
    """Truncate or pad `text` with filler words so it has exactly `words` words."""
    current = text.split()
    if len(current) >= words:
        return " ".join(current[:words])
    start = int(digest(text)[:8], 16) % len(FILLER)
    extra = [FILLER[(start + i) % len(FILLER)] for i in range(words - len(current))]
    return " ".join(current + extra)


def truncate_words(text: str, limit: int | None) -> tuple[str, bool]:
    """Keep at most `limit` words; the flag tells whether anything was cut."""
    current = text.split()
    if limit is None or len(current) <= limit:
        return text, False
    return " ".join(current[: max(limit, 0)]), True


def cut_at_stop(text: str, stops: Any) -> tuple[str, str | None]:
    """The text up to the earliest of the stop sequences it contains, and that sequence.

    `stops` is a list of strings, or one string; anything else stops nowhere.
    """
    candidates = [stops] if isinstance(stops, str) else stops if isinstance(stops, list) else []
    found = [(text.find(s), s) for s in candidates if isinstance(s, str) and s and s in text]
    if not found:
        return text, None
    index, stop = min(found)
    return text[:index], stop


def word_pieces(text: str) -> list[str]:
    """Split into words, each but the first keeping its leading space, like model tokens do."""
    words = text.split(" ")
    return [words[0], *(" " + word for word in words[1:])] if text else []


def even_pieces(text: str, count: int) -> list[str]:
    """Split into `count` contiguous non-empty pieces (fewer if the text is shorter)."""
    count = max(1, min(count, len(text)))
    if not text:
        return []
    size, extra = divmod(len(text), count)
    pieces: list[str] = []
    start = 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        pieces.append(text[start:end])
        start = end
    return pieces


def split_text(text: str, count: int | None) -> list[str]:
    """Stream pieces of free text: one word each, or exactly `count` pieces when asked."""
    pieces = word_pieces(text)
    if count is None or len(pieces) == count:
        return pieces
    return even_pieces(text, count)


def split_json(text: str, count: int | None) -> list[str]:
    """Stream pieces of JSON text: short fixed-size slices, or exactly `count` when asked."""
    if count is None:
        return [text[i : i + JSON_PIECE_CHARS] for i in range(0, len(text), JSON_PIECE_CHARS)]
    return even_pieces(text, count)
