"""``embeddings.create``."""

from __future__ import annotations

import base64
from typing import Any, Final

from opentelemetry.instrumentation.agentops.core import Call, Request, Response
from opentelemetry.instrumentation.agentops.core.values import as_str, field
from opentelemetry.instrumentation.agentops.openai.common import OpenAIMapper, usage_of
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as GenAI

__all__ = ["EmbeddingsMapper"]

_FLOAT32_BYTES: Final = 4


def _dimensions(vector: Any) -> int | None:
    if isinstance(vector, str):  # encoding_format="base64": packed little-endian float32
        try:
            return len(base64.b64decode(vector)) // _FLOAT32_BYTES
        except ValueError:
            return None
    try:
        return len(vector)
    except TypeError:
        return None


class EmbeddingsMapper(OpenAIMapper):
    operation = GenAI.GenAiOperationNameValues.EMBEDDINGS.value

    def request(self, call: Call, capture_content: bool) -> Request | None:
        request = self.new_request(call, as_str(call.kwargs.get("model")))
        encoding = as_str(call.kwargs.get("encoding_format"))
        if encoding is not None:
            request.encoding_formats = [encoding]
        return request

    def response(self, result: Any, request: Request, capture_content: bool) -> Response | None:
        data = field(result, "data") or []
        return Response(
            model=as_str(field(result, "model")),
            usage=usage_of(field(result, "usage")),
            embedding_dimensions=_dimensions(field(data[0], "embedding")) if data else None,
        )
