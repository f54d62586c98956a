"""Chat completions: ``chat.completions.create`` / ``parse`` (and ``stream``, which calls
``create``), and the legacy ``completions.create``."""

from __future__ import annotations

import os
from typing import Any, Final

from agentops_semconv import AGENTOPS_STREAM_USAGE_REQUESTED
from opentelemetry.instrumentation.agentops.core import Call, Request, Response, Usage
from opentelemetry.instrumentation.agentops.core.chat_format import (
    chat_input_messages,
    chat_output_message,
    tool_definitions,
)
from opentelemetry.instrumentation.agentops.core.values import (
    as_float,
    as_int,
    as_str,
    as_str_list,
    field,
)
from opentelemetry.instrumentation.agentops.openai.common import OpenAIMapper, usage_of
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as GenAI
from opentelemetry.semconv._incubating.attributes import openai_attributes as OpenAI
from opentelemetry.util.genai.types import InputMessage, OutputMessage, TextPart

__all__ = ["ChatMapper", "CompletionsMapper"]

AGENTOPS_OPENAI_STREAM_USAGE: Final = "AGENTOPS_OPENAI_STREAM_USAGE"
"""Set to ``false`` to stop asking for usage on streams the caller did not ask it for (for
OpenAI-compatible servers that reject ``stream_options``)."""

_CHAT: Final = GenAI.GenAiOperationNameValues.CHAT.value
_TEXT_COMPLETION: Final = GenAI.GenAiOperationNameValues.TEXT_COMPLETION.value


def _ask_for_usage() -> bool:
    return os.environ.get(AGENTOPS_OPENAI_STREAM_USAGE, "true").strip().lower() not in (
        "false",
        "0",
        "no",
        "off",
    )


def _output_type(response_format: Any) -> str | None:
    kind = field(response_format, "type") if response_format is not None else None
    if kind in ("json_object", "json_schema"):
        return GenAI.GenAiOutputTypeValues.JSON.value
    if kind == "text":
        return GenAI.GenAiOutputTypeValues.TEXT.value
    if isinstance(response_format, type):  # parse(response_format=PydanticModel)
        return GenAI.GenAiOutputTypeValues.JSON.value
    return None


class _StreamUsage:
    """Asks for usage on a stream the caller did not ask it for; see ``UsageHidingState``."""

    @staticmethod
    def request_usage(call: Call, request: Request) -> None:
        if not request.stream or not _ask_for_usage():
            return
        kwargs = call.kwargs
        options = kwargs.get("stream_options")
        extra_body = kwargs.get("extra_body")
        if isinstance(extra_body, dict) and "stream_options" in extra_body:
            return  # the caller speaks to the server directly; leave it alone
        if isinstance(options, dict):
            if "include_usage" in options:
                return  # the caller decided, either way
            kwargs["stream_options"] = {**options, "include_usage": True}
        else:
            # Not given (None or the SDK's sentinel). Sent through extra_body rather than
            # stream_options because SDKs before 1.26 have no such argument.
            kwargs["extra_body"] = {
                **(extra_body if isinstance(extra_body, dict) else {}),
                "stream_options": {"include_usage": True},
            }
        request.state = True
        request.attributes[AGENTOPS_STREAM_USAGE_REQUESTED] = True


def _common_params(request: Request, kwargs: dict[str, Any]) -> None:
    request.temperature = as_float(kwargs.get("temperature"))
    request.top_p = as_float(kwargs.get("top_p"))
    request.frequency_penalty = as_float(kwargs.get("frequency_penalty"))
    request.presence_penalty = as_float(kwargs.get("presence_penalty"))
    request.stop_sequences = as_str_list(kwargs.get("stop"))
    request.seed = as_int(kwargs.get("seed"))
    request.choice_count = as_int(kwargs.get("n"))


class ChatMapper(OpenAIMapper):
    operation = _CHAT

    def request(self, call: Call, capture_content: bool) -> Request | None:
        kwargs = call.kwargs
        request = self.new_request(call, as_str(kwargs.get("model")))
        _common_params(request, kwargs)
        request.max_tokens = as_int(kwargs.get("max_completion_tokens")) or as_int(
            kwargs.get("max_tokens")
        )
        request.output_type = _output_type(kwargs.get("response_format"))
        tier = as_str(kwargs.get("service_tier"))
        if tier is not None:
            request.attributes[OpenAI.OPENAI_REQUEST_SERVICE_TIER] = tier
        if capture_content:
            request.input_messages = chat_input_messages(kwargs.get("messages"))
            request.tool_definitions = tool_definitions(
                kwargs.get("tools") or kwargs.get("functions")
            )
        return request

    def prepare(self, call: Call, request: Request) -> None:
        _StreamUsage.request_usage(call, request)

    def response(self, result: Any, request: Request, capture_content: bool) -> Response | None:
        choices = field(result, "choices") or []
        response = Response(
            id=as_str(field(result, "id")),
            model=as_str(field(result, "model")),
            finish_reasons=[
                str(field(c, "finish_reason"))
                for c in choices
                if field(c, "finish_reason") is not None
            ]
            or None,
            usage=usage_of(field(result, "usage")),
        )
        self.add_response_attributes(response, result)
        if capture_content:
            response.output_messages = [
                chat_output_message(field(c, "message"), field(c, "finish_reason")) for c in choices
            ]
        return response

    def accumulator(self, result: Any, request: Request, capture_content: bool) -> Any:
        if not self.is_stream(result):
            return None
        return ChatStreamState(request, capture_content, hide_usage_chunk=request.state is True)


class CompletionsMapper(ChatMapper):
    operation = _TEXT_COMPLETION

    def request(self, call: Call, capture_content: bool) -> Request | None:
        kwargs = call.kwargs
        request = self.new_request(call, as_str(kwargs.get("model")))
        _common_params(request, kwargs)
        request.max_tokens = as_int(kwargs.get("max_tokens"))
        if capture_content:
            prompt = kwargs.get("prompt")
            prompts = [prompt] if isinstance(prompt, str) else as_str_list(prompt) or []
            request.input_messages = [
                InputMessage(role="user", parts=[TextPart(content=text)]) for text in prompts
            ]
        return request

    def response(self, result: Any, request: Request, capture_content: bool) -> Response | None:
        response = super().response(result, request, False)
        if response is not None and capture_content:
            response.output_messages = [
                _text_output(field(c, "text"), field(c, "finish_reason"))
                for c in field(result, "choices") or []
            ]
        return response


def _text_output(text: Any, finish_reason: Any) -> OutputMessage:
    return OutputMessage(
        role="assistant",
        parts=[TextPart(content=text)] if isinstance(text, str) else [],
        finish_reason=as_str(finish_reason),
    )


class ChatStreamState:
    """Follows ``chat.completion.chunk`` (and legacy ``text_completion``) streams."""

    __slots__ = (
        "_capture",
        "_choices",
        "_hide_usage_chunk",
        "_request",
        "fingerprint",
        "id",
        "model",
        "service_tier",
        "usage",
    )

    def __init__(self, request: Request, capture_content: bool, hide_usage_chunk: bool) -> None:
        self._request = request
        self._capture = capture_content
        self._hide_usage_chunk = hide_usage_chunk
        self._choices: dict[int, _ChoiceState] = {}
        self.id: str | None = None
        self.model: str | None = None
        self.usage: Usage | None = None
        self.fingerprint: str | None = None
        self.service_tier: str | None = None

    def add(self, chunk: Any) -> bool:
        if self.id is None:
            self.id = as_str(getattr(chunk, "id", None))
            self.model = as_str(getattr(chunk, "model", None))
            self.fingerprint = as_str(getattr(chunk, "system_fingerprint", None))
            self.service_tier = as_str(getattr(chunk, "service_tier", None))
        choices = getattr(chunk, "choices", None)
        usage = getattr(chunk, "usage", None)
        if usage is not None:
            # Should reading it fail, the core still hides the chunk through
            # caused_by_instrumentation.
            self.usage = usage_of(usage)
            if not choices and self._hide_usage_chunk:
                return False  # exists only because we asked for it
        elif self._hide_usage_chunk:
            _forget_null_usage(chunk)
        capture = self._capture
        for choice in choices or ():
            # Per chunk, with content off, only a finish reason is worth a look.
            if not capture and getattr(choice, "finish_reason", None) is None:
                continue
            index = getattr(choice, "index", 0) or 0
            state = self._choices.get(index)
            if state is None:
                state = self._choices[index] = _ChoiceState()
            state.add(choice, capture)
        return True

    def caused_by_instrumentation(self, chunk: Any) -> bool:
        """The usage-only chunk that exists because we asked for usage."""
        return (
            self._hide_usage_chunk
            and not getattr(chunk, "choices", None)
            and getattr(chunk, "usage", None) is not None
        )

    def response(self) -> Response:
        ordered = [self._choices[i] for i in sorted(self._choices)]
        response = Response(
            id=self.id,
            model=self.model,
            finish_reasons=[c.finish_reason for c in ordered if c.finish_reason] or None,
            usage=self.usage,
        )
        if self.fingerprint:
            response.attributes[OpenAI.OPENAI_RESPONSE_SYSTEM_FINGERPRINT] = self.fingerprint
        if self.service_tier:
            response.attributes[OpenAI.OPENAI_RESPONSE_SERVICE_TIER] = self.service_tier
        if self._capture:
            response.output_messages = [c.message() for c in ordered]
        return response


def _forget_null_usage(chunk: Any) -> None:
    """Drop the ``"usage": null`` the server adds to every chunk once usage was asked for.

    Left in, the chunk would not dump as it does uninstrumented: ``to_dict()`` and
    ``model_dump(exclude_unset=True)`` would gain ``usage``, and so would ``model_dump()`` on
    SDKs whose chunk type has no ``usage`` field (kept as a pydantic extra there).
    """
    extra = getattr(chunk, "__pydantic_extra__", None)
    if isinstance(extra, dict) and "usage" in extra and extra["usage"] is None:
        del extra["usage"]
    fields_set = getattr(chunk, "__pydantic_fields_set__", None)
    if isinstance(fields_set, set):
        fields_set.discard("usage")


class _ChoiceState:
    __slots__ = ("finish_reason", "role", "text", "tool_calls")

    def __init__(self) -> None:
        self.finish_reason: str | None = None
        self.role: str | None = None
        self.text: list[str] = []
        self.tool_calls: dict[int, dict[str, Any]] = {}

    def add(self, choice: Any, capture: bool) -> None:
        reason = getattr(choice, "finish_reason", None)
        if reason is not None:
            self.finish_reason = str(reason)
        if not capture:
            return
        delta = getattr(choice, "delta", None)
        if delta is None:  # legacy completions stream text, not deltas
            text = getattr(choice, "text", None)
            if isinstance(text, str):
                self.text.append(text)
            return
        self.role = getattr(delta, "role", None) or self.role
        content = getattr(delta, "content", None)
        if isinstance(content, str):
            self.text.append(content)
        for call in getattr(delta, "tool_calls", None) or ():
            slot = self.tool_calls.setdefault(
                getattr(call, "index", 0) or 0, {"id": None, "name": "", "arguments": ""}
            )
            slot["id"] = getattr(call, "id", None) or slot["id"]
            function = getattr(call, "function", None)
            if function is not None:
                slot["name"] += getattr(function, "name", None) or ""
                slot["arguments"] += getattr(function, "arguments", None) or ""

    def message(self) -> OutputMessage:
        message = {
            "role": self.role or "assistant",
            "content": "".join(self.text) if self.text else None,
            "tool_calls": [
                {"id": c["id"], "function": {"name": c["name"], "arguments": c["arguments"]}}
                for _, c in sorted(self.tool_calls.items())
            ],
        }
        return chat_output_message(message, self.finish_reason)
