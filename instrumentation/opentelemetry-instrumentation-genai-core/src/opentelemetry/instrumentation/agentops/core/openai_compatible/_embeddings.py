"""Embeddings in the OpenAI shape (``embeddings.create`` of a Stainless-generated SDK)."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any, Final

from opentelemetry.instrumentation.agentops.core._mapper import Call, Mapper
from opentelemetry.instrumentation.agentops.core._records import Request, Response
from opentelemetry.instrumentation.agentops.core.openai_compatible._chat import ClientOf
from opentelemetry.instrumentation.agentops.core.openai_compatible._endpoints import (
    endpoint_of_client,
)
from opentelemetry.instrumentation.agentops.core.openai_compatible._stainless import (
    stainless_credentials,
)
from opentelemetry.instrumentation.agentops.core.openai_compatible._usage import usage_of
from opentelemetry.instrumentation.agentops.core.values import as_str, field, text_size
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as GenAI

__all__ = ["EmbeddingsMapper", "embedding_dimensions"]

_FLOAT32_BYTES: Final = 4


def embedding_dimensions(vector: Any) -> int | None:
    """Length of one embedding: a list of numbers, or base64-packed little-endian float32."""
    if isinstance(vector, str):  # encoding_format="base64"
        try:
            return len(base64.b64decode(vector)) // _FLOAT32_BYTES
        except ValueError:
            return None
    try:
        return len(vector)
    except TypeError:
        return None


class EmbeddingsMapper(Mapper[None]):
    operation: Final = GenAI.GenAiOperationNameValues.EMBEDDINGS.value

    def __init__(self, provider: str, client_of: ClientOf) -> None:
        self.provider = provider
        self.client_of = client_of

    def request(self, call: Call, capture_content: bool) -> Request[None] | None:
        provider, host, port = endpoint_of_client(self.client_of(call.instance), self.provider)
        arguments = call.arguments
        request: Request[None] = Request(
            provider=provider,
            operation=self.operation,
            model=as_str(arguments.get("model")),
            server_address=host,
            server_port=port,
        )
        encoding = as_str(arguments.get("encoding_format"))
        if encoding is not None:
            request.encoding_formats = [encoding]
        text = arguments.get("input")
        request.prompt_size = lambda: text_size(text)
        return request

    def response(self, result: Any, request: Request[None], capture_content: bool) -> Response:
        data = field(result, "data") or []
        return Response(
            model=as_str(field(result, "model")),
            usage=usage_of(field(result, "usage")),
            embedding_dimensions=embedding_dimensions(field(data[0], "embedding"))
            if data
            else None,
        )

    def credentials(self, instance: Any) -> Iterable[str]:
        return stainless_credentials(self.client_of(instance))
