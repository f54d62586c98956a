"""OpenTelemetry GenAI instrumentation of the OpenAI Python SDK.

Traces chat completions (``create``, ``parse``, ``stream``), legacy completions, embeddings
and the Responses API (``create``, ``parse``, ``stream``), sync and async, including calls
made through ``with_raw_response`` and ``with_streaming_response``::

    from opentelemetry.instrumentation.agentops.openai import OpenAIInstrumentor

    OpenAIInstrumentor().instrument()

or, with no code change, ``opentelemetry-instrument python app.py``. An OpenAI client pointed
at another provider's OpenAI-compatible endpoint (Azure, Groq, Mistral, DeepSeek, xAI,
OpenRouter, Together, Fireworks, Gemini, Ollama) reports that provider.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import ClassVar, Final

from agentops_semconv import ProviderName
from opentelemetry.instrumentation.agentops.core import GenAIInstrumentor, Patch
from opentelemetry.instrumentation.agentops.core.openai_compatible import (
    ChatMapper,
    CompletionsMapper,
    EmbeddingsMapper,
    stainless_patches,
)
from opentelemetry.instrumentation.agentops.openai._compat import client_of
from opentelemetry.instrumentation.agentops.openai._extension import OpenAIFields
from opentelemetry.instrumentation.agentops.openai.package import _instruments
from opentelemetry.instrumentation.agentops.openai.responses import ResponsesMapper
from opentelemetry.instrumentation.agentops.openai.version import __version__
from opentelemetry.semconv._incubating.attributes import openai_attributes as OpenAI

__all__ = ["OpenAIInstrumentor"]

_API_TYPE: Final = OpenAI.OPENAI_API_TYPE
_CHAT_COMPLETIONS: Final = OpenAI.OpenaiApiTypeValues.CHAT_COMPLETIONS.value
_RESPONSES: Final = OpenAI.OpenaiApiTypeValues.RESPONSES.value


class OpenAIInstrumentor(GenAIInstrumentor):
    scope_name: ClassVar[str] = "opentelemetry.instrumentation.agentops.openai"
    scope_version: ClassVar[str] = __version__
    sdk_name: ClassVar[str] = "openai"

    def instrumentation_dependencies(self) -> Collection[str]:
        return _instruments

    def patches(self) -> Iterable[Patch]:
        fields = OpenAIFields()
        openai = ProviderName.OPENAI
        chat = ChatMapper(
            openai, client_of, extension=fields, attributes={_API_TYPE: _CHAT_COMPLETIONS}
        )
        completions = CompletionsMapper(openai, client_of, extension=fields)
        embeddings = EmbeddingsMapper(openai, client_of)
        responses = ResponsesMapper(
            openai, client_of, extension=fields, attributes={_API_TYPE: _RESPONSES}
        )
        # ``chat.completions.stream()`` and ``responses.stream()`` call ``create`` and are
        # traced through it; ``parse`` posts directly, so it is patched too (in SDKs where
        # it calls ``create`` instead, the inner call joins the outer span, not a second one).
        resources = "openai.resources"
        for module, sync_class, async_class, methods, mapper in (
            (
                f"{resources}.chat.completions",
                "Completions",
                "AsyncCompletions",
                ("create", "parse"),
                chat,
            ),
            (
                f"{resources}.beta.chat.completions",
                "Completions",
                "AsyncCompletions",
                ("parse",),
                chat,
            ),
            (
                f"{resources}.completions",
                "Completions",
                "AsyncCompletions",
                ("create",),
                completions,
            ),
            (f"{resources}.embeddings", "Embeddings", "AsyncEmbeddings", ("create",), embeddings),
            (
                f"{resources}.responses",
                "Responses",
                "AsyncResponses",
                ("create", "parse"),
                responses,
            ),
        ):
            yield from stainless_patches(module, sync_class, async_class, methods, mapper)
