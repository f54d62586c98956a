"""What a Message says: usage in the conventions' terms, finish reasons, output content.

Shared by plain calls, by raw event streams and by ``messages.stream()``, whose SDK stream
accumulates the Message itself.
"""

from __future__ import annotations

from typing import Any, Final

from opentelemetry.instrumentation.agentops.anthropic._content import message_parts
from opentelemetry.instrumentation.agentops.core import Response, Usage
from opentelemetry.instrumentation.agentops.core.values import as_int, as_str, field
from opentelemetry.util.genai.types import OutputMessage

__all__ = ["FINISH_REASONS", "finish_reason", "message_response", "text_delta", "usage_of"]

FINISH_REASONS: Final = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_call",
    "refusal": "content_filter",
}
"""``stop_reason`` values as the conventions' finish reasons; others (``pause_turn``) are kept."""


def finish_reason(stop_reason: Any) -> str | None:
    reason = as_str(stop_reason)
    return FINISH_REASONS.get(reason, reason) if reason is not None else None


def usage_of(usage: Any) -> Usage | None:
    """Anthropic usage in the conventions' terms.

    Anthropic's ``input_tokens`` leaves out the tokens read from and written to the prompt
    cache; the conventions' input count includes them.
    """
    if usage is None:
        return None
    uncached = as_int(field(usage, "input_tokens"))
    read = as_int(field(usage, "cache_read_input_tokens"))
    written = as_int(field(usage, "cache_creation_input_tokens"))
    details = field(usage, "output_tokens_details")
    return Usage(
        input_tokens=None if uncached is None else uncached + (read or 0) + (written or 0),
        output_tokens=as_int(field(usage, "output_tokens")),
        cache_read_input_tokens=read,
        cache_creation_input_tokens=written,
        reasoning_output_tokens=(
            as_int(field(details, "thinking_tokens")) if details is not None else None
        ),
    )


def message_response(message: Any, capture_content: bool) -> Response:
    """A ``Message`` (or ``BetaMessage``, ``ParsedMessage``) as a ``Response``."""
    reason = finish_reason(field(message, "stop_reason"))
    response = Response(
        id=as_str(field(message, "id")),
        model=as_str(field(message, "model")),
        finish_reasons=[reason] if reason is not None else None,
        usage=usage_of(field(message, "usage")),
    )
    if capture_content:
        response.output_messages = [
            OutputMessage(
                role=as_str(field(message, "role")) or "assistant",
                parts=message_parts(field(message, "content")),
                finish_reason=reason,
            )
        ]
    return response


def text_delta(event: Any) -> str | None:
    """The text a stream event adds, as the SDK's own ``text_stream`` yields it."""
    if getattr(event, "type", None) != "content_block_delta":
        return None
    delta = event.delta
    return delta.text if getattr(delta, "type", None) == "text_delta" else None
