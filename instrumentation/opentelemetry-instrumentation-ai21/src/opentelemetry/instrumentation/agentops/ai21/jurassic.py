"""Jurassic-2: ``completion.create`` (text in, text out) and the J2 ``chat.create``.

Both post to a path naming the model (``/{model}/complete``, ``/{model}/{custom_model}/complete``
in ai21 2.x, ``/{model}/chat``) and answer in their own shape: completions list the prompt's
and each completion's tokens (their lengths are the token usage), chat outputs carry no usage
at all. Penalties are objects whose ``scale`` is the setting. Neither streams.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, ClassVar, Final

from agentops_semconv.attributes import AGENTOPS_AI21_CUSTOM_MODEL
from opentelemetry.instrumentation.agentops.ai21._base import AI21Mapper
from opentelemetry.instrumentation.agentops.core import Call, Request, Response, Usage
from opentelemetry.instrumentation.agentops.core.values import (
    as_float,
    as_int,
    as_str,
    as_str_list,
    field,
    text_size,
)
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as GenAI
from opentelemetry.util.genai.types import InputMessage, MessagePart, OutputMessage, TextPart

__all__ = ["J2ChatMapper", "J2CompletionMapper"]

_CHAT: Final = GenAI.GenAiOperationNameValues.CHAT.value
_TEXT_COMPLETION: Final = GenAI.GenAiOperationNameValues.TEXT_COMPLETION.value


def _j2_params(request: Request[None], arguments: Any) -> None:
    request.temperature = as_float(arguments.get("temperature"))
    request.top_p = as_float(arguments.get("top_p"))
    request.max_tokens = as_int(arguments.get("max_tokens"))
    request.stop_sequences = as_str_list(arguments.get("stop_sequences"))
    request.choice_count = as_int(arguments.get("num_results"))
    request.frequency_penalty = _scale(arguments.get("frequency_penalty"))
    request.presence_penalty = _scale(arguments.get("presence_penalty"))


def _scale(penalty: Any) -> float | None:
    return as_float(field(penalty, "scale")) if penalty is not None else None


def _finish_reason(item: Any) -> str | None:
    reason = field(item, "finish_reason")
    return as_str(field(reason, "reason")) if reason is not None else None


def _role(role: Any, default: str) -> str:
    # J2 roles are a str Enum: its value, not "RoleType.USER".
    value = role.value if isinstance(role, Enum) else role
    return value if isinstance(value, str) else default


def _output(text: Any, finish_reason: str | None, role: str = "assistant") -> OutputMessage:
    parts: list[MessagePart] = [TextPart(content=text)] if isinstance(text, str) else []
    return OutputMessage(role=role, parts=parts, finish_reason=finish_reason)


def _token_count(tokens: Any) -> int | None:
    return len(tokens) if isinstance(tokens, list) else None


class J2CompletionMapper(AI21Mapper):
    """``StudioCompletion.create`` and its async twin (clients have them in ai21 2.x)."""

    operation: ClassVar[str] = _TEXT_COMPLETION

    def request(self, call: Call, capture_content: bool) -> Request[None] | None:
        arguments = call.arguments
        request = self.new_request(call)
        _j2_params(request, arguments)
        custom_model = as_str(arguments.get("custom_model"))
        if custom_model:
            request.attributes[AGENTOPS_AI21_CUSTOM_MODEL] = custom_model
        prompt = arguments.get("prompt")
        request.prompt_size = lambda: text_size(prompt)
        if capture_content and isinstance(prompt, str):
            request.input_messages = [InputMessage(role="user", parts=[TextPart(content=prompt)])]
        return request

    def response(
        self, result: Any, request: Request[None], capture_content: bool
    ) -> Response | None:
        completions = field(result, "completions") or []
        reasons = [_finish_reason(c) for c in completions]
        outputs = [_token_count(field(field(c, "data"), "tokens")) for c in completions]
        output_tokens = sum(n for n in outputs if n is not None) if None not in outputs else None
        input_tokens = _token_count(field(field(result, "prompt"), "tokens"))
        identifier = field(result, "id")
        response = Response(
            id=str(identifier) if isinstance(identifier, str | int) else None,
            finish_reasons=[r for r in reasons if r is not None] or None,
            usage=Usage(input_tokens=input_tokens, output_tokens=output_tokens)
            if input_tokens is not None or output_tokens is not None
            else None,
        )
        if capture_content:
            response.output_messages = [
                _output(field(field(c, "data"), "text"), reason)
                for c, reason in zip(completions, reasons, strict=True)
            ]
        return response


class J2ChatMapper(AI21Mapper):
    """The Jurassic-2 ``StudioChat.create`` and its async twin (``messages`` of ``text``)."""

    operation: ClassVar[str] = _CHAT

    def request(self, call: Call, capture_content: bool) -> Request[None] | None:
        arguments = call.arguments
        request = self.new_request(call)
        _j2_params(request, arguments)
        messages = arguments.get("messages")
        if not isinstance(messages, list | tuple):
            messages = []
        system = arguments.get("system")
        request.prompt_size = lambda: (
            text_size(system) + sum(text_size(field(m, "text")) for m in messages)
        )
        if capture_content:
            if isinstance(system, str) and system:
                request.system_instructions = [TextPart(content=system)]
            request.input_messages = [
                InputMessage(
                    role=_role(field(m, "role"), "user"),
                    parts=[TextPart(content=text)]
                    if isinstance(text := field(m, "text"), str)
                    else [],
                )
                for m in messages
            ]
        return request

    def response(
        self, result: Any, request: Request[None], capture_content: bool
    ) -> Response | None:
        outputs = field(result, "outputs") or []
        reasons = [_finish_reason(o) for o in outputs]
        # J2 chat answers report no token usage.
        response = Response(finish_reasons=[r for r in reasons if r is not None] or None)
        if capture_content:
            response.output_messages = [
                _output(field(o, "text"), reason, _role(field(o, "role"), "assistant"))
                for o, reason in zip(outputs, reasons, strict=True)
            ]
        return response
