"""What every Cohere call shares: the endpoint and credentials of its client, usage, finish
reasons, sampling parameters, and turning SDK models into plain data for content capture."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Final, TypeGuard

from agentops_semconv import ProviderName
from opentelemetry.instrumentation.agentops.cohere._compat import client_wrapper_of
from opentelemetry.instrumentation.agentops.core import (
    Call,
    Mapper,
    Request,
    StreamAccumulator,
    Usage,
    server_from_url,
)
from opentelemetry.instrumentation.agentops.core.values import (
    as_float,
    as_int,
    as_str,
    as_str_list,
    field,
)
from opentelemetry.util.genai.types import InputMessage, MessagePart, TextPart

__all__ = [
    "PROVIDER",
    "CohereMapper",
    "count",
    "documents_message",
    "finish_reason",
    "is_list",
    "plain",
    "sampling_params",
    "usage_of",
]

PROVIDER: Final = ProviderName.COHERE

# Cohere's finish reasons (v1 and v2) in the conventions' terms; others are kept, lowercased.
_FINISH_REASONS: Final = {
    "COMPLETE": "stop",
    "STOP_SEQUENCE": "stop",
    "MAX_TOKENS": "length",
    "ERROR_LIMIT": "length",
    "TOOL_CALL": "tool_call",
    "ERROR": "error",
    "TIMEOUT": "error",
    "ERROR_TOXIC": "content_filter",
}


def finish_reason(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    return _FINISH_REASONS.get(value.upper(), value.lower())


def count(value: Any) -> int | None:
    """A count Cohere reports: a float on cohere >= 5.5 (``70.0``), an int before."""
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    number = as_int(value)
    return number if number is not None and number >= 0 else None


def usage_of(usage: Any) -> Usage | None:
    """Usage from a v1 ``meta`` or a v2 ``usage``: the billed counts, which are what Cohere
    charges (``tokens`` adds the prompt template it wraps around a chat), else ``tokens``.
    Cached tokens are part of the input counts, as the conventions want."""
    if usage is None:
        return None
    billed = field(usage, "billed_units")
    tokens = field(usage, "tokens")
    input_tokens = count(field(billed, "input_tokens")) if billed is not None else None
    output_tokens = count(field(billed, "output_tokens")) if billed is not None else None
    if input_tokens is None and tokens is not None:
        input_tokens = count(field(tokens, "input_tokens"))
    if output_tokens is None and tokens is not None:
        output_tokens = count(field(tokens, "output_tokens"))
    if input_tokens is None and output_tokens is None:
        return None
    return Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cache_read_input_tokens=count(field(usage, "cached_tokens")),
    )


def is_list(value: Any) -> TypeGuard[list[Any] | tuple[Any, ...]]:
    """A list or tuple the caller passed (not the SDK's "omitted" sentinel, nor a string)."""
    return isinstance(value, list | tuple)


def sampling_params(request: Request[Any], arguments: Mapping[str, Any]) -> None:
    """The sampling parameters v1 and v2 chat and v1 generate share (``p``, ``k``, ...)."""
    request.temperature = as_float(arguments.get("temperature"))
    request.top_p = as_float(arguments.get("p"))
    request.top_k = as_float(arguments.get("k"))
    request.max_tokens = as_int(arguments.get("max_tokens"))
    request.seed = as_int(arguments.get("seed"))
    request.stop_sequences = as_str_list(arguments.get("stop_sequences"))
    request.frequency_penalty = as_float(arguments.get("frequency_penalty"))
    request.presence_penalty = as_float(arguments.get("presence_penalty"))


def plain(value: Any, _depth: int = 0) -> Any:
    """JSON-ready data from what callers pass and SDKs return (dicts, lists, SDK models)."""
    if value is None or isinstance(value, str | int | float | bool) or _depth > 16:
        return value
    if isinstance(value, Mapping):
        return {str(k): plain(v, _depth + 1) for k, v in value.items()}
    if is_list(value):
        return [plain(item, _depth + 1) for item in value]
    # Cohere's models are pydantic v2 models, or pydantic.v1 ones on cohere < 5.7.
    for name in ("model_dump", "dict"):
        dump = getattr(value, name, None)
        if callable(dump):
            try:
                return plain(dump(), _depth + 1)
            except Exception:
                break
    return str(value)


def document_text(document: Any) -> str:
    """A grounding document as text: a string as it is, structured documents as JSON."""
    if isinstance(document, str):
        return document
    return json.dumps(plain(document), ensure_ascii=False, default=str)


def documents_message(documents: Any) -> InputMessage | None:
    """The ``documents`` a chat is grounded on, as one input message of text parts."""
    if not is_list(documents) or not documents:
        return None
    parts: list[MessagePart] = [TextPart(content=document_text(d)) for d in documents]
    return InputMessage(role="user", parts=parts, name="documents")


class CohereMapper(Mapper[None]):
    """What every Cohere mapper shares: the client's endpoint and credentials, and (for the
    ``*_stream`` methods, made with ``stream=True``) a stream accumulator."""

    operation: str

    def __init__(self, *, stream: bool = False) -> None:
        self.stream = stream

    def new_request(self, call: Call, *, sampled: bool = False) -> Request[None]:
        """The request's common part; ``sampled``: a generation, with sampling parameters."""
        host, port = _server_of(call.instance)
        request: Request[None] = Request(
            provider=PROVIDER,
            operation=self.operation,
            model=as_str(call.get("model")),
            server_address=host,
            server_port=port,
            stream=self.stream,
        )
        if sampled:
            sampling_params(request, call.arguments)
        return request

    def new_stream(self, capture_content: bool) -> StreamAccumulator | None:
        """The accumulator of this kind of call's stream (calls that stream override it)."""
        return None

    def accumulator(
        self, result: Any, request: Request[None], capture_content: bool
    ) -> StreamAccumulator | None:
        return self.new_stream(capture_content) if self.stream else None

    def credentials(self, instance: Any) -> Iterable[str]:
        wrapper = client_wrapper_of(instance)
        if wrapper is None:
            return ()
        values: list[str] = []
        headers = wrapper.get_headers()
        authorization = headers.get("Authorization") if isinstance(headers, Mapping) else None
        if isinstance(authorization, str):
            values.append(authorization)
            scheme, _, token = authorization.partition(" ")
            if token and scheme.lower() == "bearer":
                values.append(token)
        # Headers the caller gave the client (`headers=`, by cohere 5.21): values they chose.
        custom = getattr(wrapper, "get_custom_headers", None)
        extra = custom() if callable(custom) else None
        if isinstance(extra, Mapping):
            values.extend(v for v in extra.values() if isinstance(v, str))
        return values


def _server_of(client: Any) -> tuple[str | None, int | None]:
    wrapper = client_wrapper_of(client)
    get_base_url = getattr(wrapper, "get_base_url", None)
    base_url = get_base_url() if callable(get_base_url) else None
    if not isinstance(base_url, str):
        return None, None
    return server_from_url(base_url)
