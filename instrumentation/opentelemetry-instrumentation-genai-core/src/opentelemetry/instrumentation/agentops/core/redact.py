"""Scrubbing of credentials from text that telemetry carries (error messages)."""

from __future__ import annotations

import re

# Provider error messages sometimes echo part of the key that was sent ("Incorrect API key
# provided: sk-proj-****abcd"); bearer tokens appear in some proxies' messages.
_SECRET_PATTERNS = re.compile(
    r"(?:\b(?:sk|pk|rk|gsk|sess|key)-[A-Za-z0-9_\-*.]{4,})"
    r"|(?:\bBearer\s+[A-Za-z0-9_\-.=*/+]{4,})"
    r"|(?:(?:api[_-]?key|token|secret|password|authorization)\s*[=:]\s*[^\s,;]{4,})",
    re.IGNORECASE,
)
REDACTED = "[REDACTED]"


def redact_secrets(text: str) -> str:
    return _SECRET_PATTERNS.sub(REDACTED, text)
