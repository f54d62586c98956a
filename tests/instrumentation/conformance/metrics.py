"""What every provider's metric points carry, for the provider tests' exact checks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

METRIC_KEYS = (
    "gen_ai.operation.name",
    "gen_ai.provider.name",
    "gen_ai.request.model",
    "gen_ai.response.model",
    "server.address",
    "server.port",
)
"""The low-cardinality span attributes the core puts on every metric point of a call."""


def metric_attributes(
    span_attributes: Mapping[str, Any], *, error_type: str | None = None
) -> dict[str, Any]:
    """The attributes every metric point of a call with these span attributes carries."""
    attributes = {key: span_attributes[key] for key in METRIC_KEYS if key in span_attributes}
    if error_type is not None:
        attributes["error.type"] = error_type
    return attributes
