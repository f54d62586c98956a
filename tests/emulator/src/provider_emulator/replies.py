"""The assistant output planned for one reply: free text, JSON, or a tool call.

Every provider plans its replies here, so the same request content gets the same words
whatever the wire format.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .controls import Controls
from .schema_instance import instance_for
from .textgen import count_words, reply_text, split_json, split_text, truncate_words
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
    controls: Controls,
    *,
    schema: Any = None,
    json_object: bool = False,
    variant: int = 0,
    limit: int | None = None,
    lead: str = REPLY_LEAD,
) -> Reply:
    """Free text about `source` after `lead`, or JSON: an instance of `schema` when one is
    given, an object with a `message` when `json_object`; cut to `limit` words."""
    if schema is not None:
        text = json.dumps(instance_for(schema))
    elif json_object:
        text = json.dumps({"message": reply_text(lead, source, variant)})
    else:
        text = reply_text(lead, source, variant, controls.chunks)
    text, truncated = truncate_words(text, limit)
    return Reply(text=text, is_json=schema is not None or json_object, truncated=truncated)
