"""POST /api/chat and /api/generate: JSON, or NDJSON whose last line (`done: true`) carries the
token counts and nanosecond durations."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..controls import Controls
from ..ndjson import ndjson_response
from ..openai_compat.tooling import chat_tools
from ..replies import REPLY_LEAD, Reply, text_reply
from ..textgen import CREATED, IMAGE_TOKENS, count_words, cut_at_stop, make_id
from ..tooling import ToolCall, arguments_for, choose_tool
from ..wire import EmulatedResponse, json_response
from . import errors

NDJSON_CONTENT_TYPE = "application/x-ndjson"
CREATED_AT = datetime.fromtimestamp(CREATED, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"
GENERATE_LEAD = "Emulated completion of:"
# Deterministic stand-ins for the durations the server reports, in nanoseconds.
LOAD_NS = 1_000_000
PROMPT_EVAL_NS_PER_TOKEN = 100_000
EVAL_NS_PER_TOKEN = 10_000_000
OVERHEAD_NS = 500_000


@dataclass(frozen=True)
class Generation:
    """A planned answer: the reply, why it ended, and the tokens on each side."""

    reply: Reply
    done_reason: str
    prompt_tokens: int

    @property
    def eval_count(self) -> int:
        return self.reply.visible_tokens


def options_of(body: dict[str, Any]) -> dict[str, Any]:
    options = body.get("options")
    return options if isinstance(options, dict) else {}


def plan(
    body: dict[str, Any],
    source: str,
    prompt_tokens: int,
    controls: Controls,
    lead: str = REPLY_LEAD,
) -> Generation:
    options = options_of(body)
    limit = options.get("num_predict")
    # num_predict -1 (or -2) means no limit.
    limit = limit if isinstance(limit, int) and limit >= 0 else None
    # `format` is "json" or a JSON schema.
    fmt = body.get("format")
    schema = fmt if isinstance(fmt, dict) else None
    reply = text_reply(
        source, controls, schema=schema, json_object=fmt == "json", limit=limit, lead=lead
    )
    # The server stops generating at a stop sequence, without the space before it.
    text, stop = cut_at_stop(reply.text or "", options.get("stop"))
    text = text.rstrip() if stop is not None else text
    # A stop sequence ends the reply as a normal stop, even if the limit would have cut it.
    truncated = reply.truncated and stop is None
    reply = Reply(text=text, is_json=reply.is_json, truncated=truncated)
    return Generation(reply, "length" if reply.truncated else "stop", prompt_tokens)


def timings(generation: Generation) -> dict[str, Any]:
    prompt_ns = generation.prompt_tokens * PROMPT_EVAL_NS_PER_TOKEN
    eval_ns = generation.eval_count * EVAL_NS_PER_TOKEN
    return {
        "done_reason": generation.done_reason,
        "total_duration": LOAD_NS + prompt_ns + eval_ns + OVERHEAD_NS,
        "load_duration": LOAD_NS,
        "prompt_eval_count": generation.prompt_tokens,
        "prompt_eval_duration": prompt_ns,
        "eval_count": generation.eval_count,
        "eval_duration": eval_ns,
    }


def ndjson(lines: list[dict[str, Any]]) -> EmulatedResponse:
    return ndjson_response(lines, NDJSON_CONTENT_TYPE, error=errors.stream_error_line())


def streams(body: dict[str, Any]) -> bool:
    # The server streams unless told not to; the SDKs always say which.
    return body.get("stream") is not False


# --- /api/chat --------------------------------------------------------------------------------


def message_tokens(message: dict[str, Any]) -> int:
    content = message.get("content")
    total = count_words(content) if isinstance(content, str) else 0
    images = message.get("images")
    total += len(images) * IMAGE_TOKENS if isinstance(images, list) else 0
    for call in message.get("tool_calls") or []:
        function = call.get("function") if isinstance(call, dict) else None
        if isinstance(function, dict):
            total += count_words(json.dumps(function.get("arguments") or {}))
    return total


def tool_reply(body: dict[str, Any], messages: list[dict[str, Any]]) -> Reply | None:
    if messages and messages[-1].get("role") == "tool":
        return None
    tool = choose_tool(chat_tools(body.get("tools")))
    if tool is None:
        return None
    # Ollama sends arguments as an object; the reply keeps the JSON text for token counting.
    call_id = make_id("call_", "ollama-tool", body, length=8)
    return Reply(tool_call=ToolCall(call_id, tool.name, arguments_for(tool)))


def chat(body: dict[str, Any], controls: Controls) -> EmulatedResponse:
    raw = body.get("messages")
    if raw is not None and not isinstance(raw, list):
        return errors.error_response(400, "messages must be a list")
    messages = [m for m in raw or [] if isinstance(m, dict)]
    prompt = sum(message_tokens(m) for m in messages)
    reply = tool_reply(body, messages)
    if reply is not None:
        generation = Generation(reply, "stop", prompt)
    else:
        users = [m.get("content") for m in messages if m.get("role") == "user"]
        source = users[-1] if users and isinstance(users[-1], str) else ""
        generation = plan(body, source, prompt, controls)
    base = {"model": body["model"], "created_at": CREATED_AT}
    if not streams(body):
        message = assistant_message(generation.reply, generation.reply.text or "")
        return json_response(200, {**base, "message": message, "done": True, **timings(generation)})
    lines: list[dict[str, Any]] = []
    if generation.reply.tool_call is not None:
        lines.append({**base, "message": assistant_message(generation.reply, ""), "done": False})
    else:
        for piece in generation.reply.pieces(controls):
            message = {"role": "assistant", "content": piece}
            lines.append({**base, "message": message, "done": False})
    final = {"role": "assistant", "content": ""}
    lines.append({**base, "message": final, "done": True, **timings(generation)})
    return ndjson(lines)


def assistant_message(reply: Reply, content: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    call = reply.tool_call
    if call is not None:
        function = {"name": call.name, "arguments": json.loads(call.arguments)}
        message["content"] = ""
        message["tool_calls"] = [{"function": function}]
    return message


# --- /api/generate ----------------------------------------------------------------------------


def generate(body: dict[str, Any], controls: Controls) -> EmulatedResponse:
    texts = [body.get(key) for key in ("system", "prompt", "suffix")]
    prompt = sum(count_words(text) for text in texts if isinstance(text, str))
    images = body.get("images")
    prompt += len(images) * IMAGE_TOKENS if isinstance(images, list) else 0
    source = body.get("prompt") if isinstance(body.get("prompt"), str) else ""
    generation = plan(body, source, prompt, controls, GENERATE_LEAD)
    base = {"model": body["model"], "created_at": CREATED_AT}
    # Token ids of the conversation so far, which a client may send back as `context`.
    context = list(range(1, prompt + generation.eval_count + 1))
    final = {**timings(generation), "context": context}
    if not streams(body):
        text = generation.reply.text or ""
        return json_response(200, {**base, "response": text, "done": True, **final})
    lines = [
        {**base, "response": piece, "done": False} for piece in generation.reply.pieces(controls)
    ]
    lines.append({**base, "response": "", "done": True, **final})
    return ndjson(lines)
