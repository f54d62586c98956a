"""POST /v1/responses: the Responses API, plain and streamed as typed events."""

from __future__ import annotations

from typing import Any

from ..controls import Controls
from ..openai_compat.content import text_of
from ..openai_compat.replies import text_reply
from ..openai_compat.tooling import pick_tool, responses_tools
from ..replies import Reply
from ..sse import sse_event, sse_response
from ..textgen import CREATED, IMAGE_TOKENS, count_words, make_id
from ..tooling import ToolCall, arguments_for
from ..wire import EmulatedResponse, json_response
from . import errors
from .common import base_headers, reasoning_tokens


def create(body: dict[str, Any], controls: Controls) -> EmulatedResponse:
    raw_input = body.get("input")
    if raw_input is None:
        return errors.missing_parameter("input")
    items = input_items(raw_input)
    if items is None:
        return errors.invalid_value("input", "Invalid 'input': expected a string or list.")
    reply = plan_reply(body, items, controls)
    output = output_items(body, reply)
    response = response_object(body, output, reply, usage(body, items, reply, controls))
    headers = base_headers(body)
    if body.get("stream"):
        events = stream_events(response, reply, controls)
        # Numbered for the place where the `stream-error` fault puts it: after half the events.
        error_event = errors.responses_error_event(max(1, len(events) // 2))
        return sse_response(events, headers, error_event=error_event)
    return json_response(200, response, headers)


def input_items(raw: Any) -> list[dict[str, Any]] | None:
    """The input as a list of items; a bare string is one user message."""
    if isinstance(raw, str):
        return [{"type": "message", "role": "user", "content": raw}]
    if isinstance(raw, list):
        return [item for item in raw if isinstance(item, dict)]
    return None


def item_text(item: dict[str, Any]) -> tuple[str, int]:
    """Text and image count of one input item, whatever its type."""
    kind = item.get("type", "message")
    if kind == "function_call":
        return str(item.get("arguments", "")), 0
    if kind == "function_call_output":
        output = item.get("output", "")
        return text_of(output) if isinstance(output, list) else (str(output), 0)
    return text_of(item.get("content"))


def input_tokens(body: dict[str, Any], items: list[dict[str, Any]]) -> int:
    instructions = body.get("instructions")
    total = count_words(instructions) if isinstance(instructions, str) else 0
    for item in items:
        text, images = item_text(item)
        total += count_words(text) + images * IMAGE_TOKENS
    return total


def plan_reply(body: dict[str, Any], items: list[dict[str, Any]], controls: Controls) -> Reply:
    last_type = items[-1].get("type") if items else None
    # After a function result the model answers in text, as a real model would.
    if last_type != "function_call_output":
        tool = pick_tool(responses_tools(body.get("tools")), body.get("tool_choice"))
        if tool is not None:
            call_id = make_id("call_", "responses-tool", body)
            return Reply(tool_call=ToolCall(call_id, tool.name, arguments_for(tool)))
    user_texts = [item_text(item)[0] for item in items if item.get("role") == "user"]
    fmt = (body.get("text") or {}).get("format")
    fmt = fmt if isinstance(fmt, dict) else None
    schema = (fmt or {}).get("schema")
    limit = body.get("max_output_tokens")
    return text_reply(user_texts[-1] if user_texts else "", fmt, schema, 0, controls, limit)


def output_items(body: dict[str, Any], reply: Reply) -> list[dict[str, Any]]:
    """Completed output: a reasoning item for reasoning models, then a message or call."""
    model = body["model"]
    items: list[dict[str, Any]] = []
    if reasoning_tokens(model):
        items.append({"id": make_id("rs_", "reasoning", body), "type": "reasoning", "summary": []})
    if reply.tool_call is not None:
        call = reply.tool_call
        items.append(
            {
                "id": make_id("fc_", "function-call", body),
                "type": "function_call",
                "status": "completed",
                "arguments": call.arguments,
                "call_id": call.call_id,
                "name": call.name,
            }
        )
    else:
        items.append(
            {
                "id": make_id("msg_", "message", body),
                "type": "message",
                "status": "incomplete" if reply.truncated else "completed",
                "role": "assistant",
                "content": [output_text(reply.text or "")],
            }
        )
    return items


def output_text(text: str) -> dict[str, Any]:
    return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}


def usage(
    body: dict[str, Any], items: list[dict[str, Any]], reply: Reply, controls: Controls
) -> dict[str, Any]:
    # Cached and cache-written tokens are a prefix of the input, so they count in it too.
    prompt = input_tokens(body, items) + controls.cached_tokens + controls.cache_write_tokens
    reasoning = reasoning_tokens(body["model"])
    output = reply.visible_tokens + reasoning
    return {
        "input_tokens": prompt,
        "input_tokens_details": {
            "cached_tokens": controls.cached_tokens,
            "cache_write_tokens": controls.cache_write_tokens,
        },
        "output_tokens": output,
        "output_tokens_details": {"reasoning_tokens": reasoning},
        "total_tokens": prompt + output,
    }


def response_object(
    body: dict[str, Any], output: list[dict[str, Any]], reply: Reply, usage: dict[str, Any]
) -> dict[str, Any]:
    """The full response; request settings are echoed back the way the real API does."""
    fmt = (body.get("text") or {}).get("format") or {"type": "text"}
    return {
        "id": make_id("resp_", "response", body, length=32),
        "object": "response",
        "created_at": CREATED,
        "status": "incomplete" if reply.truncated else "completed",
        "background": False,
        "error": None,
        "incomplete_details": {"reason": "max_output_tokens"} if reply.truncated else None,
        "instructions": body.get("instructions"),
        "max_output_tokens": body.get("max_output_tokens"),
        "max_tool_calls": None,
        "model": body["model"],
        "output": output,
        "parallel_tool_calls": body.get("parallel_tool_calls", True),
        "previous_response_id": body.get("previous_response_id"),
        "reasoning": {"effort": (body.get("reasoning") or {}).get("effort"), "summary": None},
        "service_tier": "default",
        "store": body.get("store", True),
        "temperature": body.get("temperature", 1.0),
        "text": {"format": fmt, "verbosity": "medium"},
        "tool_choice": body.get("tool_choice", "auto"),
        "tools": body.get("tools") or [],
        "top_p": body.get("top_p", 1.0),
        "truncation": body.get("truncation", "disabled"),
        "usage": usage,
        "user": body.get("user"),
        "metadata": body.get("metadata") or {},
    }


class _Events:
    """Numbers events in order, the way the API's `sequence_number` does."""

    def __init__(self) -> None:
        self.encoded: list[bytes] = []

    def add(self, kind: str, **fields: Any) -> None:
        event = {"type": kind, "sequence_number": len(self.encoded), **fields}
        self.encoded.append(sse_event(event, event=kind))


def stream_events(response: dict[str, Any], reply: Reply, controls: Controls) -> list[bytes]:
    """created, in_progress, each output item with its deltas, then completed (or incomplete)."""
    events = _Events()
    pending = {**response, "status": "in_progress", "output": [], "usage": None}
    pending["incomplete_details"] = None
    events.add("response.created", response=pending)
    events.add("response.in_progress", response=pending)
    for index, item in enumerate(response["output"]):
        if item["type"] == "message":
            stream_message(events, index, item, reply.pieces(controls))
        elif item["type"] == "function_call":
            stream_function_call(events, index, item, reply.pieces(controls))
        else:
            events.add("response.output_item.added", output_index=index, item=item)
            events.add("response.output_item.done", output_index=index, item=item)
    final = "response.incomplete" if response["status"] == "incomplete" else "response.completed"
    events.add(final, response=response)
    return events.encoded


def stream_message(events: _Events, index: int, item: dict[str, Any], pieces: list[str]) -> None:
    item_id = item["id"]
    text = item["content"][0]["text"]
    place = {"item_id": item_id, "output_index": index, "content_index": 0}
    events.add(
        "response.output_item.added",
        output_index=index,
        item={**item, "status": "in_progress", "content": []},
    )
    events.add("response.content_part.added", **place, part=output_text(""))
    for piece in pieces:
        events.add("response.output_text.delta", **place, delta=piece, logprobs=[])
    events.add("response.output_text.done", **place, text=text, logprobs=[])
    events.add("response.content_part.done", **place, part=output_text(text))
    events.add("response.output_item.done", output_index=index, item=item)


def stream_function_call(
    events: _Events, index: int, item: dict[str, Any], pieces: list[str]
) -> None:
    place = {"item_id": item["id"], "output_index": index}
    events.add(
        "response.output_item.added",
        output_index=index,
        item={**item, "status": "in_progress", "arguments": ""},
    )
    for piece in pieces:
        events.add("response.function_call_arguments.delta", **place, delta=piece)
    events.add(
        "response.function_call_arguments.done",
        **place,
        name=item["name"],
        arguments=item["arguments"],
    )
    events.add("response.output_item.done", output_index=index, item=item)
