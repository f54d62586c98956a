"""OpenTelemetry GenAI instrumentation of the Mistral Python SDK (``mistralai``).

Traces chat completions (``complete``, ``stream``, ``parse``, ``parse_stream``), FIM
completions (``fim.complete``, ``fim.stream``) and embeddings (``embeddings.create``), sync
and async (``*_async``), in both module layouts of the SDK: ``mistralai.chat`` and friends in
1.x, ``mistralai.client.chat`` from 2.0 on (where ``mistralai`` is a namespace package)::

    from opentelemetry.instrumentation.agentops.mistral import MistralInstrumentor

    MistralInstrumentor().instrument()

or, with no code change, ``opentelemetry-instrument python app.py``. mistralai 1.10 to 2.4
emit spans of their own whenever a tracer provider exists; while instrumented they are
switched off, so each call has one GenAI span.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from typing import Any, ClassVar, Final

from opentelemetry.instrumentation.agentops.core import (
    GenAIInstrumentor,
    Mapper,
    NativeTracing,
    Patch,
)
from opentelemetry.instrumentation.agentops.mistral._chat import ChatMapper, FimMapper
from opentelemetry.instrumentation.agentops.mistral._embeddings import EmbeddingsMapper
from opentelemetry.instrumentation.agentops.mistral.package import _instruments
from opentelemetry.instrumentation.agentops.mistral.version import __version__

__all__ = ["LAYOUTS", "NATIVE_TRACER_SCOPE", "TELEMETRY_ENV", "MistralInstrumentor"]

LAYOUTS: Final = ("mistralai", "mistralai.client")
"""Where the SDK's resource modules live: 1.x, then 2.0 on. A target the installed version
lacks is skipped; a version in which none is found is reported at warning level."""

NATIVE_TRACER_SCOPE: Final = "mistralai_sdk_tracer"
"""The tracer mistralai 1.10 and later trace with (``extra/observability/otel.py``): on
whenever a tracer provider exists up to 2.4, opt-in from 2.5."""

TELEMETRY_ENV: Final = "MISTRAL_SDK_TELEMETRY"
"""mistralai >= 2.5's switch of its own tracing (``false``, ``global``, ``dedicated``)."""


class MistralInstrumentor(GenAIInstrumentor):
    scope_name: ClassVar[str] = "opentelemetry.instrumentation.agentops.mistral"
    scope_version: ClassVar[str] = __version__
    sdk_name: ClassVar[str] = "mistralai"
    native_tracing: ClassVar[NativeTracing | None] = NativeTracing(
        scopes=(NATIVE_TRACER_SCOPE,), env={TELEMETRY_ENV: "false"}
    )

    def instrumentation_dependencies(self) -> Collection[str]:
        return _instruments

    def patches(self) -> Iterable[Patch]:
        chat, chat_stream = ChatMapper(), ChatMapper(streaming=True)
        fim, fim_stream = FimMapper(), FimMapper(streaming=True)
        embeddings = EmbeddingsMapper()
        # ``parse`` calls ``complete`` and ``parse_stream`` calls ``stream``: the inner call
        # joins the outer span. Async methods are ``async def`` (shapes read from them).
        resources: tuple[tuple[str, str, dict[str, Mapper[Any]]], ...] = (
            (
                "chat",
                "Chat",
                {
                    "complete": chat,
                    "complete_async": chat,
                    "parse": chat,
                    "parse_async": chat,
                    "stream": chat_stream,
                    "stream_async": chat_stream,
                    "parse_stream": chat_stream,
                    "parse_stream_async": chat_stream,
                },
            ),
            (
                "fim",
                "Fim",
                {
                    "complete": fim,
                    "complete_async": fim,
                    "stream": fim_stream,
                    "stream_async": fim_stream,
                },
            ),
            ("embeddings", "Embeddings", {"create": embeddings, "create_async": embeddings}),
        )
        for layout in LAYOUTS:
            yield from _resource_patches(layout, resources)


def _resource_patches(
    layout: str, resources: tuple[tuple[str, str, dict[str, Mapper[Any]]], ...]
) -> Iterator[Patch]:
    for module, class_name, methods in resources:
        for method, mapper in methods.items():
            yield Patch(f"{layout}.{module}", f"{class_name}.{method}", mapper)
