"""``embeddings.create`` / ``create_async``: text in ``inputs``, vectors in ``data``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from agentops_semconv import ProviderName
from opentelemetry.instrumentation.agentops.core import Call, Mapper, Request, Response
from opentelemetry.instrumentation.agentops.core.openai_compatible import (
    embedding_dimensions,
    usage_of,
)
from opentelemetry.instrumentation.agentops.core.values import as_str, field, text_size
from opentelemetry.instrumentation.agentops.mistral._client import credentials, server_of
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as GenAI

__all__ = ["EmbeddingsMapper"]

_EMBEDDINGS: Final = GenAI.GenAiOperationNameValues.EMBEDDINGS.value


class EmbeddingsMapper(Mapper[None]):
    def request(self, call: Call, capture_content: bool) -> Request[None] | None:
        arguments = call.arguments
        host, port = server_of(call.instance, arguments)
        request: Request[None] = Request(
            provider=ProviderName.MISTRAL,
            operation=_EMBEDDINGS,
            model=as_str(arguments.get("model")),
            server_address=host,
            server_port=port,
        )
        # The number type of the vectors (float, int8, binary, ...) and how they are sent
        # (float, base64): both are what the conventions call encoding formats.
        formats = [as_str(arguments.get(name)) for name in ("output_dtype", "encoding_format")]
        request.encoding_formats = list(dict.fromkeys(f for f in formats if f)) or None
        inputs = arguments.get("inputs")
        request.prompt_size = lambda: text_size(inputs)
        return request

    def response(self, result: Any, request: Request[None], capture_content: bool) -> Response:
        data = field(result, "data") or []
        usage = usage_of(field(result, "usage"))
        if usage is not None:
            # Mistral reports completion_tokens=0 for embeddings; there is no output to count.
            usage.output_tokens = None
        return Response(
            id=as_str(field(result, "id")),
            model=as_str(field(result, "model")),
            usage=usage,
            embedding_dimensions=embedding_dimensions(field(data[0], "embedding"))
            if data
            else None,
        )

    def credentials(self, instance: Any) -> Iterable[str]:
        return credentials(instance)
