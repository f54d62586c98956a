"""v2 chat (``ClientV2.chat`` / ``chat_stream``, cohere >= 5.8): OpenAI-like ``messages`` with
Cohere's content items, ``documents``, tool plans; the SSE stream's typed events."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from opentelemetry.instrumentation.agentops.cohere._common import (
    CohereMapper,
    document_text,
    documents_message,
    finish_reason,
    is_list,
    plain,
    usage_of,
)
from opentelemetry.instrumentation.agentops.core import (
    Call,
    Request,
    Response,
    StreamAccumulator,
)
from opentelemetry.instrumentation.agentops.core.chat_format import (
    content_parts,
    tool_arguments,
    tool_definitions,
)
from opentelemetry.instrumentation.agentops.core.openai_compatible import output_type_of
from opentelemetry.instrumentation.agentops.core.values import as_str, field, text_size
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as GenAI
from opentelemetry.util.genai.types import (
    InputMessage,
    MessagePart,
    OutputMessage,
    ReasoningPart,
    TextPart,
    ToolCallRequestPart,
    ToolCallResponsePart,
)

__all__ = ["V2ChatMapper", "V2ChatStream"]

_CHAT: Final = GenAI.GenAiOperationNameValues.CHAT.value


class V2ChatMapper(CohereMapper):
    """``V2Client.chat`` and, with ``stream=True``, ``chat_stream`` (sync and async)."""

    operation = _CHAT

    def request(self, call: Call, capture_content: bool) -> Request[None] | None:
        arguments = call.arguments
        request = self.new_request(call, sampled=True)
        request.output_type = output_type_of(arguments.get("response_format"))
        request.prompt_size = lambda: _prompt_size(arguments)
        if capture_content:
            system, messages = input_messages(arguments.get("messages"))
            request.system_instructions = system or None
            documents = documents_message(arguments.get("documents"))
            if documents is not None:
                messages.append(documents)
            request.input_messages = messages
            request.tool_definitions = tool_definitions(arguments.get("tools"))
        return request

    def response(self, result: Any, request: Request[None], capture_content: bool) -> Response:
        reason = finish_reason(field(result, "finish_reason"))
        response = Response(
            id=as_str(field(result, "id")),
            finish_reasons=[reason] if reason else None,
            usage=usage_of(field(result, "usage")),
        )
        if capture_content:
            response.output_messages = [output_message(field(result, "message"), reason)]
        return response

    def new_stream(self, capture_content: bool) -> StreamAccumulator:
        return V2ChatStream(capture_content)


def _prompt_size(arguments: Mapping[str, Any]) -> int:
    return text_size(arguments.get("messages")) + text_size(arguments.get("documents"))


def _content(content: Any) -> list[MessagePart]:
    """A string, or content items: ``text``, ``image_url``, ``thinking``, ``document``."""
    if not is_list(content):
        return content_parts(content)
    parts: list[MessagePart] = []
    for item in content:
        kind = field(item, "type")
        if kind == "thinking":
            parts.append(ReasoningPart(content=str(field(item, "thinking", ""))))
        elif kind == "document":
            parts.append(TextPart(content=document_text(field(item, "document"))))
        else:
            parts.extend(content_parts([item]))
    return parts


def _tool_calls(calls: Any) -> list[MessagePart]:
    parts: list[MessagePart] = []
    for call in calls or ():
        function = field(call, "function")
        parts.append(
            ToolCallRequestPart(
                name=str(field(function, "name", "") or ""),
                id=as_str(field(call, "id")),
                arguments=tool_arguments(field(function, "arguments")),
            )
        )
    return parts


def _assistant_parts(message: Any) -> list[MessagePart]:
    parts = _content(field(message, "content"))
    plan = field(message, "tool_plan")
    if isinstance(plan, str) and plan:
        # The model's stated plan before it calls tools.
        parts.append(ReasoningPart(content=plan))
    parts.extend(_tool_calls(field(message, "tool_calls")))
    return parts


def input_messages(messages: Any) -> tuple[list[MessagePart], list[InputMessage]]:
    """System instructions (the system messages the conversation opens with, which Cohere
    turns into the preamble) and the other messages."""
    system: list[MessagePart] = []
    result: list[InputMessage] = []
    for message in messages if is_list(messages) else ():
        role = str(field(message, "role", "user"))
        content = field(message, "content")
        if role == "system" and not result:
            system.extend(_content(content))
        elif role == "tool":
            response = content if isinstance(content, str) else plain(content)
            part = ToolCallResponsePart(
                response=response, id=as_str(field(message, "tool_call_id"))
            )
            result.append(InputMessage(role="tool", parts=[part]))
        elif role == "assistant":
            result.append(InputMessage(role=role, parts=_assistant_parts(message)))
        else:
            result.append(InputMessage(role=role, parts=_content(content)))
    return system, result


def output_message(message: Any, reason: str | None) -> OutputMessage:
    return OutputMessage(
        role=str(field(message, "role", None) or "assistant"),
        parts=_assistant_parts(message) if message is not None else [],
        finish_reason=reason,
    )


class V2ChatStream(StreamAccumulator):
    """Follows the v2 SSE stream: ``message-start``, ``content-*``, ``tool-plan-delta``,
    ``tool-call-*``, ``message-end`` (finish reason and usage)."""

    __slots__ = ("_calls", "_capture", "_content", "_id", "_plan", "_reason", "_usage")

    def __init__(self, capture_content: bool) -> None:
        super().__init__()
        self._capture = capture_content
        self._id: str | None = None
        self._reason: str | None = None
        self._usage: Any = None
        self._content: list[dict[str, Any]] = []
        self._plan: list[str] = []
        self._calls: list[dict[str, Any]] = []

    def add(self, chunk: Any) -> bool:
        kind = field(chunk, "type")
        delta = field(chunk, "delta")
        message = field(delta, "message") if delta is not None else None
        if kind == "content-delta":
            item = field(message, "content")
            for name in ("text", "thinking"):
                self._add_text(field(item, name), name)
        elif kind == "tool-plan-delta":
            plan = field(message, "tool_plan")
            if isinstance(plan, str):
                self.output_chars += len(plan)
                if self._capture:
                    self._plan.append(plan)
        elif kind == "tool-call-delta":
            function = field(field(message, "tool_calls"), "function")
            arguments = field(function, "arguments")
            if isinstance(arguments, str):
                self.output_chars += len(arguments)
                if self._capture and self._calls:
                    self._calls[-1]["function"]["arguments"] += arguments
        elif kind == "content-start" and self._capture:
            item = field(message, "content")
            self._content.append({"type": as_str(field(item, "type")) or "text", "pieces": []})
        elif kind == "tool-call-start" and self._capture:
            call = field(message, "tool_calls")
            function = field(call, "function")
            self._calls.append(
                {
                    "id": as_str(field(call, "id")),
                    "function": {
                        "name": as_str(field(function, "name")) or "",
                        "arguments": as_str(field(function, "arguments")) or "",
                    },
                }
            )
        elif kind == "message-start":
            self._id = as_str(field(chunk, "id"))
        elif kind == "message-end":
            self._id = self._id or as_str(field(chunk, "id"))
            self._reason = finish_reason(field(delta, "finish_reason"))
            self._usage = field(delta, "usage")
        return True

    def _add_text(self, text: Any, kind: str) -> None:
        if not isinstance(text, str):
            return
        self.output_chars += len(text)
        if self._capture:
            if not self._content:
                self._content.append({"type": kind, "pieces": []})
            self._content[-1]["pieces"].append(text)

    def response(self) -> Response:
        response = Response(
            id=self._id,
            finish_reasons=[self._reason] if self._reason else None,
            usage=usage_of(self._usage),
        )
        if self._capture:
            content = [
                {"type": item["type"], item["type"]: "".join(item["pieces"])}
                for item in self._content
            ]
            message = {
                "content": content,
                "tool_plan": "".join(self._plan),
                "tool_calls": self._calls,
            }
            response.output_messages = [output_message(message, self._reason)]
        return response
