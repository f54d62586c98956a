"""v1 chat (``Client.chat`` / ``chat_stream``): ``message``, ``preamble``, ``chat_history``,
``documents``, ``tools`` / ``tool_results``; the NDJSON stream's events."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from opentelemetry.instrumentation.agentops.cohere._common import (
    CohereMapper,
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
from opentelemetry.instrumentation.agentops.core.openai_compatible import output_type_of
from opentelemetry.instrumentation.agentops.core.values import as_str, field, text_size
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as GenAI
from opentelemetry.util.genai.types import (
    FunctionToolDefinition,
    InputMessage,
    MessagePart,
    OutputMessage,
    TextPart,
    ToolCallRequestPart,
    ToolCallResponsePart,
    ToolDefinition,
)

__all__ = ["V1ChatMapper", "V1ChatStream"]

_CHAT: Final = GenAI.GenAiOperationNameValues.CHAT.value
# v1 roles (upper case on the wire) in the conventions' terms.
_ROLES: Final = {"USER": "user", "CHATBOT": "assistant", "SYSTEM": "system", "TOOL": "tool"}


class V1ChatMapper(CohereMapper):
    """``BaseCohere.chat`` and, with ``stream=True``, ``chat_stream`` (sync and async)."""

    operation = _CHAT

    def request(self, call: Call, capture_content: bool) -> Request[None] | None:
        arguments = call.arguments
        request = self.new_request(call, sampled=True)
        request.output_type = output_type_of(arguments.get("response_format"))
        request.conversation_id = as_str(arguments.get("conversation_id"))
        request.prompt_size = lambda: _prompt_size(arguments)
        if capture_content:
            preamble = arguments.get("preamble")
            if isinstance(preamble, str) and preamble:
                request.system_instructions = [TextPart(content=preamble)]
            request.input_messages = input_messages(arguments)
            request.tool_definitions = tool_definitions(arguments.get("tools"))
        return request

    def response(self, result: Any, request: Request[None], capture_content: bool) -> Response:
        return chat_response(result, None, capture_content)

    def new_stream(self, capture_content: bool) -> StreamAccumulator:
        return V1ChatStream(capture_content)


def _prompt_size(arguments: Mapping[str, Any]) -> int:
    return sum(
        text_size(arguments.get(name))
        for name in ("preamble", "message", "chat_history", "documents", "tool_results")
    )


def _tool_calls(calls: Any) -> list[MessagePart]:
    return [
        ToolCallRequestPart(
            name=str(field(call, "name", "")), id=None, arguments=plain(field(call, "parameters"))
        )
        for call in calls or ()
    ]


def _tool_results(results: Any) -> list[MessagePart]:
    # v1 tool calls carry no id: a result names its call by the call itself.
    return [
        ToolCallResponsePart(response=plain(field(result, "outputs")), id=None)
        for result in results or ()
    ]


def _turn(turn: Any) -> InputMessage:
    role = str(field(turn, "role", "USER"))
    parts: list[MessagePart] = []
    text = field(turn, "message")
    if isinstance(text, str) and text:
        parts.append(TextPart(content=text))
    parts.extend(_tool_calls(field(turn, "tool_calls")))
    parts.extend(_tool_results(field(turn, "tool_results")))
    return InputMessage(role=_ROLES.get(role.upper(), role.lower()), parts=parts)


def input_messages(arguments: Mapping[str, Any]) -> list[InputMessage]:
    """The history, the documents, the user's message, then the tool results it answers."""
    history = arguments.get("chat_history")
    messages = [_turn(turn) for turn in history] if is_list(history) else []
    documents = documents_message(arguments.get("documents"))
    if documents is not None:
        messages.append(documents)
    message = arguments.get("message")
    if isinstance(message, str):
        messages.append(InputMessage(role="user", parts=[TextPart(content=message)]))
    results = arguments.get("tool_results")
    if is_list(results) and results:
        messages.append(InputMessage(role="tool", parts=_tool_results(results)))
    return messages


def tool_definitions(tools: Any) -> list[ToolDefinition] | None:
    """v1 tools: ``name``, ``description`` and ``parameter_definitions``."""
    if not is_list(tools):
        return None
    definitions: list[ToolDefinition] = [
        FunctionToolDefinition(
            name=str(field(tool, "name", "")),
            description=as_str(field(tool, "description")),
            parameters=plain(field(tool, "parameter_definitions")),
        )
        for tool in tools
    ]
    return definitions or None


def output_message(result: Any, reason: str | None) -> OutputMessage:
    parts: list[MessagePart] = []
    text = field(result, "text")
    if isinstance(text, str) and text:
        parts.append(TextPart(content=text))
    parts.extend(_tool_calls(field(result, "tool_calls")))
    return OutputMessage(role="assistant", parts=parts, finish_reason=reason)


def chat_response(result: Any, stream_end_reason: Any, capture_content: bool) -> Response:
    """A ``NonStreamedChatResponse`` (also what a stream's ``stream-end`` event carries)."""
    reason = finish_reason(field(result, "finish_reason") or stream_end_reason)
    response = Response(
        id=as_str(field(result, "response_id")) or as_str(field(result, "generation_id")),
        finish_reasons=[reason] if reason else None,
        usage=usage_of(field(result, "meta")),
    )
    if capture_content:
        response.output_messages = [output_message(result, reason)]
    return response


class V1ChatStream(StreamAccumulator):
    """Follows the v1 NDJSON stream: ``stream-start``, ``text-generation``,
    ``tool-calls-chunk``, ``tool-calls-generation``, ``stream-end`` (the whole response)."""

    __slots__ = ("_capture", "_chunked", "_end", "_generation_id", "_reason", "_text", "_tools")

    def __init__(self, capture_content: bool) -> None:
        super().__init__()
        self._capture = capture_content
        self._chunked = False
        self._end: Any = None
        self._generation_id: str | None = None
        self._reason: Any = None
        self._text: list[str] = []
        self._tools: Any = None

    def add(self, chunk: Any) -> bool:
        kind = field(chunk, "event_type")
        if kind == "text-generation":
            self._add_text(field(chunk, "text"))
        elif kind == "tool-calls-chunk":
            self._chunked = True
            self._add_text(field(chunk, "text"))
            delta = field(chunk, "tool_call_delta")
            parameters = field(delta, "parameters") if delta is not None else None
            if isinstance(parameters, str):
                self.output_chars += len(parameters)
        elif kind == "tool-calls-generation":
            self._tools = field(chunk, "tool_calls")
            if not self._chunked:  # SDKs < 5.5.7 get the plan here only
                self._add_text(field(chunk, "text"))
        elif kind == "stream-start":
            self._generation_id = as_str(field(chunk, "generation_id"))
        elif kind == "stream-end":
            self._reason = field(chunk, "finish_reason")
            self._end = field(chunk, "response")
        return True

    def _add_text(self, text: Any) -> None:
        if isinstance(text, str):
            self.output_chars += len(text)
            if self._capture:
                self._text.append(text)

    def response(self) -> Response:
        if self._end is not None:
            response = chat_response(self._end, self._reason, self._capture)
            response.id = response.id or self._generation_id
            return response
        # Left before the end: what arrived so far.
        response = Response(id=self._generation_id)
        if self._capture:
            so_far = {"text": "".join(self._text), "tool_calls": self._tools}
            response.output_messages = [output_message(so_far, None)]
        return response
