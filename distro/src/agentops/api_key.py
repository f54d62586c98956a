"""Whether the AgentOps api key becomes the OTLP ``authorization`` header.

The key is for the OTLP endpoint the distro exports to. A user who set OTLP headers through
the standard variables has chosen how to authenticate, so the key is then not sent at all
(rather than mixed with their headers). The key itself is never logged or stored.
"""

from __future__ import annotations

import os
from typing import Final

from opentelemetry.sdk.environment_variables import (
    OTEL_EXPORTER_OTLP_HEADERS,
    OTEL_EXPORTER_OTLP_LOGS_HEADERS,
    OTEL_EXPORTER_OTLP_METRICS_HEADERS,
    OTEL_EXPORTER_OTLP_TRACES_HEADERS,
)

__all__ = ["HEADER_VARIABLES", "configured_header_variables", "key_for_otlp"]

HEADER_VARIABLES: Final = (
    OTEL_EXPORTER_OTLP_HEADERS,
    OTEL_EXPORTER_OTLP_TRACES_HEADERS,
    OTEL_EXPORTER_OTLP_METRICS_HEADERS,
    OTEL_EXPORTER_OTLP_LOGS_HEADERS,
)


def configured_header_variables() -> list[str]:
    """The OTLP header variables set (non-empty) in the environment."""
    return [name for name in HEADER_VARIABLES if os.environ.get(name, "").strip()]


def key_for_otlp(api_key: str | None) -> str | None:
    """The key to send as ``authorization: Bearer <key>``, or None when it must not be."""
    if not api_key or not isinstance(api_key, str) or not api_key.strip():
        return None
    if configured_header_variables():
        return None
    return api_key.strip()
