"""POST /v2/chat (`cohere.ClientV2.chat`), plain and streamed as typed SSE events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..controls import Controls
from ..openai_compat.tooling import chat_tools
from ..replies import Reply, text_reply
from ..sse import sse_event, sse_response
from ..textgen import (
    IMAGE_TOKENS,
    count_words,
    cut_at_stop,
    digest,
    reply_text,
    split_text,
    truncate_words,
)
from ..tooling import ToolCall, arguments_for, choose_tool
from ..wire import EmulatedResponse, json_response
from . import errors
from .common import (
    counts,
    documents_words,
    limit_of,
    output_tokens,
    plan_line,
    uuid_for,
    value_words,
)

THINKING_LEAD = "Emulated thinking about:"


@dataclass(frozen=True)
class Turn:
    reply: Reply
    thinking: str | None
    finish_reason: str


def create(body: dict[str, Any], controls: Controls) -> EmulatedResponse:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return errors.bad_request("messages must be a non-empty list")
    turn = plan_turn(body, controls)
    output = output_tokens(turn.reply) + count_words(turn.thinking or "")
    usage = counts(prompt_tokens(body), output, controls)
    response = {
        "id": uuid_for("chat", body),
        "finish_reason": turn.finish_reason,
        "message": message_of(turn),
        "usage": usage,
    }
    headers = errors.trace_headers(body)
    if not body.get("stream"):
        return json_response(200, response, headers)
    failure = {"finish_reason": "ERROR", "error": "internal server error"}
    return sse_response(
        stream_events(response, turn, controls),
        headers,
        error_event=event("message-end", id=response["id"], delta=failure),
    )


def content_tokens(content: Any) -> int:
    """A string, or parts: text, image_url (flat cost) and document (words of its data)."""
    if isinstance(content, str):
        return count_words(content)
    total = 0
    for part in content if isinstance(content, list) else []:
        if not isinstance(part, dict):
            continue
        if part.get("type") == "image_url":
            total += IMAGE_TOKENS
        elif part.get("type") == "document":
            total += value_words((part.get("document") or {}).get("data"))
        else:
            total += count_words(str(part.get("text") or ""))
    return total


def prompt_tokens(body: dict[str, Any]) -> int:
    total = documents_words(body.get("documents"))
    for message in body["messages"]:
        if not isinstance(message, dict):
            continue
        total += content_tokens(message.get("content"))
        total += count_words(str(message.get("tool_plan") or ""))
        for call in message.get("tool_calls") or []:
            total += count_words(str(((call or {}).get("function") or {}).get("arguments") or ""))
    return total


def last_user_text(messages: list[Any]) -> str:
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str):
                return content
            parts = content if isinstance(content, list) else []
            return " ".join(
                str(p.get("text")) for p in parts if isinstance(p, dict) and p.get("text")
            )
    return ""


def plan_turn(body: dict[str, Any], controls: Controls) -> Turn:
    messages = body["messages"]
    source = last_user_text(messages)
    thinking_config = body.get("thinking") if isinstance(body.get("thinking"), dict) else {}
    thinking = (
        reply_text(THINKING_LEAD, source) if thinking_config.get("type") == "enabled" else None
    )
    last = messages[-1] if isinstance(messages[-1], dict) else {}
    # After a tool result the model answers in text, as a real model would.
    if last.get("role") != "tool":
        tool = choose_tool(
            chat_tools(body.get("tools")), disabled=body.get("tool_choice") == "NONE"
        )
        if tool is not None:
            call_id = f"{tool.name}_{digest('tool-call', body)[:12]}"
            call = ToolCall(call_id, tool.name, arguments_for(tool))
            return Turn(Reply(text=plan_line(tool.name), tool_call=call), thinking, "TOOL_CALL")
    fmt = body.get("response_format") if isinstance(body.get("response_format"), dict) else {}
    json_mode = fmt.get("type") == "json_object"
    planned = text_reply(
        source,
        controls,
        schema=fmt.get("json_schema") if json_mode else None,
        json_object=json_mode,
    )
    text, stop = cut_at_stop(planned.text or "", body.get("stop_sequences"))
    text, truncated = truncate_words(text, limit_of(body))
    reply = Reply(text=text, is_json=planned.is_json, truncated=truncated)
    finish = "MAX_TOKENS" if truncated else "STOP_SEQUENCE" if stop else "COMPLETE"
    return Turn(reply, thinking, finish)


def message_of(turn: Turn) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    if turn.thinking is not None:
        content.append({"type": "thinking", "thinking": turn.thinking})
    call = turn.reply.tool_call
    if call is None:
        content.append({"type": "text", "text": turn.reply.text or ""})
        return {"role": "assistant", "content": content}
    message: dict[str, Any] = {"role": "assistant", "tool_plan": turn.reply.text or ""}
    if content:
        message["content"] = content
    message["tool_calls"] = [
        {
            "id": call.call_id,
            "type": "function",
            "function": {"name": call.name, "arguments": call.arguments},
        }
    ]
    return message


def event(kind: str, **fields: Any) -> bytes:
    return sse_event({"type": kind, **fields}, kind)


def stream_events(response: dict[str, Any], turn: Turn, controls: Controls) -> list[bytes]:
    """message-start; content-start/-delta/-end per content item, or tool-plan-delta and
    tool-call-start/-delta/-end; message-end with the finish reason and usage."""
    opening = {
        "role": "assistant",
        "content": [],
        "tool_plan": "",
        "tool_calls": [],
        "citations": [],
    }
    events = [event("message-start", id=response["id"], delta={"message": opening})]
    index = 0
    if turn.thinking is not None:
        events.extend(content_events(index, "thinking", split_text(turn.thinking, None)))
        index += 1
    call = turn.reply.tool_call
    if call is None:
        events.extend(content_events(index, "text", turn.reply.pieces(controls)))
    else:
        events.extend(
            event("tool-plan-delta", delta={"message": {"tool_plan": piece}})
            for piece in split_text(turn.reply.text or "", None)
        )
        opened = {
            "id": call.call_id,
            "type": "function",
            "function": {"name": call.name, "arguments": ""},
        }
        events.append(event("tool-call-start", index=0, delta={"message": {"tool_calls": opened}}))
        events.extend(
            event(
                "tool-call-delta",
                index=0,
                delta={"message": {"tool_calls": {"function": {"arguments": piece}}}},
            )
            for piece in turn.reply.pieces(controls)
        )
        events.append(event("tool-call-end", index=0))
    ending = {"finish_reason": response["finish_reason"], "usage": response["usage"]}
    events.append(event("message-end", id=response["id"], delta=ending))
    return events


def content_events(index: int, kind: str, pieces: list[str]) -> list[bytes]:
    start = {"message": {"content": {"type": kind, kind: ""}}}
    return [
        event("content-start", index=index, delta=start),
        *(
            event("content-delta", index=index, delta={"message": {"content": {kind: piece}}})
            for piece in pieces
        ),
        event("content-end", index=index),
    ]
