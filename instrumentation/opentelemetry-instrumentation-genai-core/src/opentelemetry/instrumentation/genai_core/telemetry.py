"""Turns records into spans, metrics and events, on top of ``opentelemetry-util-genai``.

``GenAITelemetry`` owns one ``TelemetryHandler`` per instrumentation scope. ``start`` opens a
``Trace`` for a ``Request``; the trace is finished with a ``Response``, failed with an
exception, or handed a stream to follow. Every method that runs on the caller's path contains
its own failures (see ``guard``).
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable
from typing import Any, Final

from opentelemetry._logs import LoggerProvider
from opentelemetry.instrumentation.genai_core import hooks
from opentelemetry.instrumentation.genai_core.content import (
    capturing_mode_from_env,
    content_max_length_from_env,
    limit_messages,
    limit_parts,
)
from opentelemetry.instrumentation.genai_core.guard import report_internal_error
from opentelemetry.instrumentation.genai_core.records import Request, Response
from opentelemetry.instrumentation.genai_core.redact import redact_secrets
from opentelemetry.instrumentation.genai_core.streams import (
    StreamAccumulator,
    TracedAsyncStream,
    TracedStream,
)
from opentelemetry.metrics import MeterProvider
from opentelemetry.metrics import NoOpHistogram as _NoOpHistogram
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as GenAI
from opentelemetry.trace import TracerProvider
from opentelemetry.util.genai.handler import TelemetryHandler
from opentelemetry.util.genai.invocation import EmbeddingInvocation, InferenceInvocation
from opentelemetry.util.genai.types import ContentCapturingMode, Error

__all__ = ["GenAITelemetry", "Trace", "error_type_of"]

_EMBEDDINGS: Final = GenAI.GenAiOperationNameValues.EMBEDDINGS.value


def error_type_of(error: BaseException) -> str:
    """``error.type`` for an exception: its public import path, e.g. ``openai.RateLimitError``.

    SDKs define exceptions in private modules (``openai._exceptions``); the name users import
    and catch is the low-cardinality identifier worth grouping by.
    """
    cls = type(error)
    module = cls.__module__ or ""
    if not module or module == "builtins":
        return cls.__qualname__
    public = []
    for part in module.split("."):
        if part.startswith("_"):
            break
        public.append(part)
    return ".".join([*public, cls.__qualname__]) if public else cls.__qualname__


class _Handler(TelemetryHandler):
    """The library's handler, with the capture switch read the way this project documents."""

    def __init__(self, mode: ContentCapturingMode, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # The library reads the environment itself and rejects "true"; pinned to the tested
        # range, these two fields are where it keeps the result.
        self._content_capturing_mode = mode
        self._capture_content = mode is not ContentCapturingMode.NO_CONTENT
        # Switched-off measurements get no-op instruments, so nothing downstream changes.
        silent = _NoOpHistogram("disabled")
        if not hooks.signals.latency:
            self._instruments.operation_duration = silent
            self._instruments.time_to_first_chunk = silent
            self._instruments.time_per_output_chunk = silent
        if not hooks.signals.tokens:
            self._instruments.token_usage = silent


class GenAITelemetry:
    """Emission for one instrumentation scope (one provider package)."""

    def __init__(
        self,
        scope_name: str,
        scope_version: str,
        *,
        tracer_provider: TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
        logger_provider: LoggerProvider | None = None,
    ) -> None:
        mode = capturing_mode_from_env()
        self._handler = _Handler(
            mode,
            tracer_provider=tracer_provider,
            meter_provider=meter_provider,
            logger_provider=logger_provider,
            instrumentation_scope_name=scope_name,
            instrumentation_scope_version=scope_version,
        )
        self.capture_content: bool = mode is not ContentCapturingMode.NO_CONTENT
        self.content_max_length: int = content_max_length_from_env()
        self.record_tokens: bool = hooks.signals.tokens

    def start(self, request: Request) -> Trace | None:
        """Open the span for ``request``; None when the call must not be recorded.

        Raises only what a pre-call check raises (a hard limit the user configured); every
        other failure is contained and yields None, so the call goes ahead untraced.
        """
        for check in hooks.pre_call_checks:
            check(request)
        try:
            for keep in hooks.request_filters:
                if not keep(request):
                    return None
            return Trace(self, request, self._open(request))
        except Exception:
            report_internal_error("starting a span")
            return None

    def _open(self, request: Request) -> InferenceInvocation | EmbeddingInvocation:
        handler = self._handler
        invocation: InferenceInvocation | EmbeddingInvocation
        if request.operation == _EMBEDDINGS:
            invocation = handler.embedding(
                request.provider,
                request_model=request.model,
                server_address=request.server_address,
                server_port=request.server_port,
            )
            if request.encoding_formats:
                invocation.encoding_formats = request.encoding_formats
        else:
            invocation = handler.inference(
                request.provider,
                request_model=request.model,
                server_address=request.server_address,
                server_port=request.server_port,
                operation_name=request.operation,
                conversation_id=request.conversation_id,
            )
            self._apply_request(invocation, request)
        if request.attributes:
            invocation.attributes.update(request.attributes)
        for source in hooks.attribute_sources:
            extra = source(request)
            if extra:
                invocation.attributes.update(extra)
                invocation.metric_attributes.update(extra)
        return invocation

    def _apply_request(self, invocation: InferenceInvocation, request: Request) -> None:
        invocation.temperature = request.temperature
        invocation.top_p = request.top_p
        invocation.top_k = request.top_k  # type: ignore[assignment]
        invocation.max_tokens = request.max_tokens
        invocation.frequency_penalty = request.frequency_penalty
        invocation.presence_penalty = request.presence_penalty
        invocation.stop_sequences = request.stop_sequences
        invocation.seed = request.seed
        if request.choice_count is not None and request.choice_count != 1:
            invocation.request_choice_count = request.choice_count
        invocation.output_type = request.output_type
        if request.stream:
            invocation.request_stream = True
        if self.capture_content:
            limit = self.content_max_length
            if request.input_messages:
                invocation.input_messages = limit_messages(request.input_messages, limit)
            if request.system_instructions:
                invocation.system_instruction = limit_parts(request.system_instructions, limit)
            if request.tool_definitions:
                invocation.tool_definitions = request.tool_definitions


class Trace:
    """One traced call: finish it with a response, fail it, or let it follow a stream."""

    __slots__ = ("_done", "invocation", "request", "telemetry")

    def __init__(
        self,
        telemetry: GenAITelemetry,
        request: Request,
        invocation: InferenceInvocation | EmbeddingInvocation,
    ) -> None:
        self.telemetry = telemetry
        self.request = request
        self.invocation = invocation
        self._done = False

    @property
    def capture_content(self) -> bool:
        return self.telemetry.capture_content

    def finish(self, response: Response | None) -> None:
        """End the span successfully with what the response says (None: nothing known)."""
        if self._done:
            return
        self._done = True
        invocation = self.invocation
        try:
            if response is not None:
                self._apply_response(invocation, response)
        except Exception:
            report_internal_error("reading a response")
        try:
            invocation.stop()
        except Exception:
            report_internal_error("ending a span")

    def fail(self, error: BaseException) -> None:
        """End the span as failed; the caller still gets the original exception."""
        if self._done:
            return
        self._done = True
        try:
            self.invocation.fail(
                Error(
                    message=redact_secrets(str(error)) or type(error).__name__,
                    type=error_type_of(error),
                    exception=error,
                )
            )
        except Exception:
            report_internal_error("ending a failed span")

    def stream(self, stream: Any, accumulator: StreamAccumulator) -> Any:
        """Return a proxy of ``stream`` that follows it to its end; see ``streams``."""
        try:
            if isinstance(stream, AsyncIterable):
                return TracedAsyncStream(stream, self, accumulator)
            if isinstance(stream, Iterable):
                return TracedStream(stream, self, accumulator)
        except Exception:
            report_internal_error("wrapping a stream")
        # Not something we know how to follow: close the span now rather than never.
        self.finish(None)
        return stream

    def _apply_response(
        self, invocation: InferenceInvocation | EmbeddingInvocation, response: Response
    ) -> None:
        if response.model is not None:
            invocation.response_model_name = response.model
        usage = response.usage if self.telemetry.record_tokens else None
        if isinstance(invocation, EmbeddingInvocation):
            if response.embedding_dimensions is not None:
                invocation.dimension_count = response.embedding_dimensions
            if (
                usage is not None
                and usage.input_tokens is not None
                and self.telemetry.record_tokens
            ):
                invocation.input_tokens = usage.input_tokens
        else:
            if response.id is not None:
                invocation.response_id = response.id
            if response.finish_reasons:
                invocation.finish_reasons = response.finish_reasons
            if usage is not None:
                invocation.input_tokens = usage.input_tokens
                invocation.output_tokens = usage.output_tokens
                invocation.cache_read_input_tokens = usage.cache_read_input_tokens
                invocation.thinking_tokens = usage.reasoning_output_tokens
                if usage.cache_creation_input_tokens:
                    # The registry name; the library's own field emits a different one.
                    invocation.attributes[GenAI.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS] = (
                        usage.cache_creation_input_tokens
                    )
            if response.output_messages and self.telemetry.capture_content:
                invocation.output_messages = limit_messages(
                    response.output_messages, self.telemetry.content_max_length
                )
        if response.attributes:
            invocation.attributes.update(response.attributes)
