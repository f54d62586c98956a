"""The Messages stream: named SSE events from `message_start` to `message_stop`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..controls import Controls
from ..sse import sse_event
from ..textgen import split_text

if TYPE_CHECKING:
    from .messages import Turn

# The real API reports a token or so of output before anything is generated.
START_OUTPUT_TOKENS = 1


def event(kind: str, **fields: Any) -> bytes:
    return sse_event({"type": kind, **fields}, kind)


def stream_events(message: dict[str, Any], turn: Turn, controls: Controls) -> list[bytes]:
    """message_start, then per block: start, (ping after the first), deltas, stop; then
    message_delta with the stop reason and cumulative usage, and message_stop."""
    usage = message["usage"]
    opening = {
        **message,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {**usage, "output_tokens": START_OUTPUT_TOKENS},
    }
    events = [event("message_start", message=opening)]
    for index, block in enumerate(message["content"]):
        events.append(event("content_block_start", index=index, content_block=empty(block)))
        if index == 0:
            events.append(event("ping"))
        events.extend(
            event("content_block_delta", index=index, delta=delta)
            for delta in block_deltas(block, turn, controls)
        )
        events.append(event("content_block_stop", index=index))
    final_usage = {
        key: usage[key]
        for key in (
            "input_tokens",
            "cache_creation_input_tokens",
            "cache_read_input_tokens",
            "output_tokens",
        )
    }
    delta = {"stop_reason": message["stop_reason"], "stop_sequence": message["stop_sequence"]}
    events.append(event("message_delta", delta=delta, usage=final_usage))
    events.append(event("message_stop"))
    return events


def empty(block: dict[str, Any]) -> dict[str, Any]:
    """A block as `content_block_start` announces it, before any delta."""
    if block["type"] == "thinking":
        return {"type": "thinking", "thinking": "", "signature": ""}
    if block["type"] == "tool_use":
        return {**block, "input": {}}
    return {"type": "text", "text": ""}


def block_deltas(block: dict[str, Any], turn: Turn, controls: Controls) -> list[dict[str, Any]]:
    if block["type"] == "thinking":
        pieces = split_text(block["thinking"], None)
        deltas = [{"type": "thinking_delta", "thinking": piece} for piece in pieces]
        return [*deltas, {"type": "signature_delta", "signature": block["signature"]}]
    if block["type"] == "tool_use":
        pieces = turn.reply.pieces(controls)
        return [{"type": "input_json_delta", "partial_json": piece} for piece in pieces]
    return [{"type": "text_delta", "text": piece} for piece in turn.reply.pieces(controls)]
