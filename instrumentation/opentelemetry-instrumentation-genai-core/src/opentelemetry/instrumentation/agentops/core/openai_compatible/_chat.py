"""Chat completions in the OpenAI shape, which several SDKs share.

``ChatMapper`` and ``CompletionsMapper`` map Stainless-generated SDK resources (openai, groq)
with a few parameters: the provider name to report for unknown hosts, how to reach the client
behind a resource, and an optional ``ChatExtension`` for provider fields. ``chat_request``,
``chat_response`` and ``ChatStreamState`` serve SDKs of other makes that speak the same format
(Mistral, AI21, LiteLLM).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

from opentelemetry.instrumentation.agentops.core._mapper import (
    Alteration,
    Call,
    Mapper,
    StreamAccumulator,
)
from opentelemetry.instrumentation.agentops.core._records import Request, Response, Usage
from opentelemetry.instrumentation.agentops.core.chat_format import (
    chat_input_messages,
    chat_output_message,
    chat_prompt_size,
    record_text_prompt,
    tool_definitions,
)
from opentelemetry.instrumentation.agentops.core.openai_compatible._endpoints import (
    endpoint_of_client,
)
from opentelemetry.instrumentation.agentops.core.openai_compatible._stainless import (
    stainless_credentials,
)
from opentelemetry.instrumentation.agentops.core.openai_compatible._stream_usage import (
    ChatState,
    StreamUsageRequest,
)
from opentelemetry.instrumentation.agentops.core.openai_compatible._usage import usage_of
from opentelemetry.instrumentation.agentops.core.values import (
    as_float,
    as_int,
    as_str,
    as_str_list,
    field,
)
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as GenAI
from opentelemetry.util.genai.types import OutputMessage, TextPart
from opentelemetry.util.types import AttributeValue

__all__ = [
    "ChatExtension",
    "ChatMapper",
    "ChatStreamState",
    "CompletionsMapper",
    "chat_request_fields",
    "chat_request_params",
    "chat_response",
    "output_type_of",
]

_CHAT: Final = GenAI.GenAiOperationNameValues.CHAT.value
_TEXT_COMPLETION: Final = GenAI.GenAiOperationNameValues.TEXT_COMPLETION.value
_JSON: Final = GenAI.GenAiOutputTypeValues.JSON.value
_TEXT: Final = GenAI.GenAiOutputTypeValues.TEXT.value

ClientOf = Callable[[Any], Any]
"""The SDK client behind a resource object (``client.chat.completions`` -> ``client``)."""


class ChatExtension:
    """Provider fields on top of the OpenAI shape (e.g. Groq's server-side timings).

    Every method has a neutral default; a provider package overrides what it needs. The
    per-chunk methods are called only when overridden, to keep the stream path lean.
    """

    def request_attributes(
        self, arguments: Mapping[str, Any]
    ) -> Mapping[str, AttributeValue] | None:
        """Attributes of the request (from its arguments)."""
        return None

    def response_attributes(self, result: Any) -> Mapping[str, AttributeValue] | None:
        """Attributes of a non-streamed result, and of a stream's first chunk (which carries
        the same top-level fields)."""
        return None

    def chunk_usage(self, chunk: Any) -> Any:
        """Usage carried by a stream chunk somewhere other than ``chunk.usage``, if any."""
        return None

    def chunk_attributes(self, chunk: Any) -> Mapping[str, AttributeValue] | None:
        """Attributes a stream chunk carries (merged over the stream, later chunks win)."""
        return None


_NO_EXTENSION: Final = ChatExtension()


def output_type_of(response_format: Any) -> str | None:
    kind = field(response_format, "type") if response_format is not None else None
    if kind in ("json_object", "json_schema"):
        return _JSON
    if kind == "text":
        return _TEXT
    if isinstance(response_format, type):  # parse(response_format=PydanticModel)
        return _JSON
    return None


def chat_request_params(request: Request[Any], arguments: Mapping[str, Any]) -> None:
    """Sampling parameters of an OpenAI-shaped chat or completions request."""
    request.temperature = as_float(arguments.get("temperature"))
    request.top_p = as_float(arguments.get("top_p"))
    request.frequency_penalty = as_float(arguments.get("frequency_penalty"))
    request.presence_penalty = as_float(arguments.get("presence_penalty"))
    request.stop_sequences = as_str_list(arguments.get("stop"))
    request.seed = as_int(arguments.get("seed"))
    request.choice_count = as_int(arguments.get("n"))


def chat_request_fields(
    request: Request[Any], arguments: Mapping[str, Any], capture_content: bool
) -> None:
    """Everything an OpenAI-shaped chat request says beyond provider, model and server:
    sampling parameters, max tokens, output type, prompt size and (opt-in) content."""
    chat_request_params(request, arguments)
    request.max_tokens = as_int(arguments.get("max_completion_tokens")) or as_int(
        arguments.get("max_tokens")
    )
    request.output_type = output_type_of(arguments.get("response_format"))
    messages = arguments.get("messages")
    request.prompt_size = lambda: chat_prompt_size(messages)
    if capture_content:
        request.input_messages = chat_input_messages(messages)
        request.tool_definitions = tool_definitions(
            arguments.get("tools") or arguments.get("functions")
        )


def chat_response(result: Any, capture_content: bool) -> Response:
    """A chat completion (choices with messages, usage) as a ``Response``."""
    choices = field(result, "choices") or []
    reasons = [field(c, "finish_reason") for c in choices]
    response = Response(
        id=as_str(field(result, "id")),
        model=as_str(field(result, "model")),
        finish_reasons=[str(r) for r in reasons if r is not None] or None,
        usage=usage_of(field(result, "usage")),
    )
    if capture_content:
        response.output_messages = [
            chat_output_message(field(c, "message"), field(c, "finish_reason")) for c in choices
        ]
    return response


class ChatMapper(Mapper[ChatState]):
    """``chat.completions.create`` / ``parse`` of a Stainless-generated SDK."""

    operation: str = _CHAT

    def __init__(
        self,
        provider: str,
        client_of: ClientOf,
        *,
        extension: ChatExtension | None = None,
        attributes: Mapping[str, AttributeValue] | None = None,
        ask_stream_usage: bool = True,
    ) -> None:
        """``provider``: the name for hosts the registry does not know; ``attributes``:
        static attributes for every span (e.g. ``openai.api.type``); ``ask_stream_usage``:
        False for APIs whose streams report usage unasked (the extension's ``chunk_usage``
        reads it), so streamed requests go out exactly as the caller made them."""
        self.provider = provider
        self.client_of = client_of
        self.extension = extension or _NO_EXTENSION
        self.attributes = dict(attributes or {})
        self._stream_usage = StreamUsageRequest() if ask_stream_usage else None

    def new_request(self, call: Call) -> Request[ChatState]:
        client = self.client_of(call.instance)
        provider, host, port = endpoint_of_client(client, self.provider)
        arguments = call.arguments
        request: Request[ChatState] = Request(
            provider=provider,
            operation=self.operation,
            model=as_str(arguments.get("model")),
            server_address=host,
            server_port=port,
            stream=arguments.get("stream") is True,
        )
        if self.attributes:
            request.attributes.update(self.attributes)
        extra = self.extension.request_attributes(arguments)
        if extra:
            request.attributes.update(extra)
        return request

    def request(self, call: Call, capture_content: bool) -> Request[ChatState] | None:
        request = self.new_request(call)
        chat_request_fields(request, call.arguments, capture_content)
        return request

    def prepare(self, call: Call, request: Request[ChatState]) -> Alteration | None:
        if self._stream_usage is None:
            return None
        base_url = getattr(self.client_of(call.instance), "base_url", None)
        return self._stream_usage.prepare(
            call, request, str(base_url) if base_url is not None else None
        )

    def response(
        self, result: Any, request: Request[ChatState], capture_content: bool
    ) -> Response | None:
        response = chat_response(result, capture_content)
        extra = self.extension.response_attributes(result)
        if extra:
            response.attributes.update(extra)
        return response

    def accumulator(
        self, result: Any, request: Request[ChatState], capture_content: bool
    ) -> StreamAccumulator | None:
        if not request.stream:
            return None
        hide = request.state is not None and request.state.usage_requested
        return ChatStreamState(capture_content, hide_usage_chunk=hide, extension=self.extension)

    def credentials(self, instance: Any) -> Iterable[str]:
        return stainless_credentials(self.client_of(instance))


class CompletionsMapper(ChatMapper):
    """The legacy ``completions.create`` (text in, text out)."""

    operation = _TEXT_COMPLETION

    def request(self, call: Call, capture_content: bool) -> Request[ChatState] | None:
        arguments = call.arguments
        request = self.new_request(call)
        chat_request_params(request, arguments)
        request.max_tokens = as_int(arguments.get("max_tokens"))
        record_text_prompt(request, arguments.get("prompt"), capture_content)
        return request

    def response(
        self, result: Any, request: Request[ChatState], capture_content: bool
    ) -> Response | None:
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


class ChatStreamState(StreamAccumulator):
    """Follows ``chat.completion.chunk`` (and legacy ``text_completion``) streams."""

    __slots__ = (
        "_attributes",
        "_capture",
        "_choices",
        "_extension",
        "_hide_usage_chunk",
        "_per_chunk",
        "id",
        "usage",
    )

    def __init__(
        self,
        capture_content: bool,
        hide_usage_chunk: bool = False,
        extension: ChatExtension | None = None,
    ) -> None:
        super().__init__()
        self._capture = capture_content
        self._hide_usage_chunk = hide_usage_chunk
        self._extension = extension or _NO_EXTENSION
        self._choices: dict[int, _ChoiceState] = {}
        self._attributes: dict[str, AttributeValue] | None = None
        kind = type(self._extension)
        self._per_chunk = (
            kind.chunk_usage is not ChatExtension.chunk_usage
            or kind.chunk_attributes is not ChatExtension.chunk_attributes
        )
        self.id: str | None = None
        self.usage: Usage | None = None

    def add(self, chunk: Any) -> bool:
        if self.id is None:
            self.id = as_str(getattr(chunk, "id", None))
            self.model = as_str(getattr(chunk, "model", None))
            first = self._extension.response_attributes(chunk)
            if first:
                self._attributes = dict(first)
        if self._per_chunk:
            self._add_extension(chunk, self._extension)
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
            delta = getattr(choice, "delta", None)
            text = getattr(delta, "content", None) if delta is not None else None
            if isinstance(text, str):
                self.output_chars += len(text)
            # Per chunk, with content off, only a finish reason is worth a look.
            if not capture and getattr(choice, "finish_reason", None) is None:
                continue
            index = getattr(choice, "index", 0) or 0
            state = self._choices.get(index)
            if state is None:
                state = self._choices[index] = _ChoiceState()
            state.add(choice, capture)
        return True

    def _add_extension(self, chunk: Any, extension: ChatExtension) -> None:
        usage = extension.chunk_usage(chunk)
        if usage is not None and self.usage is None:
            self.usage = usage_of(usage)
        extra = extension.chunk_attributes(chunk)
        if extra:
            self._attributes = {**(self._attributes or {}), **extra}

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
        if self._attributes:
            response.attributes.update(self._attributes)
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
        # Read with field(): SDKs whose chunk types do not declare tool calls keep them as
        # plain dicts (AI21's stream deltas).
        for call in getattr(delta, "tool_calls", None) or ():
            slot = self.tool_calls.setdefault(
                field(call, "index", 0) or 0, {"id": None, "name": "", "arguments": ""}
            )
            slot["id"] = field(call, "id") or slot["id"]
            function = field(call, "function")
            if function is not None:
                slot["name"] += field(function, "name") or ""
                slot["arguments"] += field(function, "arguments") or ""

    def message(self) -> OutputMessage:
        text = "".join(self.text) if self.text else None
        if not text and self.tool_calls:
            # The "" of the first (role) chunk: a streamed tool call has no text part, as the
            # same call made without streaming has none (its content is null).
            text = None
        message = {
            "role": self.role or "assistant",
            "content": text,
            "tool_calls": [
                {"id": c["id"], "function": {"name": c["name"], "arguments": c["arguments"]}}
                for _, c in sorted(self.tool_calls.items())
            ],
        }
        return chat_output_message(message, self.finish_reason)
