"""OpenTelemetry GenAI instrumentation of LiteLLM.

Traces ``completion`` / ``acompletion`` (plain and streamed, LiteLLM's stream wrapper read
with ``for`` or ``async for``), ``embedding`` / ``aembedding``, and the ``Router``'s
``completion`` / ``acompletion`` / ``embedding`` / ``aembedding``, including functions the
application imported by name before instrumenting::

    from opentelemetry.instrumentation.agentops.litellm import LiteLLMInstrumentor

    LiteLLMInstrumentor().instrument()

or, with no code change, ``opentelemetry-instrument python app.py``.

Each model call is one inference span, named after the provider LiteLLM routed it to
(``anthropic/claude-...`` is ``anthropic``), never two: when LiteLLM calls a provider SDK that
is instrumented too (the OpenAI SDK), that call joins LiteLLM's span. A Router call is one
``route`` span grouping its attempts (retries, fallbacks, the deployment load balancing
picked), each attempt an inference span of its own. LiteLLM's own OpenTelemetry callback is
kept off this project's spans while instrumented (see the package README).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import ClassVar

from opentelemetry.instrumentation.agentops.core import (
    GenAIInstrumentor,
    NativeTracing,
    Patch,
)
from opentelemetry.instrumentation.agentops.litellm._mappers import (
    CompletionMapper,
    EmbeddingMapper,
    RouterMapper,
)
from opentelemetry.instrumentation.agentops.litellm.package import _instruments
from opentelemetry.instrumentation.agentops.litellm.version import __version__

__all__ = ["LiteLLMInstrumentor"]


class LiteLLMInstrumentor(GenAIInstrumentor):
    scope_name: ClassVar[str] = "opentelemetry.instrumentation.agentops.litellm"
    scope_version: ClassVar[str] = __version__
    sdk_name: ClassVar[str] = "litellm"
    # LiteLLM's ``callbacks=["otel"]`` writes its attributes (message content included) onto
    # the current span when there is one, which would be ours: asked to make a span of its
    # own instead, under a tracer scope switched off while instrumented (its spans would
    # repeat ours, with content and a second set of token counts).
    native_tracing: ClassVar[NativeTracing | None] = NativeTracing(
        scopes=("litellm",), env={"USE_OTEL_LITELLM_REQUEST_SPAN": "true"}
    )

    def instrumentation_dependencies(self) -> Collection[str]:
        return _instruments

    def patches(self) -> Iterable[Patch]:
        completion = CompletionMapper()
        embedding = EmbeddingMapper()
        router = RouterMapper()
        # The public functions: LiteLLM >= 1.100 puts a dispatcher (to its Rust core or its
        # Python one) in front of ``litellm.main``; the Python functions are traced too, as
        # LiteLLM calls them itself (``acompletion`` runs ``completion`` in an executor). A
        # call inside another joins it: one span per model call.
        for module, names in (
            ("litellm.chat_completions.dispatch", ("completion", "acompletion")),
            ("litellm.embeddings.dispatch", ("embedding", "aembedding")),
            ("litellm.main", ("completion", "acompletion", "embedding", "aembedding")),
        ):
            for name in names:
                yield Patch(module, name, embedding if "embedding" in name else completion)
        # The Router: a Rust core since 1.110 (its Python facade serves every member from
        # the core's class, imported when the first Router is made), a Python class before.
        # Each of its attempts calls ``litellm.<op>``, traced above.
        for module, owner, on_demand in (
            ("litellm.router_rust.core", "RustCore", True),
            ("litellm.router", "Router", False),
        ):
            for name in ("completion", "acompletion", "embedding", "aembedding"):
                yield Patch(module, f"{owner}.{name}", router, on_demand=on_demand)
