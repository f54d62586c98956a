"""OpenTelemetry GenAI instrumentation of the OpenAI Python SDK.

Traces chat completions (``create``, ``parse``, ``stream``), legacy completions, embeddings
and the Responses API (``create``, ``parse``, ``stream``), sync and async, including calls
made through ``with_raw_response`` and ``with_streaming_response``::

    from opentelemetry.instrumentation.agentops.openai import OpenAIInstrumentor

    OpenAIInstrumentor().instrument()

or, with no code change, ``opentelemetry-instrument python app.py``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import ClassVar

from opentelemetry.instrumentation.agentops.core import GenAIInstrumentor, Patch
from opentelemetry.instrumentation.agentops.openai.chat import ChatMapper, CompletionsMapper
from opentelemetry.instrumentation.agentops.openai.embeddings import EmbeddingsMapper
from opentelemetry.instrumentation.agentops.openai.package import _instruments
from opentelemetry.instrumentation.agentops.openai.responses import ResponsesMapper
from opentelemetry.instrumentation.agentops.openai.version import __version__

__all__ = ["OpenAIInstrumentor"]


class OpenAIInstrumentor(GenAIInstrumentor):
    scope_name: ClassVar[str] = "opentelemetry.instrumentation.agentops.openai"
    scope_version: ClassVar[str] = __version__
    sdk_name: ClassVar[str] = "openai"

    def instrumentation_dependencies(self) -> Collection[str]:
        return _instruments

    def patches(self) -> Iterable[Patch]:
        chat, completions = ChatMapper(), CompletionsMapper()
        embeddings, responses = EmbeddingsMapper(), ResponsesMapper()
        # ``chat.completions.stream()`` and ``responses.stream()`` call ``create`` and are
        # traced through it; ``parse`` posts directly, so it is wrapped too (in SDKs where
        # it calls ``create`` instead, the inner call joins the outer span, not a second one).
        for module, sync_class, async_class, methods, mapper in (
            (
                "openai.resources.chat.completions",
                "Completions",
                "AsyncCompletions",
                ("create", "parse"),
                chat,
            ),
            (
                "openai.resources.beta.chat.completions",
                "Completions",
                "AsyncCompletions",
                ("parse",),
                chat,
            ),
            (
                "openai.resources.completions",
                "Completions",
                "AsyncCompletions",
                ("create",),
                completions,
            ),
            (
                "openai.resources.embeddings",
                "Embeddings",
                "AsyncEmbeddings",
                ("create",),
                embeddings,
            ),
            (
                "openai.resources.responses",
                "Responses",
                "AsyncResponses",
                ("create", "parse"),
                responses,
            ),
        ):
            for method in methods:
                yield Patch(module, f"{sync_class}.{method}", mapper)
                yield Patch(module, f"{async_class}.{method}", mapper, is_async=True)
