"""OpenTelemetry GenAI instrumentation of the Ollama Python SDK.

Traces ``chat``, ``generate``, ``embed`` and ``embeddings``, plain and streamed, on
``ollama.Client`` and ``ollama.AsyncClient`` and as the module's functions (``ollama.chat``
is a method of a client the SDK makes at import: it is traced too)::

    from opentelemetry.instrumentation.agentops.ollama import OllamaInstrumentor

    OllamaInstrumentor().instrument()

or, with no code change, ``opentelemetry-instrument python app.py``. Works with the SDKs that
return dicts (before 0.4) and those that return typed objects. The server's own timings are
recorded as ``agentops.server.*`` span attributes (seconds).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import ClassVar

from opentelemetry.instrumentation.agentops.core import GenAIInstrumentor, Patch
from opentelemetry.instrumentation.agentops.ollama._embeddings import (
    EmbeddingsMapper,
    EmbedMapper,
)
from opentelemetry.instrumentation.agentops.ollama._generation import ChatMapper, GenerateMapper
from opentelemetry.instrumentation.agentops.ollama.package import _instruments
from opentelemetry.instrumentation.agentops.ollama.version import __version__

__all__ = ["OllamaInstrumentor"]


class OllamaInstrumentor(GenAIInstrumentor):
    scope_name: ClassVar[str] = "opentelemetry.instrumentation.agentops.ollama"
    scope_version: ClassVar[str] = __version__
    sdk_name: ClassVar[str] = "ollama"

    def instrumentation_dependencies(self) -> Collection[str]:
        return _instruments

    def patches(self) -> Iterable[Patch]:
        # Every release from 0.0.1 has these classes at the top of the package; ``embed``
        # is new in 0.3.0 (skipped before). The sync methods are plain ``def``s (a stream is
        # a generator they return), the async ones ``async def``s (a stream is an async
        # generator the coroutine returns): the core reads both shapes from the functions.
        mappers = {
            "chat": ChatMapper(),
            "generate": GenerateMapper(),
            "embed": EmbedMapper(),
            "embeddings": EmbeddingsMapper(),
        }
        for client in ("Client", "AsyncClient"):
            for method, mapper in mappers.items():
                yield Patch("ollama", f"{client}.{method}", mapper)
