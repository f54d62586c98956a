"""Chat completions and fill-in-the-middle (FIM) completions.

Both speak the OpenAI shape (choices with messages, usage, chunks with deltas), so requests,
responses and stream chunks are read with ``openai_compatible``. What is Mistral's own: the
method, not an argument, says whether a call streams (``stream``, ``parse_stream``); the seed
is ``random_seed``; each stream event wraps its chunk (``CompletionEvent.data``); usage always
comes in the last chunk, so nothing has to be asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from agentops_semconv import ProviderName
from opentelemetry.instrumentation.agentops.core import (
    Call,
    Mapper,
    Request,
    Response,
    StreamAccumulator,
)
from opentelemetry.instrumentation.agentops.core.chat_format import (
    chat_input_messages,
    chat_prompt_size,
    tool_definitions,
)
from opentelemetry.instrumentation.agentops.core.openai_compatible import (
    ChatStreamState,
    chat_request_params,
    chat_response,
    output_type_of,
)
from opentelemetry.instrumentation.agentops.core.values import as_float, as_int, as_str, text_size
from opentelemetry.instrumentation.agentops.mistral._client import credentials, server_of
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as GenAI
from opentelemetry.util.genai.types import InputMessage, MessagePart, TextPart

__all__ = ["ChatMapper", "FimMapper", "MistralStreamState"]

_CHAT: Final = GenAI.GenAiOperationNameValues.CHAT.value
_TEXT_COMPLETION: Final = GenAI.GenAiOperationNameValues.TEXT_COMPLETION.value


class MistralStreamState(ChatStreamState):
    """Follows a Mistral stream: each event's ``data`` is an OpenAI-shaped chunk."""

    __slots__ = ()

    def add(self, chunk: Any) -> bool:
        return super().add(getattr(chunk, "data", chunk))


class _CompletionMapper(Mapper[None]):
    """What chat and FIM share: the endpoint, sampling parameters, results and streams."""

    operation: str

    def __init__(self, *, streaming: bool = False) -> None:
        """``streaming``: the patched method returns a stream (``stream``, ``parse_stream``)."""
        self.streaming = streaming

    def new_request(self, call: Call) -> Request[None]:
        arguments = call.arguments
        host, port = server_of(call.instance, arguments)
        request: Request[None] = Request(
            provider=ProviderName.MISTRAL,
            operation=self.operation,
            model=as_str(arguments.get("model")),
            server_address=host,
            server_port=port,
            stream=self.streaming,
        )
        chat_request_params(request, arguments)
        request.seed = as_int(arguments.get("random_seed"))
        request.max_tokens = as_int(arguments.get("max_tokens"))
        request.top_k = as_float(arguments.get("top_k"))
        return request

    def response(
        self, result: Any, request: Request[None], capture_content: bool
    ) -> Response | None:
        return chat_response(result, capture_content)

    def accumulator(
        self, result: Any, request: Request[None], capture_content: bool
    ) -> StreamAccumulator | None:
        return MistralStreamState(capture_content) if request.stream else None

    def credentials(self, instance: Any) -> Iterable[str]:
        return credentials(instance)


class ChatMapper(_CompletionMapper):
    """``chat.complete`` / ``stream`` / ``parse`` / ``parse_stream`` and their async twins."""

    operation = _CHAT

    def request(self, call: Call, capture_content: bool) -> Request[None] | None:
        arguments = call.arguments
        request = self.new_request(call)
        request.output_type = output_type_of(arguments.get("response_format"))
        messages = arguments.get("messages")
        request.prompt_size = lambda: chat_prompt_size(messages)
        if capture_content:
            request.input_messages = chat_input_messages(_as_sent(messages))
            request.tool_definitions = tool_definitions(_as_sent(arguments.get("tools")))
        return request


def _as_sent(values: Any) -> Any:
    """Messages or tools as the SDK sends them: its models (``UserMessage``, ``Tool``, ...)
    hold an ``Unset`` sentinel in every field the caller left out, which their dump drops."""
    if not isinstance(values, list | tuple):
        return values
    return [_dumped(value) for value in values]


def _dumped(value: Any) -> Any:
    dump = getattr(value, "model_dump", None)  # a pydantic model (the SDK's): its wire form
    return dump(by_alias=True) if callable(dump) and not isinstance(value, dict) else value


class FimMapper(_CompletionMapper):
    """``fim.complete`` / ``stream``: code before (``prompt``) and after (``suffix``) a gap."""

    operation = _TEXT_COMPLETION

    def request(self, call: Call, capture_content: bool) -> Request[None] | None:
        arguments = call.arguments
        request = self.new_request(call)
        prompt, suffix = arguments.get("prompt"), arguments.get("suffix")
        request.prompt_size = lambda: text_size(prompt) + text_size(suffix)
        if capture_content:
            request.input_messages = [InputMessage(role="user", parts=_fim_parts(arguments))]
        return request


def _fim_parts(arguments: Mapping[str, Any]) -> list[MessagePart]:
    """The prompt, then the suffix when there is one: two text parts of one user message."""
    texts = (as_str(arguments.get("prompt")), as_str(arguments.get("suffix")))
    return [TextPart(content=text) for text in texts if text]
