"""POST /v1/chat (`cohere.Client.chat`), plain and streamed as NDJSON events."""

from __future__ import annotations

import json
from typing import Any

from ..controls import Controls
from ..ndjson import ndjson_response
from ..replies import Reply, text_reply
from ..textgen import count_words, cut_at_stop, split_text, truncate_words
from ..tooling import FunctionTool, ToolCall, arguments_for, choose_tool
from ..wire import EmulatedResponse, json_response
from . import errors
from .common import (
    STREAM_CONTENT_TYPE,
    counts,
    documents_words,
    limit_of,
    output_tokens,
    plan_line,
    uuid_for,
    value_words,
)

# Python-style type names of v1 `parameter_definitions`, as JSON schema types.
PARAMETER_TYPES = {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}


def create(body: dict[str, Any], controls: Controls, tool_chunks: bool = True) -> EmulatedResponse:
    """`tool_chunks`: whether the stream may carry `tool-calls-chunk` events."""
    message = body.get("message")
    if not isinstance(message, str):
        return errors.bad_request("message must be a string")
    reply, finish = plan_reply(body, controls)
    meta = {
        "api_version": {"version": "1"},
        **counts(prompt_tokens(body), output_tokens(reply), controls),
    }
    response = response_object(body, reply, finish, meta)
    headers = errors.trace_headers(body)
    if not body.get("stream"):
        return json_response(200, response, headers)
    failed = {**response, "text": "", "finish_reason": "ERROR"}
    failed.pop("tool_calls", None)
    error = {"is_finished": True, "event_type": "stream-end", "finish_reason": "ERROR"}
    return ndjson_response(
        stream_lines(response, reply, controls, tool_chunks),
        STREAM_CONTENT_TYPE,
        headers,
        error={**error, "response": failed},
    )


def prompt_tokens(body: dict[str, Any]) -> int:
    total = count_words(str(body.get("preamble") or "")) + count_words(str(body["message"]))
    for turn in body.get("chat_history") or []:
        if isinstance(turn, dict):
            total += count_words(str(turn.get("message") or ""))
            total += value_words(
                [result.get("outputs") for result in turn.get("tool_results") or []]
            )
            total += sum(
                count_words(json.dumps(c.get("parameters", {})))
                for c in turn.get("tool_calls") or []
            )
    total += value_words([result.get("outputs") for result in body.get("tool_results") or []])
    return total + documents_words(body.get("documents"))


def tools_of(tools: Any) -> list[FunctionTool]:
    """v1 tools describe parameters as `parameter_definitions`; turned into a JSON schema."""
    found: list[FunctionTool] = []
    for tool in tools if isinstance(tools, list) else []:
        if not isinstance(tool, dict) or not isinstance(tool.get("name"), str):
            continue
        definitions = tool.get("parameter_definitions") or {}
        schema = {
            "type": "object",
            "properties": {
                name: {"type": PARAMETER_TYPES.get(str(spec.get("type")), "string")}
                for name, spec in definitions.items()
                if isinstance(spec, dict)
            },
            "required": [
                n
                for n, spec in definitions.items()
                if isinstance(spec, dict) and spec.get("required")
            ],
        }
        found.append(FunctionTool(tool["name"], schema))
    return found


def plan_reply(body: dict[str, Any], controls: Controls) -> tuple[Reply, str]:
    """A tool call while tools are offered and no results came back, else text."""
    if not body.get("tool_results"):
        tool = choose_tool(tools_of(body.get("tools")))
        if tool is not None:
            call = ToolCall(uuid_for("call", body), tool.name, arguments_for(tool))
            return Reply(text=plan_line(tool.name), tool_call=call), "COMPLETE"
    fmt = body.get("response_format") if isinstance(body.get("response_format"), dict) else {}
    json_mode = fmt.get("type") == "json_object"
    planned = text_reply(
        body["message"],
        controls,
        schema=fmt.get("schema") if json_mode else None,
        json_object=json_mode,
    )
    text, _stop = cut_at_stop(planned.text or "", body.get("stop_sequences"))
    text, truncated = truncate_words(text, limit_of(body))
    reply = Reply(text=text, is_json=planned.is_json, truncated=truncated)
    return reply, "MAX_TOKENS" if truncated else "COMPLETE"


def tool_calls(reply: Reply) -> list[dict[str, Any]]:
    call = reply.tool_call
    return [] if call is None else [{"name": call.name, "parameters": json.loads(call.arguments)}]


def response_object(
    body: dict[str, Any], reply: Reply, finish: str, meta: dict[str, Any]
) -> dict[str, Any]:
    history = [turn for turn in body.get("chat_history") or [] if isinstance(turn, dict)]
    answer: dict[str, Any] = {"role": "CHATBOT", "message": reply.text or ""}
    if reply.tool_call is not None:
        answer["tool_calls"] = tool_calls(reply)
    response: dict[str, Any] = {
        "response_id": uuid_for("response", body),
        "text": reply.text or "",
        "generation_id": uuid_for("generation", body),
        "chat_history": [*history, {"role": "USER", "message": body["message"]}, answer],
        "finish_reason": finish,
        "meta": meta,
    }
    if reply.tool_call is not None:
        response["tool_calls"] = tool_calls(reply)
    if isinstance(body.get("documents"), list):
        response["documents"] = [
            {"id": f"doc_{index}", **document}
            for index, document in enumerate(body["documents"])
            if isinstance(document, dict)
        ]
    return response


def stream_lines(
    response: dict[str, Any], reply: Reply, controls: Controls, tool_chunks: bool
) -> list[dict[str, Any]]:
    """stream-start, text-generation pieces (or tool-calls-chunk pieces and
    tool-calls-generation), then stream-end carrying the whole response."""

    def line(event_type: str, **fields: Any) -> dict[str, Any]:
        return {"is_finished": False, "event_type": event_type, **fields}

    lines = [line("stream-start", generation_id=response["generation_id"])]
    call = reply.tool_call
    if call is None:
        lines.extend(line("text-generation", text=piece) for piece in reply.pieces(controls))
    else:
        plan = reply.text or ""
        if tool_chunks:
            lines.extend(line("tool-calls-chunk", text=piece) for piece in split_text(plan, None))
            lines.append(line("tool-calls-chunk", tool_call_delta={"index": 0, "name": call.name}))
            lines.extend(
                line("tool-calls-chunk", tool_call_delta={"index": 0, "parameters": piece})
                for piece in reply.pieces(controls)
            )
        lines.append(line("tool-calls-generation", text=plan, tool_calls=response["tool_calls"]))
    end = {
        "event_type": "stream-end",
        "finish_reason": response["finish_reason"],
        "response": response,
    }
    lines.append({"is_finished": True, **end})
    return lines
