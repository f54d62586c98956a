"""Following Messages streams: raw events (``create(stream=True)``) and ``messages.stream()``.

Per event, only what is cheap is read: the text length (for the estimate of an abandoned
stream), the ``message_start`` and ``message_delta`` events (references kept, read at the
end), and, with content capture on, the content deltas. ``messages.stream()`` streams
accumulate the whole Message themselves; their response is read from that
(``current_message_snapshot``), not built again here.
"""

from __future__ import annotations

import json
from typing import Any, Final

from opentelemetry.instrumentation.agentops.anthropic._content import message_parts
from opentelemetry.instrumentation.agentops.anthropic._response import (
    finish_reason,
    message_response,
    usage_of,
)
from opentelemetry.instrumentation.agentops.core import Response, StreamAccumulator
from opentelemetry.instrumentation.agentops.core.values import as_str, field
from opentelemetry.util.genai.types import OutputMessage

__all__ = ["MessageEvents", "MessageSnapshot"]

# message_delta counts are cumulative and, where given, replace message_start's.
_USAGE_FIELDS: Final = (
    "input_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
    "output_tokens",
    "output_tokens_details",
)
_DELTA_TEXT: Final = {
    "text_delta": "text",
    "input_json_delta": "partial_json",
    "thinking_delta": "thinking",
}


class _Block:
    """One content block of a stream, with the pieces its deltas carried."""

    __slots__ = ("pieces", "start")

    def __init__(self, start: Any) -> None:
        self.start = start
        self.pieces: list[str] = []

    def add(self, delta: Any) -> None:
        name = _DELTA_TEXT.get(delta.type)
        if name is not None:
            self.pieces.append(getattr(delta, name, None) or "")

    def block(self) -> Any:
        """The block as a Message holds it once its deltas are applied."""
        start = self.start
        kind = field(start, "type")
        joined = "".join(self.pieces)
        if kind == "text":
            return {"type": kind, "text": (field(start, "text") or "") + joined}
        if kind == "thinking":
            return {"type": kind, "thinking": (field(start, "thinking") or "") + joined}
        if kind in ("tool_use", "server_tool_use"):
            return {
                "type": kind,
                "id": field(start, "id"),
                "name": field(start, "name"),
                "input": _json(joined) if joined else field(start, "input"),
            }
        return start  # other blocks (tool results, redacted thinking) arrive whole


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:  # a stream cut inside the arguments
        return text


class MessageEvents(StreamAccumulator):
    """Follows ``RawMessageStreamEvent``s, as ``create(stream=True)`` yields them."""

    __slots__ = ("_blocks", "_capture", "_final_usage", "_start_usage", "id", "stop_reason")

    def __init__(self, capture_content: bool) -> None:
        super().__init__()
        self._capture = capture_content
        self._blocks: dict[int, _Block] = {}
        self._start_usage: Any = None
        self._final_usage: Any = None
        self.id: str | None = None
        self.stop_reason: Any = None

    def add(self, event: Any) -> bool:
        kind = event.type
        if kind == "content_block_delta":  # most events: keep this branch short
            delta = event.delta
            if delta.type == "text_delta":
                self.output_chars += len(delta.text)
            if self._capture:
                block = self._blocks.get(event.index)
                if block is not None:
                    block.add(delta)
        elif kind == "message_start":
            message = event.message
            self.id = as_str(message.id)
            self.model = as_str(message.model)
            self._start_usage = message.usage
        elif kind == "message_delta":
            self.stop_reason = event.delta.stop_reason
            self._final_usage = event.usage
        elif kind == "content_block_start" and self._capture:
            self._blocks[event.index] = _Block(event.content_block)
        return True

    def _usage(self) -> Any:
        start, final = self._start_usage, self._final_usage
        if final is None:
            return start
        counts = {name: field(start, name) for name in _USAGE_FIELDS} if start is not None else {}
        for name in _USAGE_FIELDS:
            value = field(final, name)
            if value is not None:
                counts[name] = value
        return counts

    def response(self) -> Response:
        reason = finish_reason(self.stop_reason)
        response = Response(
            id=self.id,
            model=self.model,
            finish_reasons=[reason] if reason is not None else None,
            usage=usage_of(self._usage()),
        )
        if self._capture and self._blocks:
            blocks = [self._blocks[index].block() for index in sorted(self._blocks)]
            response.output_messages = [
                OutputMessage(role="assistant", parts=message_parts(blocks), finish_reason=reason)
            ]
        return response


class MessageSnapshot(MessageEvents):
    """Follows a ``messages.stream()`` stream (``MessageStream`` and its beta twins).

    The SDK stream accumulates the Message as it is read; the response is that Message. Its
    events are followed as raw ones (without content), in case the stream ends before
    ``message_start``, when there is no Message yet.
    """

    __slots__ = ("_content", "_stream")

    def __init__(self, stream: Any, capture_content: bool) -> None:
        super().__init__(capture_content=False)
        self._stream = stream
        self._content = capture_content

    def response(self) -> Response:
        try:
            message = self._stream.current_message_snapshot
        except AssertionError:  # the SDK asserts a Message exists: none before message_start
            message = None
        if message is None:
            return super().response()
        return message_response(message, self._content)
