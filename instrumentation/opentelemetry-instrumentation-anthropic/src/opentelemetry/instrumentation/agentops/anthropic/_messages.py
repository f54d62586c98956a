"""The Messages API: ``messages.create`` / ``parse`` and the ``messages.stream()`` helper.

The same mappers serve ``client.messages`` and ``client.beta.messages`` (and the prompt-caching
beta of SDKs up to 0.40): their requests and messages have one shape.
"""

from __future__ import annotations

from typing import Any, ClassVar, Final

from opentelemetry.instrumentation.agentops.anthropic._content import (
    input_messages,
    prompt_chars,
    system_parts,
    tool_definitions,
)
from opentelemetry.instrumentation.agentops.anthropic._mapper import AnthropicMapper
from opentelemetry.instrumentation.agentops.anthropic._response import message_response, text_delta
from opentelemetry.instrumentation.agentops.anthropic._stream import MessageEvents, MessageSnapshot
from opentelemetry.instrumentation.agentops.core import (
    Call,
    Request,
    Response,
    StreamAccumulator,
    StreamHelpers,
)
from opentelemetry.instrumentation.agentops.core.values import field
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as GenAI

__all__ = ["MessageStreamMapper", "MessagesMapper"]

_CHAT: Final = GenAI.GenAiOperationNameValues.CHAT.value
_JSON: Final = GenAI.GenAiOutputTypeValues.JSON.value


def _output_type(arguments: Any) -> str | None:
    """JSON when the call asks for structured output (``parse(output_format=Model)`` or an
    ``output_config`` / ``output_format`` JSON schema)."""
    output_format = arguments.get("output_format")
    if isinstance(output_format, type):
        return _JSON
    config = arguments.get("output_config")
    schema = field(config, "format") if isinstance(config, dict) else output_format
    return _JSON if field(schema, "type") == "json_schema" else None


class MessagesMapper(AnthropicMapper):
    """``messages.create`` (plain or ``stream=True``) and ``messages.parse``."""

    streams: ClassVar[bool] = False
    """Whether every call of this mapper streams (``messages.stream()``)."""

    def request(self, call: Call, capture_content: bool) -> Request[None] | None:
        arguments = call.arguments
        request = self.new_request(
            call, _CHAT, stream=self.streams or arguments.get("stream") is True
        )
        request.output_type = _output_type(arguments)
        system, messages = arguments.get("system"), arguments.get("messages")
        request.prompt_size = lambda: prompt_chars(system, messages)
        if capture_content:
            request.system_instructions = system_parts(system)
            request.input_messages = input_messages(messages)
            request.tool_definitions = tool_definitions(arguments.get("tools"))
        return request

    def response(self, result: Any, request: Request[None], capture_content: bool) -> Response:
        return message_response(result, capture_content)

    def accumulator(
        self, result: Any, request: Request[None], capture_content: bool
    ) -> StreamAccumulator | None:
        if not request.stream:
            return None
        return MessageEvents(capture_content)


class MessageStreamMapper(MessagesMapper):
    """``messages.stream()``: a manager whose stream accumulates the message itself.

    The stream's helpers read it to the end on their own, so they are routed through the
    core's proxy; the response is the Message the SDK stream accumulates itself
    (``current_message_snapshot``), so content is not accumulated a second time.
    """

    streams: ClassVar[bool] = True
    stream_helpers: ClassVar[StreamHelpers | None] = StreamHelpers(
        drain=frozenset({"until_done", "get_final_message", "get_final_text"}),
        views={"text_stream": text_delta},
    )

    def accumulator(
        self, result: Any, request: Request[None], capture_content: bool
    ) -> StreamAccumulator | None:
        if hasattr(type(result), "current_message_snapshot"):
            return MessageSnapshot(result, capture_content)
        # A stream class without the SDK's accumulated message: follow its raw events.
        return MessageEvents(capture_content)
