"""The Responses API: ``responses.create`` / ``parse`` (``stream`` calls ``create``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from opentelemetry.instrumentation.agentops.core import (
    Alteration,
    Call,
    Request,
    Response,
    StreamAccumulator,
)
from opentelemetry.instrumentation.agentops.core.chat_format import (
    chat_prompt_size,
    content_parts,
    tool_arguments,
    tool_definitions,
)
from opentelemetry.instrumentation.agentops.core.openai_compatible import (
    ChatMapper,
    ChatState,
    usage_of,
)
from opentelemetry.instrumentation.agentops.core.values import (
    as_float,
    as_int,
    as_str,
    field,
    text_size,
)
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

__all__ = ["ResponsesMapper"]

_JSON: Final = GenAI.GenAiOutputTypeValues.JSON.value
_TEXT: Final = GenAI.GenAiOutputTypeValues.TEXT.value
# The Responses API reports a status, not a finish reason; these are the conventions' values.
_INCOMPLETE_REASONS: Final = {"max_output_tokens": "length", "content_filter": "content_filter"}
_FINAL_EVENTS: Final = frozenset({"response.completed", "response.incomplete", "response.failed"})


def _input_messages(value: Any) -> list[InputMessage]:
    if isinstance(value, str):
        return [InputMessage(role="user", parts=[TextPart(content=value)])]
    messages: list[InputMessage] = []
    if not isinstance(value, Iterable):
        return messages
    for item in value:
        kind = field(item, "type", "message")
        if kind == "function_call_output":
            output = field(item, "output")
            messages.append(
                InputMessage(
                    role="tool",
                    parts=[ToolCallResponsePart(response=output, id=field(item, "call_id"))],
                )
            )
        elif kind == "function_call":
            messages.append(InputMessage(role="assistant", parts=[_call_part(item)]))
        elif kind == "message":
            messages.append(
                InputMessage(
                    role=str(field(item, "role", "user")),
                    parts=content_parts(field(item, "content")),
                )
            )
    return messages


def _call_part(item: Any) -> ToolCallRequestPart:
    return ToolCallRequestPart(
        name=str(field(item, "name", "")),
        id=as_str(field(item, "call_id")),
        arguments=tool_arguments(field(item, "arguments")),
    )


def _output_messages(output: Any, finish_reason: str | None) -> list[OutputMessage]:
    parts: list[MessagePart] = []
    for item in output or ():
        kind = field(item, "type")
        if kind == "message":
            parts.extend(content_parts(field(item, "content")))
        elif kind == "function_call":
            parts.append(_call_part(item))
        elif kind == "reasoning":
            for summary in field(item, "summary") or ():
                parts.append(ReasoningPart(content=str(field(summary, "text", ""))))
    return [OutputMessage(role="assistant", parts=parts, finish_reason=finish_reason)]


def _finish_reason(result: Any) -> str | None:
    status = field(result, "status")
    if status == "incomplete":
        details = field(result, "incomplete_details")
        return _INCOMPLETE_REASONS.get(str(field(details, "reason")), "length")
    if status == "failed":
        return "error"
    if status == "completed":
        output = field(result, "output") or ()
        if any(field(item, "type") == "function_call" for item in output):
            return "tool_call"
        return "stop"
    return None


def _output_type(kwargs: Mapping[str, Any]) -> str | None:
    if isinstance(kwargs.get("text_format"), type):
        return _JSON
    fmt = field(kwargs.get("text"), "format") if kwargs.get("text") is not None else None
    kind = field(fmt, "type") if fmt is not None else None
    if kind in ("json_schema", "json_object"):
        return _JSON
    return _TEXT if kind == "text" else None


class ResponsesMapper(ChatMapper):
    """``responses.create`` / ``parse``: the endpoint, credentials and request fields are
    those of chat completions; the request, response and stream shapes are the API's own."""

    def request(self, call: Call, capture_content: bool) -> Request[ChatState] | None:
        arguments = call.arguments
        request = self.new_request(call)
        request.temperature = as_float(arguments.get("temperature"))
        request.top_p = as_float(arguments.get("top_p"))
        request.max_tokens = as_int(arguments.get("max_output_tokens"))
        request.output_type = _output_type(arguments)
        conversation = arguments.get("conversation")
        request.conversation_id = as_str(conversation) or (
            as_str(field(conversation, "id")) if conversation is not None else None
        )
        instructions, prompt = arguments.get("instructions"), arguments.get("input")
        request.prompt_size = lambda: (
            text_size(instructions)
            + (text_size(prompt) if isinstance(prompt, str) else chat_prompt_size(prompt))
        )
        if capture_content:
            instructions = as_str(arguments.get("instructions"))
            if instructions:
                request.system_instructions = [TextPart(content=instructions)]
            request.input_messages = _input_messages(arguments.get("input"))
            request.tool_definitions = tool_definitions(arguments.get("tools"))
        return request

    def prepare(self, call: Call, request: Request[ChatState]) -> Alteration | None:
        return None  # Responses streams always end with the whole response, usage included

    def response(
        self, result: Any, request: Request[ChatState], capture_content: bool
    ) -> Response | None:
        reason = _finish_reason(result)
        response = Response(
            id=as_str(field(result, "id")),
            model=as_str(field(result, "model")),
            finish_reasons=[reason] if reason else None,
            usage=usage_of(field(result, "usage")),
        )
        extra = self.extension.response_attributes(result)
        if extra:
            response.attributes.update(extra)
        if capture_content:
            response.output_messages = _output_messages(field(result, "output"), reason)
        return response

    def accumulator(
        self, result: Any, request: Request[ChatState], capture_content: bool
    ) -> StreamAccumulator | None:
        if not request.stream:
            return None
        return ResponsesStreamState(self, request, capture_content)


class ResponsesStreamState(StreamAccumulator):
    """Follows Responses-API stream events; the final event carries the whole response."""

    __slots__ = ("_capture", "_final", "_mapper", "_request", "_started")

    def __init__(
        self, mapper: ResponsesMapper, request: Request[ChatState], capture_content: bool
    ) -> None:
        super().__init__()
        self._mapper = mapper
        self._request = request
        self._capture = capture_content
        self._started: Any = None
        self._final: Any = None

    def add(self, event: Any) -> bool:
        kind = getattr(event, "type", None)
        if kind == "response.output_text.delta":
            delta = getattr(event, "delta", None)
            if isinstance(delta, str):
                self.output_chars += len(delta)
        elif kind in _FINAL_EVENTS:
            self._final = getattr(event, "response", None)
            self.model = as_str(getattr(self._final, "model", None)) or self.model
        elif kind == "response.created":
            self._started = getattr(event, "response", None)
            self.model = as_str(getattr(self._started, "model", None))
        return True

    def response(self) -> Response:
        source = self._final if self._final is not None else self._started
        if source is None:
            return Response()
        response = self._mapper.response(source, self._request, self._capture)
        return response if response is not None else Response()
