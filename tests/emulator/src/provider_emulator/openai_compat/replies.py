"""The assistant output planned for one choice, shared by the chat and responses endpoints."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..controls import Controls
from ..schema_instance import instance_for
from ..textgen import count_words, reply_text, split_json, split_text, truncate_words
from .tooling import ToolCall

REPLY_LEAD = "Emulated reply to:"


@dataclass(frozen=True)
class Reply:
    """Text or a tool call; `truncated` when a token limit cut the text short."""

    text: str | None = None
    tool_call: ToolCall | None = None
    is_json: bool = False
    truncated: bool = False

    @property
    def visible_tokens(self) -> int:
        if self.tool_call is not None:
            return count_words(self.tool_call.arguments)
        return count_words(self.text or "")

    def pieces(self, controls: Controls) -> list[str]:
        """How the text or arguments are split into stream deltas."""
        if self.tool_call is not None:
            return split_json(self.tool_call.arguments, controls.chunks)
        text = self.text or ""
        return (
            split_json(text, controls.chunks) if self.is_json else split_text(text, controls.chunks)
        )


def text_reply(
    source: str,
    fmt: dict[str, Any] | None,
    schema: Any,
    variant: int,
    controls: Controls,
    limit: int | None,
    lead: str = REPLY_LEAD,
) -> Reply:
    """Free text, or JSON when a JSON response format was requested; cut to `limit` words."""
    kind = fmt.get("type") if fmt else None
    if kind == "json_schema":
        text = json.dumps(instance_for(schema))
    elif kind == "json_object":
        text = json.dumps({"message": reply_text(lead, source, variant)})
    else:
        text = reply_text(lead, source, variant, controls.chunks)
    text, truncated = truncate_words(text, limit)
    return Reply(text=text, is_json=kind in ("json_schema", "json_object"), truncated=truncated)
