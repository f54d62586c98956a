"""Opt-in message content: the capture switch and the size limit.

Content is captured only when ``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`` asks
for it. Besides the modes of ``opentelemetry-util-genai`` (``SPAN_ONLY``, ``EVENT_ONLY``,
``SPAN_AND_EVENT``, ``NO_CONTENT``) the switch accepts the boolean spellings users type
(``true``/``1``/``yes`` mean ``SPAN_ONLY``), which the library alone would reject.

Each text part, tool-call argument string and binary part is limited to
``AGENTOPS_GENAI_CONTENT_MAX_LENGTH`` characters (bytes for binary; default 16384) so one
large prompt or image cannot blow up a span; the limit is applied per part so the attribute
stays valid JSON, which a whole-attribute length limit would break.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import replace
from typing import Final, TypeVar

from opentelemetry.util.genai.environment_variables import (
    OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT,
    OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT,
)
from opentelemetry.util.genai.types import (
    BlobPart,
    ContentCapturingMode,
    InputMessage,
    MessagePart,
    OutputMessage,
    TextPart,
    ToolCallRequestPart,
    ToolCallResponsePart,
)

AGENTOPS_GENAI_CONTENT_MAX_LENGTH: Final = "AGENTOPS_GENAI_CONTENT_MAX_LENGTH"
DEFAULT_CONTENT_MAX_LENGTH: Final = 16384

_logger = logging.getLogger(__name__)
_TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
_FALSE_WORDS = frozenset({"false", "0", "no", "off", ""})

MessageT = TypeVar("MessageT", InputMessage, OutputMessage)


def capturing_mode_from_env() -> ContentCapturingMode:
    raw = os.environ.get(OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT, "").strip()
    word = raw.lower()
    if word in _TRUE_WORDS:
        return ContentCapturingMode.SPAN_ONLY
    if word in _FALSE_WORDS:
        return ContentCapturingMode.NO_CONTENT
    try:
        return ContentCapturingMode[raw.upper()]
    except KeyError:
        _logger.warning(
            "%s=%r is not understood; use true, false, SPAN_ONLY, EVENT_ONLY or "
            "SPAN_AND_EVENT. Message content will not be captured.",
            OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT,
            raw,
        )
        return ContentCapturingMode.NO_CONTENT


def events_enabled(mode: ContentCapturingMode) -> bool:
    """Whether ``gen_ai.client.inference.operation.details`` events are emitted: as
    ``OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT`` says, else when content goes to events."""
    word = os.environ.get(OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT, "").strip().lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS - {""}:
        return False
    return mode in (ContentCapturingMode.EVENT_ONLY, ContentCapturingMode.SPAN_AND_EVENT)


def content_on_span(mode: ContentCapturingMode) -> bool:
    return mode in (ContentCapturingMode.SPAN_ONLY, ContentCapturingMode.SPAN_AND_EVENT)


def content_in_events(mode: ContentCapturingMode) -> bool:
    return mode in (ContentCapturingMode.EVENT_ONLY, ContentCapturingMode.SPAN_AND_EVENT)


def content_max_length_from_env() -> int:
    raw = os.environ.get(AGENTOPS_GENAI_CONTENT_MAX_LENGTH, "").strip()
    if not raw:
        return DEFAULT_CONTENT_MAX_LENGTH
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value <= 0:
        _logger.warning(
            "%s=%r is not a positive integer; using %d.",
            AGENTOPS_GENAI_CONTENT_MAX_LENGTH,
            raw,
            DEFAULT_CONTENT_MAX_LENGTH,
        )
        return DEFAULT_CONTENT_MAX_LENGTH
    return value


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
