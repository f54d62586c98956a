"""``embed`` (``/api/embed``, ollama >= 0.3: one or many inputs) and the older ``embeddings``
(``/api/embeddings``: one prompt, no token count)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

from agentops_semconv import AGENTOPS_EMBEDDINGS_INPUT_COUNT
from opentelemetry.instrumentation.agentops.core import Call, Mapper, Request, Response
from opentelemetry.instrumentation.agentops.core.openai_compatible import embedding_dimensions
from opentelemetry.instrumentation.agentops.core.values import as_str, field, text_size
from opentelemetry.instrumentation.agentops.ollama._request import credentials_of, new_request
from opentelemetry.instrumentation.agentops.ollama._response import add_timings, usage_of
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as GenAI

__all__ = ["EmbedMapper", "EmbeddingsMapper"]

_EMBEDDINGS: Final = GenAI.GenAiOperationNameValues.EMBEDDINGS.value


def _input_count(value: Any) -> int | None:
    if isinstance(value, str):
        return 1
    if isinstance(value, Sequence) and not isinstance(value, bytes):
        return len(value)
    return None


def _dimensions(vector: Any) -> int | None:
    return embedding_dimensions(vector) if vector else None


class _EmbeddingMapper(Mapper[None]):
    input_argument: str

    def request(self, call: Call, capture_content: bool) -> Request[None] | None:
        request = new_request(call, _EMBEDDINGS)
        text = call.arguments.get(self.input_argument)
        count = _input_count(text)
        if count is not None:
            request.attributes[AGENTOPS_EMBEDDINGS_INPUT_COUNT] = count
        request.prompt_size = lambda: text_size(text)
        return request

    def credentials(self, instance: Any) -> Iterable[str]:
        return credentials_of(instance)


class EmbedMapper(_EmbeddingMapper):
    input_argument = "input"

    def response(self, result: Any, request: Request[None], capture_content: bool) -> Response:
        vectors = field(result, "embeddings") or ()
        response = Response(
            model=as_str(field(result, "model")),
            usage=usage_of(result),
            embedding_dimensions=_dimensions(vectors[0]) if vectors else None,
        )
        add_timings(result, response.attributes)
        return response


class EmbeddingsMapper(_EmbeddingMapper):
    input_argument = "prompt"

    def response(self, result: Any, request: Request[None], capture_content: bool) -> Response:
        # The server answers with the vector alone: no model, no counts, no timings.
        return Response(embedding_dimensions=_dimensions(field(result, "embedding")))
