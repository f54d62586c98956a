"""Chat completions in any `ChatDialect`: plan the replies, then answer as JSON or as SSE."""

from __future__ import annotations

from typing import Any

from ..controls import Controls
from ..replies import Reply
from ..sse import sse_event, sse_response
from ..tooling import ToolCall, arguments_for
from ..wire import EmulatedResponse, json_response
from .content import last_user_text, prompt_tokens
from .dialect import ChatDialect, TokenCounts
from .replies import text_reply
from .tooling import chat_tools, pick_tool

DONE = b"data: [DONE]\n\n"


def create(dialect: ChatDialect, body: dict[str, Any], controls: Controls) -> EmulatedResponse:
    """POST .../chat/completions; `body` is a JSON object whose `model` was already checked."""
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return dialect.errors.missing_parameter("messages")
    n = body.get("n") or 1
    if not isinstance(n, int) or not 1 <= n <= dialect.max_choices:
        return dialect.errors.invalid_value(
            "n", f"Invalid 'n': must be between 1 and {dialect.max_choices}."
        )
    if body.get("stream_options") is not None and not body.get("stream"):
        return dialect.errors.invalid_value(
            "stream_options",
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
        )
    replies = [plan_reply(dialect, body, messages, index, controls) for index in range(n)]
    counts = TokenCounts(
        prompt=prompt_tokens(messages),
        completion=sum(reply.visible_tokens for reply in replies),
        reasoning=dialect.reasoning_tokens(body["model"], n),
        cached=controls.cached_tokens,
        cache_write=controls.cache_write_tokens,
    )
    return respond(dialect, body, replies, counts, controls)


def token_limit(dialect: ChatDialect, body: dict[str, Any]) -> int | None:
    for field in dialect.max_tokens_fields:
        value = body.get(field)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def plan_reply(
    dialect: ChatDialect, body: dict[str, Any], messages: list[Any], index: int, controls: Controls
) -> Reply:
    last = messages[-1] if isinstance(messages[-1], dict) else {}
    # After a tool result the model answers in text, as a real model would.
    if last.get("role") not in ("tool", "function"):
        tool = pick_tool(chat_tools(body.get("tools")), body.get("tool_choice"))
        if tool is not None:
            call_id = dialect.tool_call_id(body, index)
            return Reply(tool_call=ToolCall(call_id, tool.name, arguments_for(tool)))
    fmt = body.get("response_format") if isinstance(body.get("response_format"), dict) else None
    schema = ((fmt or {}).get("json_schema") or {}).get("schema")
    limit = token_limit(dialect, body)
    return text_reply(last_user_text(messages), fmt, schema, index, controls, limit)


def finish_reason(reply: Reply) -> str:
    if reply.tool_call is not None:
        return "tool_calls"
    return "length" if reply.truncated else "stop"


def respond(
    dialect: ChatDialect,
    body: dict[str, Any],
    replies: list[Reply],
    counts: TokenCounts,
    controls: Controls,
) -> EmulatedResponse:
    """The completion for planned `replies`: JSON, or SSE when the body asks to stream."""
    usage = dialect.usage(counts, body)
    completion_id = dialect.completion_id(body)
    headers = dialect.headers(body)
    if body.get("stream"):
        events = stream_events(dialect, body, completion_id, replies, usage, controls)
        return sse_response(events, headers, error_event=dialect.errors.stream_error_event())
    completion = {
        **dialect.metadata(body, completion_id, "chat.completion"),
        "choices": [choice(dialect, index, reply) for index, reply in enumerate(replies)],
        "usage": usage,
    }
    return json_response(200, completion, headers)


def choice(dialect: ChatDialect, index: int, reply: Reply) -> dict[str, Any]:
    entry: dict[str, Any] = {"index": index, "message": dialect.message(reply)}
    if dialect.choice_logprobs:
        entry["logprobs"] = None
    entry["finish_reason"] = finish_reason(reply)
    return entry


def stream_events(
    dialect: ChatDialect,
    body: dict[str, Any],
    completion_id: str,
    replies: list[Reply],
    usage: dict[str, Any],
    controls: Controls,
) -> list[bytes]:
    """Per choice: a role delta, the content (or tool call) deltas, a finishing delta; then
    usage where the dialect puts it, then `[DONE]`."""
    base = dialect.metadata(body, completion_id, "chat.completion.chunk")

    def chunk(index: int, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        entry: dict[str, Any] = {"index": index, "delta": delta}
        if dialect.choice_logprobs:
            entry["logprobs"] = None
        entry["finish_reason"] = finish
        return {**base, "choices": [entry]}

    chunks: list[dict[str, Any]] = []
    for index, reply in enumerate(replies):
        pieces = reply.pieces(controls)
        call = reply.tool_call
        if call is None:
            chunks.append(chunk(index, dict(dialect.role_delta)))
            chunks.extend(chunk(index, {"content": piece}) for piece in pieces)
        elif dialect.streams_tool_arguments:
            opening = {
                "index": 0,
                "id": call.call_id,
                "type": "function",
                "function": {"name": call.name, "arguments": ""},
            }
            role = {"role": "assistant", "content": None, "tool_calls": [opening]}
            chunks.append(chunk(index, role))
            chunks.extend(
                chunk(index, {"tool_calls": [{"index": 0, "function": {"arguments": piece}}]})
                for piece in pieces
            )
        else:
            whole = {"index": 0, **dialect.tool_call(call)}
            chunks.append(chunk(index, dict(dialect.role_delta)))
            chunks.append(chunk(index, {"tool_calls": [whole]}))
        chunks.append(chunk(index, dict(dialect.finish_delta), finish_reason(reply)))
    dialect.place_stream_usage(chunks, base, usage, body)
    return [*(sse_event(chunk) for chunk in chunks), DONE]
