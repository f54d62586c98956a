"""v1 ``generate`` / ``generate_stream`` (text completion, in SDKs that still have it)."""

from __future__ import annotations

from typing import Any, Final

from opentelemetry.instrumentation.agentops.cohere._common import (
    CohereMapper,
    finish_reason,
    is_list,
    usage_of,
)
from opentelemetry.instrumentation.agentops.core import (
    Call,
    Request,
    Response,
    StreamAccumulator,
)
from opentelemetry.instrumentation.agentops.core.chat_format import record_text_prompt
from opentelemetry.instrumentation.agentops.core.values import as_int, as_str, field
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as GenAI
from opentelemetry.util.genai.types import OutputMessage, TextPart

__all__ = ["GenerateMapper", "GenerateStream"]

_TEXT_COMPLETION: Final = GenAI.GenAiOperationNameValues.TEXT_COMPLETION.value


class GenerateMapper(CohereMapper):
    operation = _TEXT_COMPLETION

    def request(self, call: Call, capture_content: bool) -> Request[None] | None:
        arguments = call.arguments
        request = self.new_request(call, sampled=True)
        request.choice_count = as_int(arguments.get("num_generations"))
        record_text_prompt(request, arguments.get("prompt"), capture_content)
        return request

    def response(self, result: Any, request: Request[None], capture_content: bool) -> Response:
        generations = field(result, "generations")
        generations = generations if is_list(generations) else []
        reasons = [finish_reason(field(g, "finish_reason")) for g in generations]
        response = Response(
            id=as_str(field(result, "id")),
            finish_reasons=[r for r in reasons if r] or None,
            usage=usage_of(field(result, "meta")),
        )
        if capture_content:
            response.output_messages = [
                _output(field(g, "text"), reason)
                for g, reason in zip(generations, reasons, strict=True)
            ]
        return response

    def new_stream(self, capture_content: bool) -> StreamAccumulator:
        return GenerateStream(capture_content)


def _output(text: Any, reason: str | None) -> OutputMessage:
    parts = [TextPart(content=text)] if isinstance(text, str) else []
    return OutputMessage(role="assistant", parts=list(parts), finish_reason=reason)


class GenerateStream(StreamAccumulator):
    """``text-generation`` pieces (per generation ``index``), then ``stream-end`` (or a
    ``stream-error`` event). The stream reports no usage."""

    __slots__ = ("_capture", "_id", "_reason", "_texts")

    def __init__(self, capture_content: bool) -> None:
        super().__init__()
        self._capture = capture_content
        self._id: str | None = None
        self._reason: str | None = None
        self._texts: dict[int, list[str]] = {}

    def add(self, chunk: Any) -> bool:
        kind = field(chunk, "event_type")
        if kind == "text-generation":
            text = field(chunk, "text")
            if isinstance(text, str):
                self.output_chars += len(text)
                if self._capture:
                    index = as_int(field(chunk, "index")) or 0
                    self._texts.setdefault(index, []).append(text)
        elif kind in ("stream-end", "stream-error"):
            self._reason = finish_reason(field(chunk, "finish_reason"))
            end = field(chunk, "response")
            self._id = as_str(field(end, "id")) if end is not None else None
        return True

    def response(self) -> Response:
        response = Response(id=self._id, finish_reasons=[self._reason] if self._reason else None)
        if self._capture:
            response.output_messages = [
                _output("".join(self._texts[index]), self._reason) for index in sorted(self._texts)
            ]
        return response
