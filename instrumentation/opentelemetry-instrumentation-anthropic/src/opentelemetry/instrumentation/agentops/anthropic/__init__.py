"""OpenTelemetry GenAI instrumentation of the Anthropic Python SDK.

Traces the Messages API, sync and async: ``messages.create`` (plain and ``stream=True``),
``messages.parse``, the ``messages.stream()`` helper (iteration, ``text_stream``,
``get_final_message()``, ``get_final_text()``, ``until_done()``), the same methods of
``client.beta.messages`` (and of the prompt-caching beta of SDKs up to 0.40), the legacy
``completions.create`` of SDKs before 1.0, and calls made through ``with_raw_response`` and
``with_streaming_response``::

    from opentelemetry.instrumentation.agentops.anthropic import AnthropicInstrumentor

    AnthropicInstrumentor().instrument()

or, with no code change, ``opentelemetry-instrument python app.py``.

``messages.count_tokens`` is not a model call (nothing is generated, nothing is billed) and
is not traced. anthropic >= 1.14 traces its own calls when a tracer provider exists; while
this instrumentation is on, the SDK's own spans are switched off so each call has one GenAI
span (see the package README).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import ClassVar, Final

from opentelemetry.instrumentation.agentops.anthropic._compat import (
    NATIVE_SCOPES,
    NATIVE_TRACING_ENV,
)
from opentelemetry.instrumentation.agentops.anthropic._completions import CompletionsMapper
from opentelemetry.instrumentation.agentops.anthropic._messages import (
    MessagesMapper,
    MessageStreamMapper,
)
from opentelemetry.instrumentation.agentops.anthropic.package import _instruments
from opentelemetry.instrumentation.agentops.anthropic.version import __version__
from opentelemetry.instrumentation.agentops.core import (
    CallShape,
    GenAIInstrumentor,
    NativeTracing,
    Patch,
)
from opentelemetry.instrumentation.agentops.core.openai_compatible import stainless_patches

__all__ = ["AnthropicInstrumentor"]

# Every layout of the supported SDKs; a module or method the installed version lacks is
# skipped. ``resources.messages`` is a module up to 0.40 and a package from 0.41 (it
# re-exports the classes); ``beta.messages`` has ``create`` in 0.40, ``stream`` from 0.42 and
# ``parse`` later; the prompt-caching beta ends with 0.40, legacy completions with 1.0.
_MESSAGES_MODULES: Final = (
    "anthropic.resources.messages",
    "anthropic.resources.beta.messages",
    "anthropic.resources.beta.prompt_caching.messages",
)
_COMPLETIONS_MODULE: Final = "anthropic.resources.completions"


class AnthropicInstrumentor(GenAIInstrumentor):
    scope_name: ClassVar[str] = "opentelemetry.instrumentation.agentops.anthropic"
    scope_version: ClassVar[str] = __version__
    sdk_name: ClassVar[str] = "anthropic"
    native_tracing: ClassVar[NativeTracing | None] = NativeTracing(
        scopes=NATIVE_SCOPES, env=NATIVE_TRACING_ENV
    )

    def instrumentation_dependencies(self) -> Collection[str]:
        return _instruments

    def patches(self) -> Iterable[Patch]:
        messages = MessagesMapper()
        streams = MessageStreamMapper()
        for module in _MESSAGES_MODULES:
            # ``stream()`` posts on its own (it does not call ``create``) and returns a
            # manager that sends the request on enter; the async one is a plain ``def``
            # returning an async manager. ``parse`` posts on its own too.
            yield from stainless_patches(
                module, "Messages", "AsyncMessages", ("create", "parse"), messages
            )
            yield Patch(module, "Messages.stream", streams, shape=CallShape.STREAM_MANAGER)
            yield Patch(module, "AsyncMessages.stream", streams, shape=CallShape.STREAM_MANAGER)
        yield from stainless_patches(
            _COMPLETIONS_MODULE, "Completions", "AsyncCompletions", ("create",), CompletionsMapper()
        )
