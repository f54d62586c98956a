"""``chat`` and ``generate``, plain and streamed.

A stream is an iterator of parts (dicts before ollama 0.4, typed models after) whose text
arrives piece by piece; the last part (``done: true``) carries the model's finish reason,
token counts and the server's timings, read as a plain response's are.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Final

from opentelemetry.instrumentation.agentops.core import (
    Call,
    Mapper,
    Request,
    Response,
    StreamAccumulator,
)
from opentelemetry.instrumentation.agentops.core.chat_format import chat_prompt_size
from opentelemetry.instrumentation.agentops.core.values import as_str, field, text_size
from opentelemetry.instrumentation.agentops.ollama._content import (
    chat_messages,
    chat_output,
    prompt_messages,
    text_output,
    tool_schemas,
)
from opentelemetry.instrumentation.agentops.ollama._request import (
    credentials_of,
    new_request,
    option_params,
    output_type_of,
)
from opentelemetry.instrumentation.agentops.ollama._response import (
    final_response,
    finish_reason_of,
)
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as GenAI
from opentelemetry.util.genai.types import OutputMessage, TextPart

__all__ = ["ChatMapper", "GenerateMapper"]

_CHAT: Final = GenAI.GenAiOperationNameValues.CHAT.value
_TEXT_COMPLETION: Final = GenAI.GenAiOperationNameValues.TEXT_COMPLETION.value


class _Stream(StreamAccumulator):
    """What every stream keeps: its last part, and its text and thinking when captured."""

    __slots__ = ("_capture", "_final", "_texts", "_thoughts")

    def __init__(self, capture_content: bool) -> None:
        super().__init__()
        self._capture = capture_content
        self._final: Any = None
        self._texts: list[str] = []
        self._thoughts: list[str] = []

    def _take(self, chunk: Any, text: Any, thinking: Any) -> None:
        if self.model is None:
            self.model = as_str(field(chunk, "model"))
        if isinstance(text, str) and text:
            self.output_chars += len(text)
            if self._capture:
                self._texts.append(text)
        if self._capture and isinstance(thinking, str):
            self._thoughts.append(thinking)
        if field(chunk, "done") is True:
            self._final = chunk

    def response(self) -> Response:
        final = self._final
        response = final_response(final) if final is not None else Response()
        response.model = response.model or self.model
        if self._capture:
            reason = finish_reason_of(final) if final is not None else None
            response.output_messages = [self._output(reason)]
        return response

    def _output(self, finish_reason: str | None) -> OutputMessage:
        raise NotImplementedError


class ChatStream(_Stream):
    __slots__ = ("_tool_calls",)

    def __init__(self, capture_content: bool) -> None:
        super().__init__(capture_content)
        self._tool_calls: list[Any] = []

    def add(self, chunk: Any) -> bool:
        message = field(chunk, "message")
        if message is None:
            self._take(chunk, None, None)
            return True
        if self._capture:
            # Ollama sends each tool call whole, in one part.
            self._tool_calls.extend(field(message, "tool_calls") or ())
            self._take(chunk, field(message, "content"), field(message, "thinking"))
        else:
            self._take(chunk, field(message, "content"), None)
        return True

    def _output(self, finish_reason: str | None) -> OutputMessage:
        message = {
            "role": "assistant",
            "content": "".join(self._texts),
            "thinking": "".join(self._thoughts),
            "tool_calls": self._tool_calls,
        }
        return chat_output(message, finish_reason)


class GenerateStream(_Stream):
    __slots__ = ()

    def add(self, chunk: Any) -> bool:
        thinking = field(chunk, "thinking") if self._capture else None
        self._take(chunk, field(chunk, "response"), thinking)
        return True

    def _output(self, finish_reason: str | None) -> OutputMessage:
        return text_output("".join(self._texts), "".join(self._thoughts), finish_reason)


class _GenerationMapper(Mapper[None]):
    operation: ClassVar[str]
    stream: ClassVar[type[_Stream]]

    def new_request(self, call: Call) -> Request[None]:
        request = new_request(call, self.operation)
        option_params(request, call.arguments.get("options"))
        request.output_type = output_type_of(call.arguments.get("format"))
        return request

    def accumulator(
        self, result: Any, request: Request[None], capture_content: bool
    ) -> StreamAccumulator | None:
        return self.stream(capture_content) if request.stream else None

    def credentials(self, instance: Any) -> Iterable[str]:
        return credentials_of(instance)


class ChatMapper(_GenerationMapper):
    """``chat``: messages in, one assistant message out."""

    operation = _CHAT
    stream = ChatStream

    def request(self, call: Call, capture_content: bool) -> Request[None] | None:
        request = self.new_request(call)
        messages = call.arguments.get("messages")
        request.prompt_size = lambda: chat_prompt_size(messages)
        if capture_content:
            request.input_messages = chat_messages(messages)
            request.tool_definitions = tool_schemas(call.arguments.get("tools"))
        return request

    def response(self, result: Any, request: Request[None], capture_content: bool) -> Response:
        response = final_response(result)
        if capture_content:
            response.output_messages = [
                chat_output(field(result, "message"), finish_reason_of(result))
            ]
        return response


class GenerateMapper(_GenerationMapper):
    """``generate``: a prompt (and a system prompt, images) in, text out."""

    operation = _TEXT_COMPLETION
    stream = GenerateStream

    def request(self, call: Call, capture_content: bool) -> Request[None] | None:
        request = self.new_request(call)
        arguments = call.arguments
        system, prompt, suffix = (arguments.get(k) for k in ("system", "prompt", "suffix"))
        request.prompt_size = lambda: text_size(system) + text_size(prompt) + text_size(suffix)
        if capture_content:
            if isinstance(system, str) and system:
                request.system_instructions = [TextPart(content=system)]
            request.input_messages = prompt_messages(prompt, arguments.get("images"))
        return request

    def response(self, result: Any, request: Request[None], capture_content: bool) -> Response:
        response = final_response(result)
        if capture_content:
            response.output_messages = [
                text_output(
                    field(result, "response"), field(result, "thinking"), finish_reason_of(result)
                )
            ]
        return response
