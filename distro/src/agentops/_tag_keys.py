"""The tag attribute keys in use, so span processors can copy a span's tags cheaply.

The cost and limit processors put a span's ``agentops.tag.<key>`` attributes on the cost
metrics. Scanning every attribute of every span for the prefix would double the cost
processor's per-span time, so ``agentops.tags`` notes each key it makes here and the
processors look up only those keys (a handful of dict look-ups). This module imports nothing
heavy: ``agentops.cost`` stays cheap to import.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any, Final

__all__ = ["MAX_KEYS", "keys", "note", "tags_of"]

MAX_KEYS: Final = 64
"""More distinct tag keys than this are not copied onto cost metrics (a WARNING says so):
tag keys are meant to be few (team, use case, tier)."""

TagItems = tuple[tuple[str, str], ...]
"""A span's tags as ``((attribute key, value), ...)`` in the order keys were first seen."""

_logger = logging.getLogger("agentops")
_lock = threading.Lock()
# Replaced, never mutated, so readers iterate it without a lock.
_keys: tuple[str, ...] = ()
_known: frozenset[str] = frozenset()
_warned = False


def note(attribute_keys: Iterable[str]) -> None:
    """Remember these ``agentops.tag.<key>`` attribute keys (called when a tag block is made)."""
    global _keys, _known, _warned
    new = [key for key in attribute_keys if key not in _known]
    if not new:
        return
    with _lock:
        for key in new:
            if key in _known:
                continue
            if len(_keys) >= MAX_KEYS:
                if not _warned:
                    _warned = True
                    _logger.warning(
                        "More than %d distinct tag keys: tags with the others are on spans and "
                        "duration/token metrics but not on the cost metrics.",
                        MAX_KEYS,
                    )
                break
            _keys = (*_keys, key)
            _known = _known | {key}


def keys() -> tuple[str, ...]:
    return _keys


def tags_of(get: Callable[[str], Any]) -> TagItems:
    """The noted tags present in a span's attributes, given the attributes' ``get``."""
    found = _keys
    if not found:
        return ()
    return tuple(
        [
            (key, value if value.__class__ is str else str(value))
            for key in found
            if (value := get(key)) is not None
        ]
    )
