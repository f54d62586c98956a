"""Reading caller-supplied values into the types the semantic conventions require.

Callers pass ``temperature=1`` or ``stop="END"``; SDKs pass their own "not given" sentinels.
Attributes must carry the registry's type whatever arrived: a double for temperature, an
int for max tokens, a string array for stop sequences. A value of any other type (including
every SDK sentinel) reads as absent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["as_float", "as_int", "as_str", "as_str_list", "field", "text_size"]


def as_float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def as_int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def as_str_list(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Sequence) and all(isinstance(item, str) for item in value):
        return list(value) or None
    return None


def field(obj: Any, name: str, default: Any = None) -> Any:
    """``obj[name]`` for dicts, ``obj.name`` otherwise: SDKs accept both dicts and models.

    Tested against ``dict`` rather than the ``Mapping`` ABC: request parameters are plain
    dicts (TypedDicts at runtime), and the ABC check costs more than the rest of this
    function on every field of every call.
    """
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def text_size(value: Any, _depth: int = 0) -> int:
    """Characters of text in a request value (messages, prompts, nested parts), for usage
    estimates: every string counted, structure ignored, binary data and deep nesting skipped."""
    if isinstance(value, str):
        return len(value)
    if _depth >= _MAX_TEXT_DEPTH or isinstance(value, bytes | bytearray | int | float | bool):
        return 0
    if isinstance(value, dict):
        return sum(text_size(item, _depth + 1) for item in value.values())
    if isinstance(value, list | tuple):
        return sum(text_size(item, _depth + 1) for item in value)
    # SDK request models (pydantic) hold their fields in __dict__; other objects (the SDKs'
    # "not given" sentinels among them) are not request text.
    if hasattr(type(value), "model_fields"):
        return sum(text_size(item, _depth + 1) for item in vars(value).values())
    return 0


_MAX_TEXT_DEPTH = 8
