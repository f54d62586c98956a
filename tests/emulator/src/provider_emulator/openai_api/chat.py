"""POST /v1/chat/completions, plain and streamed."""

from __future__ import annotations

from typing import Any

from ..controls import Controls
from ..sse import sse_event, sse_response
from ..textgen import IMAGE_TOKENS, count_words, make_id
from ..wire import EmulatedResponse, json_response
from . import errors
from .common import (
    CREATED,
    base_headers,
    chat_usage,
    reasoning_tokens,
    stream_error_event,
    system_fingerprint,
    text_of,
)
from .replies import Reply, text_reply
from .tooling import ToolCall, arguments_for, chat_tools, pick_tool

DONE = b"data: [DONE]\n\n"
MAX_CHOICES = 128


def create(body: dict[str, Any], controls: Controls) -> EmulatedResponse:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return errors.missing_parameter("messages")
    n = body.get("n") or 1
    if not isinstance(n, int) or not 1 <= n <= MAX_CHOICES:
        return errors.invalid_value("n", f"Invalid 'n': must be between 1 and {MAX_CHOICES}.")
    stream = bool(body.get("stream"))
    if body.get("stream_options") is not None and not stream:
        return errors.invalid_value(
            "stream_options",
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
        )

    model = body["model"]
    replies = [plan_reply(body, messages, index, controls) for index in range(n)]
    usage = chat_usage(
        prompt=prompt_tokens(messages),
        visible=sum(reply.visible_tokens for reply in replies),
        reasoning=reasoning_tokens(model, n),
        cached=controls.cached_tokens,
        cache_write=controls.cache_write_tokens,
    )
    meta = {
        "id": make_id("chatcmpl-", "chat", body),
        "created": CREATED,
        "model": model,
        "service_tier": "default",
        "system_fingerprint": system_fingerprint(model),
    }
    headers = base_headers(body)
    if stream:
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        events = stream_events(meta, replies, usage if include_usage else None, controls)
        response = sse_response(events, headers)
        response.error_event = stream_error_event()
        return response
    completion = {
        **meta,
        "object": "chat.completion",
        "choices": [choice(index, reply) for index, reply in enumerate(replies)],
        "usage": usage,
    }
    return json_response(200, completion, headers)


def prompt_tokens(messages: list[Any]) -> int:
    """Words of all message text and tool-call arguments, plus a flat cost per image."""
    total = 0
    for message in messages:
        if not isinstance(message, dict):
            continue
        text, images = text_of(message.get("content"))
        total += count_words(text) + images * IMAGE_TOKENS
        for call in message.get("tool_calls") or []:
            function = call.get("function") if isinstance(call, dict) else None
            if isinstance(function, dict):
                total += count_words(str(function.get("arguments", "")))
    return total


def last_user_text(messages: list[Any]) -> str:
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            return text_of(message.get("content"))[0]
    return ""


def plan_reply(body: dict[str, Any], messages: list[Any], index: int, controls: Controls) -> Reply:
    last = messages[-1] if isinstance(messages[-1], dict) else {}
    # After a tool result the model answers in text, as a real model would.
    if last.get("role") not in ("tool", "function"):
        tool = pick_tool(chat_tools(body.get("tools")), body.get("tool_choice"))
        if tool is not None:
            call_id = make_id("call_", "chat-tool", body, index)
            return Reply(tool_call=ToolCall(call_id, tool.name, arguments_for(tool)))
    fmt = body.get("response_format") if isinstance(body.get("response_format"), dict) else None
    schema = ((fmt or {}).get("json_schema") or {}).get("schema")
    limit = body.get("max_completion_tokens") or body.get("max_tokens")
    return text_reply(last_user_text(messages), fmt, schema, index, controls, limit)


def finish_reason(reply: Reply) -> str:
    if reply.tool_call is not None:
        return "tool_calls"
    return "length" if reply.truncated else "stop"


def choice(index: int, reply: Reply) -> dict[str, Any]:
    message: dict[str, Any] = {
        "role": "assistant",
        "content": reply.text,
        "refusal": None,
        "annotations": [],
    }
    if reply.tool_call is not None:
        message["tool_calls"] = [tool_call_object(reply.tool_call)]
    return {
        "index": index,
        "message": message,
        "logprobs": None,
        "finish_reason": finish_reason(reply),
    }


def tool_call_object(call: ToolCall) -> dict[str, Any]:
    return {
        "id": call.call_id,
        "type": "function",
        "function": {"name": call.name, "arguments": call.arguments},
    }


def stream_events(
    meta: dict[str, Any], replies: list[Reply], usage: dict[str, Any] | None, controls: Controls
) -> list[bytes]:
    """Per choice: a role delta, the content (or arguments) deltas, a finish delta.

    With `include_usage` every chunk carries `"usage": null` and one extra chunk with no
    choices carries the usage, just before `[DONE]`, as the real API does.
    """
    base = {**meta, "object": "chat.completion.chunk"}
    if usage is not None:
        base["usage"] = None

    def chunk(index: int, delta: dict[str, Any], finish: str | None = None) -> bytes:
        entry = {"index": index, "delta": delta, "logprobs": None, "finish_reason": finish}
        return sse_event({**base, "choices": [entry]})

    events: list[bytes] = []
    for index, reply in enumerate(replies):
        pieces = reply.pieces(controls)
        if reply.tool_call is not None:
            call = reply.tool_call
            opening = {
                "index": 0,
                "id": call.call_id,
                "type": "function",
                "function": {"name": call.name, "arguments": ""},
            }
            events.append(
                chunk(index, {"role": "assistant", "content": None, "tool_calls": [opening]})
            )
            events.extend(
                chunk(index, {"tool_calls": [{"index": 0, "function": {"arguments": piece}}]})
                for piece in pieces
            )
        else:
            events.append(chunk(index, {"role": "assistant", "content": "", "refusal": None}))
            events.extend(chunk(index, {"content": piece}) for piece in pieces)
        events.append(chunk(index, {}, finish_reason(reply)))
    if usage is not None:
        events.append(sse_event({**base, "choices": [], "usage": usage}))
    events.append(DONE)
    return events
