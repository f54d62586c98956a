"""Jurassic-2: ``completion.create`` (text in, text out) and the J2 ``chat.create``.

Both post to a path naming the model (``/{model}/complete``, ``/{model}/{custom_model}/complete``
in ai21 2.x, ``/{model}/chat``) and answer in their own shape: completions list the prompt's
and each completion's tokens (their lengths are the token usage), chat outputs carry no usage
at all. Penalties are objects whose ``scale`` is the setting. Neither streams.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from enum import Enum
from typing import Any, ClassVar, Final

from agentops_semconv.attributes import AGENTOPS_AI21_CUSTOM_MODEL
from opentelemetry.instrumentation.agentops.ai21._base import AI21Mapper
from opentelemetry.instrumentation.agentops.core import Call, Request, Response, Usage, values
from opentelemetry.instrumentation.agentops.core.chat_format import record_text_prompt
from opentelemetry.instrumentation.agentops.core.openai_compatible import chat_request_params
from opentelemetry.instrumentation.agentops.core.values import field, text_size
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as GenAI
from opentelemetry.util.genai.types import InputMessage, MessagePart, OutputMessage, TextPart

__all__ = ["J2ChatMapper", "J2CompletionMapper"]

_CHAT: Final = GenAI.GenAiOperationNameValues.CHAT.value
_TEXT_COMPLETION: Final = GenAI.GenAiOperationNameValues.TEXT_COMPLETION.value


def _scale(penalty: Any) -> float | None:
    return values.as_float(field(penalty, "scale")) if penalty is not None else None


def _finish_reason(item: Any) -> str | None:
    reason = field(item, "finish_reason")
    return values.as_str(field(reason, "reason")) if reason is not None else None


def _role(role: Any, default: str) -> str:
    # J2 roles are a str Enum: its value, not "RoleType.USER".
    value = role.value if isinstance(role, Enum) else role
    return value if isinstance(value, str) else default


def _output(text: Any, finish_reason: str | None, role: str) -> OutputMessage:
    parts: list[MessagePart] = [TextPart(content=text)] if isinstance(text, str) else []
    return OutputMessage(role=role, parts=parts, finish_reason=finish_reason)


def _token_count(tokens: Any) -> int | None:
    return len(tokens) if isinstance(tokens, list) else None


class _J2Mapper(AI21Mapper):
    """What both Jurassic-2 calls share: their sampling parameters, and answers listed as
    items (``completions``, ``outputs``) that each carry a finish reason."""

    items: ClassVar[str]

    def request(self, call: Call, capture_content: bool) -> Request[None] | None:
        arguments = call.arguments
        request = self.new_request(call)
        # temperature and top_p are named as in the OpenAI format; the rest is J2's own.
        chat_request_params(request, arguments)
        request.max_tokens = values.as_int(arguments.get("max_tokens"))
        request.stop_sequences = values.as_str_list(arguments.get("stop_sequences"))
        request.choice_count = values.as_int(arguments.get("num_results"))
        request.frequency_penalty = _scale(arguments.get("frequency_penalty"))
        request.presence_penalty = _scale(arguments.get("presence_penalty"))
        self.describe_prompt(request, arguments, capture_content)
        return request

    @abstractmethod
    def describe_prompt(
        self, request: Request[None], arguments: Mapping[str, Any], capture_content: bool
    ) -> None:
        """What the call sends besides its parameters (``prompt_size``, opt-in content)."""

    def describe_answer(self, response: Response, result: Any) -> None:
        """What the answer says besides its items' finish reasons (by default, nothing)."""

    @abstractmethod
    def output(self, item: Any, finish_reason: str | None) -> OutputMessage:
        """One item of the answer as an output message."""

    def response(
        self, result: Any, request: Request[None], capture_content: bool
    ) -> Response | None:
        items = field(result, self.items) or []
        reasons = [_finish_reason(item) for item in items]
        response = Response(finish_reasons=[r for r in reasons if r is not None] or None)
        self.describe_answer(response, result)
        if capture_content:
            response.output_messages = [
                self.output(item, reason) for item, reason in zip(items, reasons, strict=True)
            ]
        return response


class J2CompletionMapper(_J2Mapper):
    """``StudioCompletion.create`` and its async twin (clients have them in ai21 2.x)."""

    operation: ClassVar[str] = _TEXT_COMPLETION
    items: ClassVar[str] = "completions"

    def describe_prompt(
        self, request: Request[None], arguments: Mapping[str, Any], capture_content: bool
    ) -> None:
        custom_model = values.as_str(arguments.get("custom_model"))
        if custom_model:
            request.attributes[AGENTOPS_AI21_CUSTOM_MODEL] = custom_model
        record_text_prompt(request, arguments.get("prompt"), capture_content)

    def describe_answer(self, response: Response, result: Any) -> None:
        identifier = field(result, "id")
        response.id = str(identifier) if isinstance(identifier, str | int) else None
        # Usage is the length of the token lists: the prompt's, and each completion's.
        completions = field(result, "completions") or []
        outputs = [_token_count(field(field(c, "data"), "tokens")) for c in completions]
        output_tokens = None if None in outputs else sum(n for n in outputs if n is not None)
        input_tokens = _token_count(field(field(result, "prompt"), "tokens"))
        if input_tokens is not None or output_tokens is not None:
            response.usage = Usage(input_tokens=input_tokens, output_tokens=output_tokens)

    def output(self, item: Any, finish_reason: str | None) -> OutputMessage:
        return _output(field(field(item, "data"), "text"), finish_reason, "assistant")


class J2ChatMapper(_J2Mapper):
    """The Jurassic-2 ``StudioChat.create`` and its async twin (``messages`` of ``text``).
    Its answers report no token usage."""

    operation: ClassVar[str] = _CHAT
    items: ClassVar[str] = "outputs"

    def describe_prompt(
        self, request: Request[None], arguments: Mapping[str, Any], capture_content: bool
    ) -> None:
        messages = arguments.get("messages")
        if not isinstance(messages, list | tuple):
            messages = []
        system = arguments.get("system")
        request.prompt_size = lambda: (
            text_size(system) + sum(text_size(field(m, "text")) for m in messages)
        )
        if not capture_content:
            return
        if isinstance(system, str) and system:
            request.system_instructions = [TextPart(content=system)]
        request.input_messages = [
            InputMessage(
                role=_role(field(m, "role"), "user"),
                parts=[TextPart(content=text)] if isinstance(text := field(m, "text"), str) else [],
            )
            for m in messages
        ]

    def output(self, item: Any, finish_reason: str | None) -> OutputMessage:
        return _output(
            field(item, "text"),
            finish_reason,
            _role(field(item, "role"), "assistant"),
        )
