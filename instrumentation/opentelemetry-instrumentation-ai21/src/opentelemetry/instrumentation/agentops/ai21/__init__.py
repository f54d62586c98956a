"""OpenTelemetry GenAI instrumentation of the AI21 Python SDK.

Traces Jamba ``chat.completions.create``, plain and streamed, sync and async (ai21 >= 2.2
sync, >= 2.5 async and streams), and the Jurassic-2 endpoints: ``completion.create`` (ai21
2.x, custom models included) and the J2 ``chat.create``::

    from opentelemetry.instrumentation.agentops.ai21 import AI21Instrumentor

    AI21Instrumentor().instrument()

or, with no code change, ``opentelemetry-instrument python app.py``. Spans report
``gen_ai.provider.name = ai21``; AI21 answers name no model, so ``gen_ai.response.model`` is
left unset.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import ClassVar

from opentelemetry.instrumentation.agentops.ai21.jamba import JambaChatMapper
from opentelemetry.instrumentation.agentops.ai21.jurassic import J2ChatMapper, J2CompletionMapper
from opentelemetry.instrumentation.agentops.ai21.package import _instruments
from opentelemetry.instrumentation.agentops.ai21.version import __version__
from opentelemetry.instrumentation.agentops.core import GenAIInstrumentor, Patch

__all__ = ["AI21Instrumentor"]

_RESOURCES = "ai21.clients.studio.resources"


class AI21Instrumentor(GenAIInstrumentor):
    scope_name: ClassVar[str] = "opentelemetry.instrumentation.agentops.ai21"
    scope_version: ClassVar[str] = __version__
    sdk_name: ClassVar[str] = "ai21"

    def instrumentation_dependencies(self) -> Collection[str]:
        return _instruments

    def patches(self) -> Iterable[Patch]:
        jamba = JambaChatMapper()
        completion = J2CompletionMapper()
        j2_chat = J2ChatMapper()
        # ``client.chat.completions`` is a property returning a new resource on every read,
        # so the classes are patched. The async classes' ``create`` are ``async def``.
        # Bedrock, Vertex and Launchpad clients post Jamba chat through the same classes.
        return (
            Patch(f"{_RESOURCES}.chat.chat_completions", "ChatCompletions.create", jamba),
            Patch(
                f"{_RESOURCES}.chat.async_chat_completions", "AsyncChatCompletions.create", jamba
            ),
            Patch(f"{_RESOURCES}.studio_completion", "StudioCompletion.create", completion),
            Patch(f"{_RESOURCES}.studio_completion", "AsyncStudioCompletion.create", completion),
            Patch(f"{_RESOURCES}.studio_chat", "StudioChat.create", j2_chat),
            Patch(f"{_RESOURCES}.studio_chat", "AsyncStudioChat.create", j2_chat),
        )
