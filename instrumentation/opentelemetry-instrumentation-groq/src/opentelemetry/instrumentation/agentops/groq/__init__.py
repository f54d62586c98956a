"""OpenTelemetry GenAI instrumentation of the Groq Python SDK.

Traces ``chat.completions.create``, plain and streamed, sync and async, including calls made
through ``with_raw_response`` and ``with_streaming_response``::

    from opentelemetry.instrumentation.agentops.groq import GroqInstrumentor

    GroqInstrumentor().instrument()

or, with no code change, ``opentelemetry-instrument python app.py``. Besides the GenAI
attributes, each span carries the timings Groq's servers report (``agentops.server.*``).
Streams are sent exactly as the caller made them: their usage comes from ``x_groq``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import ClassVar

from agentops_semconv import ProviderName
from opentelemetry.instrumentation.agentops.core import GenAIInstrumentor, Patch
from opentelemetry.instrumentation.agentops.core.openai_compatible import (
    ChatMapper,
    stainless_patches,
)
from opentelemetry.instrumentation.agentops.groq._compat import client_of
from opentelemetry.instrumentation.agentops.groq._extension import GroqFields
from opentelemetry.instrumentation.agentops.groq.package import _instruments
from opentelemetry.instrumentation.agentops.groq.version import __version__

__all__ = ["GroqInstrumentor"]


class GroqInstrumentor(GenAIInstrumentor):
    scope_name: ClassVar[str] = "opentelemetry.instrumentation.agentops.groq"
    scope_version: ClassVar[str] = __version__
    sdk_name: ClassVar[str] = "groq"

    def instrumentation_dependencies(self) -> Collection[str]:
        return _instruments

    def patches(self) -> Iterable[Patch]:
        chat = ChatMapper(
            ProviderName.GROQ, client_of, extension=GroqFields(), ask_stream_usage=False
        )
        # The same module and classes from groq 0.9.0 to 1.x; raw-response wrappers call
        # ``create`` and are traced through it.
        yield from stainless_patches(
            "groq.resources.chat.completions", "Completions", "AsyncCompletions", ("create",), chat
        )
