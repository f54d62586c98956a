"""Scrubbing of credentials from text that telemetry carries (error messages).

Two layers. Values the client was actually given (its API key, auth and custom header values,
URL credentials: see ``Mapper.credentials``) are removed whatever they look like, including
the fragments providers and proxies echo ("Incorrect API key provided: abc12***z789"). Then
patterns that look like keys (``sk-...``, ``Bearer ...``, ``api_key=...``) are removed too,
for credentials the client never saw (a gateway's own).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

__all__ = ["REDACTED", "redact_secrets"]

REDACTED: Final = "[REDACTED]"

# Provider error messages sometimes echo part of the key that was sent ("Incorrect API key
# provided: sk-proj-****abcd"); bearer tokens appear in some proxies' messages.
_SECRET_PATTERNS: Final = re.compile(
    r"(?:\b(?:sk|pk|rk|gsk|sess|key)-[A-Za-z0-9_\-*.]{4,})"
    r"|(?:\bBearer\s+[A-Za-z0-9_\-.=*/+]{4,})"
    r"|(?:(?:api[_-]?key|token|secret|password|authorization)\s*[=:]\s*[^\s,;]{4,})",
    re.IGNORECASE,
)
# A value shorter than this is not treated as a secret (a custom header "x-env: prod" is not).
_MIN_SECRET: Final = 8
# The shortest run of a secret's characters that, seen in a message, counts as an echo of it.
_MIN_FRAGMENT: Final = 8
_MIN_MASKED_FRAGMENT: Final = 4
_TOKEN: Final = re.compile(r"[^\s\"'`,;()\[\]{}<>]+")
_MASK: Final = re.compile(r"[*…]+|\.{3,}")


def redact_secrets(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` without ``secrets`` (or echoed fragments of them) and key-like patterns."""
    known = [secret for secret in secrets if len(secret) >= _MIN_SECRET]
    if known:
        text = _TOKEN.sub(lambda match: _scrub_token(match.group(0), known), text)
    return _SECRET_PATTERNS.sub(REDACTED, text)


def _scrub_token(token: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret in token:
            return token.replace(secret, REDACTED)
    core = token.strip(".:!?=")
    pieces = [piece for piece in _MASK.split(core) if piece]
    if len(pieces) > 1 or (pieces and pieces[0] != core):
        # A masked echo ("abc12***z789"): a visible piece of a secret with a mask beside it.
        if any(
            len(piece) >= _MIN_MASKED_FRAGMENT and any(piece in secret for secret in secrets)
            for piece in pieces
        ):
            return REDACTED
        return token
    if len(core) >= _MIN_FRAGMENT and any(core in secret for secret in secrets):
        return token.replace(core, REDACTED)
    return token
