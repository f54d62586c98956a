"""OpenAI's response formats (`json_schema`, `json_object`) mapped onto the shared replies."""

from __future__ import annotations

from typing import Any

from ..controls import Controls
from ..replies import Reply
from ..replies import text_reply as plan_text


def text_reply(
    source: str,
    fmt: dict[str, Any] | None,
    schema: Any,
    variant: int,
    controls: Controls,
    limit: int | None,
) -> Reply:
    """Free text, or JSON when a `json_schema` or `json_object` format was requested."""
    kind = fmt.get("type") if fmt else None
    return plan_text(
        source,
        controls,
        schema=(schema if schema is not None else {}) if kind == "json_schema" else None,
        json_object=kind == "json_object",
        variant=variant,
        limit=limit,
    )
