"""Jamba: POST /studio/v1/chat/completions in AI21's dialect (no model, created or object)."""

from __future__ import annotations

from typing import Any

from ..controls import Controls
from ..openai_compat import chat
from ..openai_compat.dialect import ChatDialect
from ..replies import Reply
from ..textgen import digest
from ..wire import EmulatedResponse
from . import errors


def uuid_like(*parts: Any) -> str:
    """A hash of the parts, formatted like the UUIDs AI21 uses as ids."""
    hex_digits = digest(*parts)[:32]
    cut = (8, 12, 16, 20)
    return "-".join(hex_digits[a:b] for a, b in zip((0, *cut), (*cut, 32), strict=True))


class AI21Chat(ChatDialect):
    streams_tool_arguments = False
    usage_on_last_chunk = True

    def completion_id(self, body: dict[str, Any]) -> str:
        return "chatcmpl-" + uuid_like("ai21-chat", body)

    def metadata(self, body: dict[str, Any], completion_id: str, kind: str) -> dict[str, Any]:
        return {"id": completion_id}

    def message(self, reply: Reply) -> dict[str, Any]:
        return {"tool_calls": None, **super().message(reply)}


DIALECT = AI21Chat(errors)


def create(body: dict[str, Any], controls: Controls) -> EmulatedResponse:
    return chat.create(DIALECT, body, controls)
