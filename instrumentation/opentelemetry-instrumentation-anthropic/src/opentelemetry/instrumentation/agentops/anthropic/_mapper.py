"""What every Anthropic call shares: its endpoint, sampling parameters and credentials."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from agentops_semconv import ProviderName
from opentelemetry.instrumentation.agentops.anthropic._compat import client_of
from opentelemetry.instrumentation.agentops.core import Call, Mapper, Request
from opentelemetry.instrumentation.agentops.core.openai_compatible import (
    endpoint_of_client,
    stainless_credentials,
)
from opentelemetry.instrumentation.agentops.core.values import (
    as_float,
    as_int,
    as_str,
    as_str_list,
)

__all__ = ["AnthropicMapper"]


class AnthropicMapper(Mapper[None]):
    """A mapper of ``client.messages`` / ``client.completions`` calls.

    The provider is ``anthropic`` unless the client's base URL is another provider's known
    host (Anthropic-compatible endpoints of other providers are priced as theirs).
    """

    max_tokens_argument: str = "max_tokens"

    def new_request(self, call: Call, operation: str, *, stream: bool) -> Request[None]:
        arguments = call.arguments
        provider, host, port = endpoint_of_client(client_of(call.instance), ProviderName.ANTHROPIC)
        # Newer SDKs dropped the sampling parameters from their signatures; callers still
        # send them, through ``extra_body``, whose values the SDK sends over the arguments'.
        extra = arguments.get("extra_body")
        if isinstance(extra, dict) and extra:
            arguments = {**arguments, **extra}
        return Request(
            provider=provider,
            operation=operation,
            model=as_str(arguments.get("model")),
            server_address=host,
            server_port=port,
            stream=stream,
            temperature=as_float(arguments.get("temperature")),
            top_p=as_float(arguments.get("top_p")),
            top_k=as_float(arguments.get("top_k")),
            max_tokens=as_int(arguments.get(self.max_tokens_argument)),
            stop_sequences=as_str_list(arguments.get("stop_sequences")),
        )

    def credentials(self, instance: Any) -> Iterable[str]:
        return stainless_credentials(client_of(instance))
