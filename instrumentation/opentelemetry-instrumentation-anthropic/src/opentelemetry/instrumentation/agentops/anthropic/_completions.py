"""The legacy Text Completions API (``client.completions.create``, anthropic < 1.0).

Its responses carry no token counts, so these calls have none (an abandoned stream is
estimated from its text, as every stream is).
"""

from __future__ import annotations

from typing import Any, Final

from opentelemetry.instrumentation.agentops.anthropic._mapper import AnthropicMapper
from opentelemetry.instrumentation.agentops.anthropic._response import finish_reason
from opentelemetry.instrumentation.agentops.core import (
    Call,
    Request,
    Response,
    StreamAccumulator,
)
from opentelemetry.instrumentation.agentops.core.chat_format import record_text_prompt
from opentelemetry.instrumentation.agentops.core.values import as_str, field
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as GenAI
from opentelemetry.util.genai.types import OutputMessage, TextPart

__all__ = ["CompletionsMapper"]

_TEXT_COMPLETION: Final = GenAI.GenAiOperationNameValues.TEXT_COMPLETION.value


def _output(text: str, reason: str | None) -> list[OutputMessage]:
    return [OutputMessage(role="assistant", parts=[TextPart(content=text)], finish_reason=reason)]


class CompletionsMapper(AnthropicMapper):
    max_tokens_argument = "max_tokens_to_sample"

    def request(self, call: Call, capture_content: bool) -> Request[None] | None:
        arguments = call.arguments
        request = self.new_request(call, _TEXT_COMPLETION, stream=arguments.get("stream") is True)
        record_text_prompt(request, arguments.get("prompt"), capture_content)
        return request

    def response(self, result: Any, request: Request[None], capture_content: bool) -> Response:
        reason = finish_reason(field(result, "stop_reason"))
        response = Response(
            id=as_str(field(result, "id")),
            model=as_str(field(result, "model")),
            finish_reasons=[reason] if reason is not None else None,
        )
        if capture_content:
            response.output_messages = _output(str(field(result, "completion") or ""), reason)
        return response

    def accumulator(
        self, result: Any, request: Request[None], capture_content: bool
    ) -> StreamAccumulator | None:
        return CompletionEvents(capture_content) if request.stream else None


class CompletionEvents(StreamAccumulator):
    """Follows a completions stream: ``completion`` events, the last with ``stop_reason``."""

    __slots__ = ("_capture", "_pieces", "id", "stop_reason")

    def __init__(self, capture_content: bool) -> None:
        super().__init__()
        self._capture = capture_content
        self._pieces: list[str] = []
        self.id: str | None = None
        self.stop_reason: Any = None

    def add(self, event: Any) -> bool:
        text = getattr(event, "completion", None)
        if not isinstance(text, str):
            return True  # a ping
        if self.id is None:
            self.id = as_str(getattr(event, "id", None))
            self.model = as_str(getattr(event, "model", None))
        self.output_chars += len(text)
        if self._capture:
            self._pieces.append(text)
        reason = getattr(event, "stop_reason", None)
        if reason is not None:
            self.stop_reason = reason
        return True

    def response(self) -> Response:
        reason = finish_reason(self.stop_reason)
        response = Response(
            id=self.id, model=self.model, finish_reasons=[reason] if reason is not None else None
        )
        if self._capture and self._pieces:
            response.output_messages = _output("".join(self._pieces), reason)
        return response
