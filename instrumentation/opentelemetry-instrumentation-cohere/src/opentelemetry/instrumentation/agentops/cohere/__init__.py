"""OpenTelemetry GenAI instrumentation of the Cohere Python SDK.

Traces, sync and async, the v1 clients (``cohere.Client`` / ``AsyncClient``: ``chat``,
``chat_stream``, ``embed``, ``rerank``, ``generate``, ``generate_stream``) and the v2 clients
(``cohere.ClientV2`` / ``AsyncClientV2`` and ``client.v2``, cohere >= 5.8: ``chat``,
``chat_stream``, ``embed``, ``rerank``)::

    from opentelemetry.instrumentation.agentops.cohere import CohereInstrumentor

    CohereInstrumentor().instrument()

or, with no code change, ``opentelemetry-instrument python app.py``. Clients built before
instrumenting are traced too: the SDK stores bound methods on each client in ``__init__``,
and the core traces the functions themselves, not the class attributes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import ClassVar

from opentelemetry.instrumentation.agentops.cohere._chat_v1 import V1ChatMapper
from opentelemetry.instrumentation.agentops.cohere._chat_v2 import V2ChatMapper
from opentelemetry.instrumentation.agentops.cohere._embed import EmbedMapper
from opentelemetry.instrumentation.agentops.cohere._generate import GenerateMapper
from opentelemetry.instrumentation.agentops.cohere._rerank import RerankMapper
from opentelemetry.instrumentation.agentops.cohere.package import _instruments
from opentelemetry.instrumentation.agentops.cohere.version import __version__
from opentelemetry.instrumentation.agentops.core import GenAIInstrumentor, Mapper, Patch

__all__ = ["CohereInstrumentor"]

_V1 = "cohere.base_client"
_CLIENT = "cohere.client"
_V2 = "cohere.v2.client"


class CohereInstrumentor(GenAIInstrumentor):
    scope_name: ClassVar[str] = "opentelemetry.instrumentation.agentops.cohere"
    scope_version: ClassVar[str] = __version__
    sdk_name: ClassVar[str] = "cohere"

    def instrumentation_dependencies(self) -> Collection[str]:
        return _instruments

    def patches(self) -> Iterable[Patch]:
        # Shapes come from the functions: chat_stream and generate_stream are generator
        # functions (the request goes out on the first read), their async twins async
        # generator functions, everything else a plain def or an async def.
        embed = EmbedMapper()
        rerank = RerankMapper()
        v1: dict[str, Mapper[None]] = {
            "chat": V1ChatMapper(),
            "chat_stream": V1ChatMapper(stream=True),
            "generate": GenerateMapper(),
            "generate_stream": GenerateMapper(stream=True),
            "rerank": rerank,
        }
        v2: dict[str, Mapper[None]] = {
            "chat": V2ChatMapper(),
            "chat_stream": V2ChatMapper(stream=True),
            "embed": embed,
            "rerank": rerank,
        }
        for cls in ("BaseCohere", "AsyncBaseCohere"):
            for method, mapper in v1.items():
                yield Patch(_V1, f"{cls}.{method}", mapper)
        # v1 embed: the clients' own embed, which splits texts into batches of 96 and calls
        # BaseCohere.embed per batch on a thread pool, where the caller's context (and so the
        # joining of nested calls) does not follow. Tracing it, and not BaseCohere.embed,
        # makes a batched call one span with the summed usage.
        for cls in ("Client", "AsyncClient"):
            yield Patch(_CLIENT, f"{cls}.embed", embed)
        # v2 (cohere >= 5.8; 5.8 has chat and chat_stream only, where ClientV2's embed and
        # rerank are the v1 ones): ClientV2 inherits these, and ``client.v2`` is a V2Client.
        for cls in ("V2Client", "AsyncV2Client"):
            for method, mapper in v2.items():
                yield Patch(_V2, f"{cls}.{method}", mapper)
