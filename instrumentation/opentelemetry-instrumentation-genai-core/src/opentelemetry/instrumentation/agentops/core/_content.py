"""The size limit of opt-in message content (the switch itself is in ``settings``).

Each text part, tool-call argument string and binary part is limited to
``AGENTOPS_GENAI_CONTENT_MAX_LENGTH`` characters (bytes for binary; default 16384) so one
large prompt or image cannot blow up a span; the limit is applied per part so the attribute
stays valid JSON, which a whole-attribute length limit would break.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TypeVar

from opentelemetry.util.genai.types import (
    BlobPart,
    InputMessage,
    MessagePart,
    OutputMessage,
    TextPart,
    ToolCallRequestPart,
    ToolCallResponsePart,
)

MessageT = TypeVar("MessageT", InputMessage, OutputMessage)


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}...[truncated {len(text) - limit} chars]"


def limit_part(part: MessagePart, limit: int) -> MessagePart:
    """Return ``part`` with its payload cut to ``limit``; unchanged parts are not copied."""
    if isinstance(part, TextPart) and len(part.content) > limit:
        return replace(part, content=_truncate(part.content, limit))
    if (
        isinstance(part, ToolCallRequestPart)
        and isinstance(part.arguments, str)
        and len(part.arguments) > limit
    ):
        return replace(part, arguments=_truncate(part.arguments, limit))
    if (
        isinstance(part, ToolCallResponsePart)
        and isinstance(part.response, str)
        and len(part.response) > limit
    ):
        return replace(part, response=_truncate(part.response, limit))
    if isinstance(part, BlobPart) and len(part.content) > limit:
        # Half an image is not an image: say what was there instead.
        return TextPart(
            content=f"[{part.mime_type or 'binary'} content of {len(part.content)} bytes "
            f"omitted: over the {limit}-byte content limit]"
        )
    return part


def limit_parts(parts: Sequence[MessagePart], limit: int) -> list[MessagePart]:
    return [limit_part(part, limit) for part in parts]


def limit_messages(messages: Sequence[MessageT], limit: int) -> list[MessageT]:
    return [replace(message, parts=limit_parts(message.parts, limit)) for message in messages]
