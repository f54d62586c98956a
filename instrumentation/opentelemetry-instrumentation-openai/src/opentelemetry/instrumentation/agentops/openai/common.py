"""What every OpenAI call type shares: endpoint, usage, response attributes, stream and
raw-response detection."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from opentelemetry.instrumentation.agentops.core import Call, Mapper, Request, Response, Usage
from opentelemetry.instrumentation.agentops.core.values import as_int, as_str, field
from opentelemetry.instrumentation.agentops.openai.endpoint import endpoint_of
from opentelemetry.semconv._incubating.attributes import openai_attributes as OpenAI

__all__ = ["OpenAIMapper", "usage_of"]


def usage_of(usage: Any) -> Usage | None:
    """Chat/completions usage (``prompt_tokens``...) or Responses usage (``input_tokens``...).

    OpenAI's prompt/input count already includes cached tokens, as the conventions want.
    """
    if usage is None:
        return None
    input_tokens = as_int(field(usage, "prompt_tokens"))
    if input_tokens is None:
        input_tokens = as_int(field(usage, "input_tokens"))
    output_tokens = as_int(field(usage, "completion_tokens"))
    if output_tokens is None:
        output_tokens = as_int(field(usage, "output_tokens"))
    input_details = field(usage, "prompt_tokens_details") or field(usage, "input_tokens_details")
    output_details = field(usage, "completion_tokens_details") or field(
        usage, "output_tokens_details"
    )
    return Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cache_read_input_tokens=as_int(field(input_details, "cached_tokens"))
        if input_details is not None
        else None,
        reasoning_output_tokens=as_int(field(output_details, "reasoning_tokens"))
        if output_details is not None
        else None,
    )


def _sdk_types(*names: tuple[str, str]) -> tuple[type, ...]:
    """SDK classes by module and name; those the installed version lacks are left out."""
    import importlib

    found: list[type] = []
    for module_name, class_name in names:
        try:
            cls = getattr(importlib.import_module(module_name), class_name)
        except (ImportError, AttributeError):
            continue
        if isinstance(cls, type):
            found.append(cls)
    return tuple(found)


class OpenAIMapper(Mapper):
    operation: ClassVar[str]

    def __init__(self) -> None:
        self._streams = _sdk_types(("openai", "Stream"), ("openai", "AsyncStream"))
        # Raw responses (with_raw_response) have a synchronous parse() for both clients;
        # with_streaming_response hands an AsyncAPIResponse whose parse() is awaited.
        self._sync_raw = _sdk_types(
            ("openai._legacy_response", "LegacyAPIResponse"), ("openai._response", "APIResponse")
        )
        self._async_raw = _sdk_types(("openai._response", "AsyncAPIResponse"))

    def new_request(self, call: Call, model: str | None) -> Request:
        provider, host, port = endpoint_of(call.instance)
        request = Request(
            provider=provider,
            operation=self.operation,
            model=model,
            server_address=host,
            server_port=port,
        )
        request.stream = call.kwargs.get("stream") is True
        return request

    def is_stream(self, result: Any) -> bool:
        return isinstance(result, self._streams)

    def raw_kind(self, result: Any) -> Literal["sync", "async"] | None:
        if self._async_raw and isinstance(result, self._async_raw):
            return "async"
        if self._sync_raw and isinstance(result, self._sync_raw):
            return "sync"
        return None

    @staticmethod
    def add_response_attributes(response: Response, result: Any) -> None:
        fingerprint = as_str(field(result, "system_fingerprint"))
        if fingerprint:
            response.attributes[OpenAI.OPENAI_RESPONSE_SYSTEM_FINGERPRINT] = fingerprint
        tier = as_str(field(result, "service_tier"))
        if tier:
            response.attributes[OpenAI.OPENAI_RESPONSE_SERVICE_TIER] = tier
