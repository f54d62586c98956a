"""LiteLLM's calls onto the shared record.

LiteLLM answers every provider in OpenAI's format (``ModelResponse``, chunks with deltas,
``usage.prompt_tokens``), so the chat mapping is the core's OpenAI-compatible one; what is
LiteLLM's own is where the call goes (``_providers``), the Router's deployment on each
attempt, and the Router's calls, which group their attempts (``Request.groups_attempts``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from agentops_semconv import (
    AGENTOPS_EMBEDDINGS_INPUT_COUNT,
    AGENTOPS_OPERATION_ROUTE,
    AGENTOPS_ROUTE_DEPLOYMENT,
    AGENTOPS_ROUTE_MODEL_GROUP,
    AGENTOPS_SERVER_COMPLETION_TIME,
    AGENTOPS_SERVER_PROMPT_TIME,
    AGENTOPS_SERVER_QUEUE_TIME,
    AGENTOPS_SERVER_TOTAL_TIME,
    ProviderName,
)
from opentelemetry.instrumentation.agentops.core import (
    Alteration,
    Call,
    Mapper,
    Request,
    Response,
    StreamAccumulator,
)
from opentelemetry.instrumentation.agentops.core.openai_compatible import (
    ChatState,
    ChatStreamState,
    StreamUsageRequest,
    chat_request_fields,
    chat_response,
    embedding_dimensions,
    usage_of,
)
from opentelemetry.instrumentation.agentops.core.values import (
    as_float,
    as_int,
    as_str,
    field,
    text_size,
)
from opentelemetry.instrumentation.agentops.litellm._compat import stream_usage_hidden
from opentelemetry.instrumentation.agentops.litellm._providers import endpoint_of, provider_model
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as GenAI

__all__ = ["CompletionMapper", "EmbeddingMapper", "RouterMapper"]

_CHAT: Final = GenAI.GenAiOperationNameValues.CHAT.value
_EMBEDDINGS: Final = GenAI.GenAiOperationNameValues.EMBEDDINGS.value


@dataclass(slots=True)
class LiteLLMState(ChatState):
    """What a LiteLLM call carries from its request to its response."""

    litellm_provider: str | None = None


def _request(call: Call, operation: str) -> Request[LiteLLMState]:
    """Provider, model, server and the Router's deployment, common to every LiteLLM call."""
    arguments = call.arguments
    model = as_str(arguments.get("model"))
    api_base = as_str(arguments.get("api_base")) or as_str(arguments.get("base_url"))
    state = LiteLLMState()
    if model is None:
        request: Request[LiteLLMState] = Request(
            provider=ProviderName.LITELLM, operation=operation, model=None, state=state
        )
    else:
        endpoint = endpoint_of(model, as_str(arguments.get("custom_llm_provider")), api_base)
        state.litellm_provider = endpoint.litellm_provider
        request = Request(
            provider=endpoint.provider,
            operation=operation,
            model=endpoint.model,
            server_address=endpoint.server_address,
            server_port=endpoint.server_port,
            state=state,
        )
    _deployment_attributes(request, arguments)
    return request


def _deployment_attributes(request: Request[Any], arguments: Mapping[str, Any]) -> None:
    """The Router's deployment, on each attempt it makes (read now: LiteLLM keeps changing
    the metadata dict as the routed call goes on)."""
    metadata = arguments.get("metadata")
    group = as_str(metadata.get("model_group")) if isinstance(metadata, dict) else None
    if group is not None:
        request.attributes[AGENTOPS_ROUTE_MODEL_GROUP] = group
    model_info = arguments.get("model_info")
    deployment = as_str(model_info.get("id")) if isinstance(model_info, dict) else None
    if deployment is not None:
        request.attributes[AGENTOPS_ROUTE_DEPLOYMENT] = deployment


def _finish(response: Response, request: Request[LiteLLMState]) -> Response:
    """The response model as the provider named it."""
    if request.state is not None:
        response.model = provider_model(response.model, request.state.litellm_provider)
    return response


class CompletionMapper(Mapper[LiteLLMState]):
    """``litellm.completion`` / ``acompletion``: chat, plain and streamed."""

    def __init__(self) -> None:
        # LiteLLM takes ``stream_options`` for every provider and reports usage on a last
        # chunk of its own when asked: that chunk is hidden from the caller.
        self._stream_usage = StreamUsageRequest(extra_body=False)

    def request(self, call: Call, capture_content: bool) -> Request[LiteLLMState] | None:
        request = _request(call, _CHAT)
        request.stream = call.arguments.get("stream") is True
        chat_request_fields(request, call.arguments, capture_content)
        return request

    def prepare(self, call: Call, request: Request[LiteLLMState]) -> Alteration | None:
        state = request.state
        if not request.stream or state is None or not stream_usage_hidden(state.litellm_provider):
            return None
        api_base = as_str(call.arguments.get("api_base"))
        # Request is invariant in its state's type; LiteLLMState is a ChatState.
        return self._stream_usage.prepare(call, request, api_base)  # type: ignore[arg-type]

    def response(
        self, result: Any, request: Request[LiteLLMState], capture_content: bool
    ) -> Response | None:
        response = chat_response(result, capture_content)
        usage = field(result, "usage")
        _cache_writes(response, usage)
        _server_timings(response, usage)
        return _finish(response, request)

    def accumulator(
        self, result: Any, request: Request[LiteLLMState], capture_content: bool
    ) -> StreamAccumulator | None:
        if not request.stream:
            return None
        state = request.state
        return _ChatStream(
            capture_content,
            hide_usage_chunk=state is not None and state.usage_requested,
            litellm_provider=state.litellm_provider if state is not None else None,
        )


def _cache_writes(response: Response, usage: Any) -> None:
    """Prompt-cache writes, which LiteLLM reports as Anthropic does (its input count
    includes them, as the conventions want)."""
    if response.usage is not None and usage is not None:
        written = as_int(field(usage, "cache_creation_input_tokens"))
        if written:
            response.usage.cache_creation_input_tokens = written


# Server timings LiteLLM passes on in its usage (Groq's), under the names the Groq package
# records them by, so a dashboard of them does not depend on the route.
_SERVER_TIMINGS: Final = (
    ("queue_time", AGENTOPS_SERVER_QUEUE_TIME),
    ("prompt_time", AGENTOPS_SERVER_PROMPT_TIME),
    ("completion_time", AGENTOPS_SERVER_COMPLETION_TIME),
    ("total_time", AGENTOPS_SERVER_TOTAL_TIME),
)


def _server_timings(response: Response, usage: Any) -> None:
    if usage is None:
        return
    for name, attribute in _SERVER_TIMINGS:
        seconds = as_float(field(usage, name))
        if seconds is not None:
            response.attributes[attribute] = seconds


class _ChatStream(ChatStreamState):
    """OpenAI-shaped chunks; the model as the provider named it."""

    __slots__ = ("_hide", "_litellm_provider")

    def __init__(
        self, capture_content: bool, *, hide_usage_chunk: bool, litellm_provider: str | None
    ) -> None:
        super().__init__(capture_content, hide_usage_chunk=hide_usage_chunk)
        self._hide = hide_usage_chunk
        self._litellm_provider = litellm_provider

    def add(self, chunk: Any) -> bool:
        first = self.id is None
        if self._hide and _usage_only(chunk):
            # LiteLLM before 1.110 gives the usage chunk one empty choice.
            self.usage = usage_of(getattr(chunk, "usage", None))
            return False
        keep = super().add(chunk)
        if first:
            self.model = provider_model(self.model, self._litellm_provider)
        return keep

    def caused_by_instrumentation(self, chunk: Any) -> bool:
        return self._hide and _usage_only(chunk)


def _usage_only(chunk: Any) -> bool:
    """A chunk with usage and nothing else: no choice, or choices that say nothing."""
    if getattr(chunk, "usage", None) is None:
        return False
    for choice in getattr(chunk, "choices", None) or ():
        if getattr(choice, "finish_reason", None) is not None:
            return False
        delta = getattr(choice, "delta", None)
        if delta is not None and any(
            getattr(delta, name, None) for name in ("content", "tool_calls", "function_call")
        ):
            return False
    return True


class EmbeddingMapper(Mapper[LiteLLMState]):
    """``litellm.embedding`` / ``aembedding``."""

    def request(self, call: Call, capture_content: bool) -> Request[LiteLLMState] | None:
        arguments = call.arguments
        request = _request(call, _EMBEDDINGS)
        encoding = as_str(arguments.get("encoding_format"))
        if encoding is not None:
            request.encoding_formats = [encoding]
        text = arguments.get("input")
        if isinstance(text, list):
            request.attributes[AGENTOPS_EMBEDDINGS_INPUT_COUNT] = len(text)
        elif isinstance(text, str):
            request.attributes[AGENTOPS_EMBEDDINGS_INPUT_COUNT] = 1
        request.prompt_size = lambda: text_size(text)
        return request

    def response(
        self, result: Any, request: Request[LiteLLMState], capture_content: bool
    ) -> Response | None:
        data = field(result, "data") or []
        response = Response(
            model=as_str(field(result, "model")),
            usage=usage_of(field(result, "usage")),
            embedding_dimensions=embedding_dimensions(field(data[0], "embedding"))
            if data
            else None,
        )
        if response.usage is not None:
            response.usage.output_tokens = None  # LiteLLM's placeholder (0, or a total), not output
        return _finish(response, request)


class RouterMapper(Mapper[None]):
    """A ``Router`` call: one routed call whose attempts are LiteLLM calls of their own."""

    def request(self, call: Call, capture_content: bool) -> Request[None] | None:
        arguments = call.arguments
        return Request(
            provider=ProviderName.LITELLM,
            operation=AGENTOPS_OPERATION_ROUTE,
            model=as_str(arguments.get("model")),
            stream=arguments.get("stream") is True,
            groups_attempts=True,
        )

    def response(self, result: Any, request: Request[None], capture_content: bool) -> Response:
        return Response()

    def credentials(self, instance: Any) -> Iterable[str]:
        """The API keys of the Router's deployments."""
        keys: list[str] = []
        for deployment in getattr(instance, "model_list", None) or ():
            params = field(deployment, "litellm_params")
            key = field(params, "api_key") if params is not None else None
            if isinstance(key, str):
                keys.append(key)
        return keys
