"""Jamba ``chat.completions.create``: the OpenAI chat format, without a response model.

AI21's chat completions take OpenAI-shaped messages, tools and sampling parameters, and
answer with OpenAI-shaped choices and usage (in the last chunk of a stream, always), so the
shared OpenAI-format mapping applies. Responses carry no ``model`` field: the response model
stays unset rather than being guessed from the request.
"""

from __future__ import annotations

from typing import Any, ClassVar, Final

from opentelemetry.instrumentation.agentops.ai21._base import AI21Mapper
from opentelemetry.instrumentation.agentops.core import Call, Request, Response, StreamAccumulator
from opentelemetry.instrumentation.agentops.core import chat_format as chat
from opentelemetry.instrumentation.agentops.core import openai_compatible as openai_format
from opentelemetry.instrumentation.agentops.core.values import as_int
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as GenAI

__all__ = ["JambaChatMapper"]

_CHAT: Final = GenAI.GenAiOperationNameValues.CHAT.value


class JambaChatMapper(AI21Mapper):
    """``ChatCompletions.create`` and ``AsyncChatCompletions.create`` (ai21 >= 2.2)."""

    operation: ClassVar[str] = _CHAT

    def request(self, call: Call, capture_content: bool) -> Request[None] | None:
        arguments = call.arguments
        request = self.new_request(call)
        request.stream = arguments.get("stream") is True
        openai_format.chat_request_params(request, arguments)
        request.max_tokens = as_int(arguments.get("max_tokens"))
        request.output_type = openai_format.output_type_of(arguments.get("response_format"))
        messages = arguments.get("messages")
        request.prompt_size = lambda: chat.chat_prompt_size(messages)
        if capture_content:
            request.input_messages = chat.chat_input_messages(messages)
            request.tool_definitions = chat.tool_definitions(arguments.get("tools"))
        return request

    def response(
        self, result: Any, request: Request[None], capture_content: bool
    ) -> Response | None:
        return openai_format.chat_response(result, capture_content)

    def accumulator(
        self, result: Any, request: Request[None], capture_content: bool
    ) -> StreamAccumulator | None:
        # AI21 reports usage in the last chunk of every stream: nothing to ask for or hide.
        return openai_format.ChatStreamState(capture_content) if request.stream else None
