"""POST /v1/messages (plain and streamed) and POST /v1/messages/count_tokens."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from ..controls import Controls
from ..replies import Reply, text_reply
from ..sse import sse_response
from ..textgen import count_words, cut_at_stop, digest, make_id, reply_text, truncate_words
from ..tooling import ToolCall, arguments_for
from ..wire import EmulatedResponse, json_response
from . import errors
from .content import (
    answers_tool,
    input_tokens,
    last_user_text,
    output_schema,
    pick_tool,
    thinking_enabled,
)
from .stream import stream_events

THINKING_LEAD = "Emulated thinking about:"


@dataclass(frozen=True)
class Turn:
    """The assistant turn planned for one request: optional thinking, then text or a tool."""

    reply: Reply
    thinking: str | None
    signature: str
    stop_reason: str
    stop_sequence: str | None = None

    @property
    def output_tokens(self) -> int:
        return count_words(self.thinking or "") + self.reply.visible_tokens


def create(body: dict[str, Any], controls: Controls) -> EmulatedResponse:
    invalid = validate(body)
    if invalid is not None:
        return invalid
    max_tokens = body.get("max_tokens")
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
        return errors.missing_field("max_tokens")
    turn = plan_turn(body, controls)
    message = message_object(body, turn, usage(body, turn, controls))
    headers = errors.base_headers(body)
    if body.get("stream"):
        events = stream_events(message, turn, controls)
        return sse_response(events, headers, error_event=errors.stream_error_event(body))
    return json_response(200, message, headers)


def count_tokens(body: dict[str, Any], _controls: Controls) -> EmulatedResponse:
    """The same count that `create` reports as `input_tokens` for these messages."""
    invalid = validate(body)
    if invalid is not None:
        return invalid
    return json_response(200, {"input_tokens": input_tokens(body)}, errors.base_headers(body))


def validate(body: dict[str, Any]) -> EmulatedResponse | None:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return errors.missing_field("messages")
    if not all(isinstance(m, dict) and m.get("role") in ("user", "assistant") for m in messages):
        return errors.error_response(400, "messages: roles must be 'user' or 'assistant'")
    return None


def plan_turn(body: dict[str, Any], controls: Controls) -> Turn:
    messages = body["messages"]
    source = last_user_text(messages)
    thinking = reply_text(THINKING_LEAD, source) if thinking_enabled(body) else None
    signature = signature_for(body) if thinking is not None else ""
    if not answers_tool(messages):
        tool = pick_tool(body)
        if tool is not None:
            call = ToolCall(make_id("toolu_", "tool-use", body), tool.name, arguments_for(tool))
            return Turn(Reply(tool_call=call), thinking, signature, "tool_use")
    planned = text_reply(source, controls, schema=output_schema(body))
    text, stop_sequence = cut_at_stop(planned.text or "", body.get("stop_sequences"))
    # Thinking counts toward max_tokens, as on the real API.
    limit = max(body["max_tokens"] - count_words(thinking or ""), 0)
    text, truncated = truncate_words(text, limit)
    reply = Reply(text=text, is_json=planned.is_json, truncated=truncated)
    if truncated:
        return Turn(reply, thinking, signature, "max_tokens")
    if stop_sequence is not None:
        return Turn(reply, thinking, signature, "stop_sequence", stop_sequence)
    return Turn(reply, thinking, signature, "end_turn")


def signature_for(body: dict[str, Any]) -> str:
    """An opaque value standing in for the signature that verifies a thinking block."""
    return base64.b64encode(bytes.fromhex(digest("signature", body)) * 2).decode()


def usage(body: dict[str, Any], turn: Turn, controls: Controls) -> dict[str, Any]:
    """Anthropic's `input_tokens` excludes the cached prefix: read and written cache tokens are
    reported beside it, and the prompt's total is the sum of the three."""
    written = controls.cache_write_tokens
    return {
        "input_tokens": input_tokens(body),
        "cache_creation_input_tokens": written,
        "cache_read_input_tokens": controls.cached_tokens,
        "cache_creation": {"ephemeral_5m_input_tokens": written, "ephemeral_1h_input_tokens": 0},
        "output_tokens": turn.output_tokens,
        "service_tier": "standard",
    }


def content_blocks(turn: Turn) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if turn.thinking is not None:
        blocks.append({"type": "thinking", "thinking": turn.thinking, "signature": turn.signature})
    call = turn.reply.tool_call
    if call is not None:
        tool_input = json.loads(call.arguments)
        blocks.append(
            {"type": "tool_use", "id": call.call_id, "name": call.name, "input": tool_input}
        )
    else:
        blocks.append({"type": "text", "text": turn.reply.text or ""})
    return blocks


def message_object(body: dict[str, Any], turn: Turn, usage: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": make_id("msg_", "message", body),
        "type": "message",
        "role": "assistant",
        "model": body["model"],
        "content": content_blocks(turn),
        "stop_reason": turn.stop_reason,
        "stop_sequence": turn.stop_sequence,
        "usage": usage,
    }
