"""Turns records into spans, metrics and events.

``GenAITelemetry`` holds one tracer, meter and logger per instrumentation scope. ``start`` opens
a ``Trace`` for a ``Request``: the span starts with every attribute the request knows (the
sampling-relevant ones included), and the trace is then finished with a ``Response``, failed
with an exception, or handed a stream to follow.

Emission is written here against the OpenTelemetry API rather than through
``opentelemetry-util-genai``'s invocation objects: measured per call, their bookkeeping (a
50-field data object built twice, a context merge on every call, the environment read on every
call, attribute dicts rebuilt per stream chunk) cost about twice the telemetry itself, against
a budget of half (docs/benchmarks.md). The library still provides the message types, content
modes, JSON encoding and the stream proxy base classes; names and value types follow the same
registry, and the suite asserts them exactly.
"""

from __future__ import annotations

import timeit
from collections.abc import AsyncIterable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any, Final

from agentops_semconv import (
    GEN_AI_CLIENT_INFERENCE_OPERATION_DETAILS,
    GEN_AI_CLIENT_OPERATION_EXCEPTION,
)
from opentelemetry._logs import LoggerProvider, LogRecord, SeverityNumber, get_logger
from opentelemetry.context import Context, attach, create_key, detach, get_value, set_value
from opentelemetry.instrumentation.agentops.core import hooks
from opentelemetry.instrumentation.agentops.core.content import (
    capturing_mode_from_env,
    content_in_events,
    content_max_length_from_env,
    content_on_span,
    events_enabled,
    limit_messages,
    limit_parts,
)
from opentelemetry.instrumentation.agentops.core.guard import report_internal_error
from opentelemetry.instrumentation.agentops.core.instruments import Instruments
from opentelemetry.instrumentation.agentops.core.records import Request, Response
from opentelemetry.instrumentation.agentops.core.redact import redact_secrets
from opentelemetry.instrumentation.agentops.core.streams import (
    StreamAccumulator,
    TracedAsyncStream,
    TracedStream,
)
from opentelemetry.metrics import MeterProvider, get_meter
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as GenAI
from opentelemetry.semconv.attributes import error_attributes, exception_attributes
from opentelemetry.semconv.attributes import server_attributes as Server
from opentelemetry.semconv.schemas import Schemas
from opentelemetry.trace import (
    Span,
    SpanKind,
    Status,
    StatusCode,
    TracerProvider,
    get_tracer,
    set_span_in_context,
)
from opentelemetry.util.genai.utils import gen_ai_json_dumps
from opentelemetry.util.types import AttributeValue

__all__ = ["GenAITelemetry", "Trace", "error_type_of"]

_now = timeit.default_timer
_SCHEMA_URL: Final = Schemas.V1_37_0.value
_INPUT: Final = GenAI.GenAiTokenTypeValues.INPUT.value
_OUTPUT: Final = GenAI.GenAiTokenTypeValues.OUTPUT.value
_DETAILS_EVENT: Final = GEN_AI_CLIENT_INFERENCE_OPERATION_DETAILS
_EXCEPTION_EVENT: Final = GEN_AI_CLIENT_OPERATION_EXCEPTION

# Set in the context of a traced call, so an SDK call made inside it (an SDK helper calling a
# traced method, a wrapper library calling a provider SDK) joins that span, not a second one.
_ACTIVE_CALL: Final = create_key("agentops-genai-active-call")

# Request fields that become span attributes when the caller set them.
_REQUEST_FIELDS: Final = (
    (GenAI.GEN_AI_REQUEST_TEMPERATURE, "temperature"),
    (GenAI.GEN_AI_REQUEST_TOP_P, "top_p"),
    (GenAI.GEN_AI_REQUEST_TOP_K, "top_k"),
    (GenAI.GEN_AI_REQUEST_MAX_TOKENS, "max_tokens"),
    (GenAI.GEN_AI_REQUEST_FREQUENCY_PENALTY, "frequency_penalty"),
    (GenAI.GEN_AI_REQUEST_PRESENCE_PENALTY, "presence_penalty"),
    (GenAI.GEN_AI_REQUEST_STOP_SEQUENCES, "stop_sequences"),
    (GenAI.GEN_AI_REQUEST_SEED, "seed"),
    (GenAI.GEN_AI_OUTPUT_TYPE, "output_type"),
    (GenAI.GEN_AI_REQUEST_ENCODING_FORMATS, "encoding_formats"),
    (GenAI.GEN_AI_CONVERSATION_ID, "conversation_id"),
)


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
        self._tracer = get_tracer(scope_name, scope_version, tracer_provider, _SCHEMA_URL)
        meter = get_meter(scope_name, scope_version, meter_provider, _SCHEMA_URL)
        self._logger = get_logger(scope_name, scope_version, logger_provider, _SCHEMA_URL)
        self.instruments = Instruments(
            meter, latency=hooks.signals.latency, tokens=hooks.signals.tokens
        )
        mode = capturing_mode_from_env()
        self.capture_content: bool = content_on_span(mode) or content_in_events(mode)
        self.content_on_span: bool = content_on_span(mode)
        self.content_in_events: bool = content_in_events(mode)
        self.emit_events: bool = events_enabled(mode)
        self.content_max_length: int = content_max_length_from_env()
        self.record_tokens: bool = hooks.signals.tokens

    def admit(self, request: Request) -> bool:
        """Whether ``request`` is to be recorded.

        Runs the distro's pre-call checks first: those may raise (a hard cost limit) and stop
        the call before anything is sent; every other failure here is contained.
        """
        if get_value(_ACTIVE_CALL) is not None:
            return False
        for check in hooks.pre_call_checks:
            check(request)
        try:
            return all(keep(request) for keep in hooks.request_filters)
        except Exception:
            report_internal_error("filtering a call")
            return True

    def start(self, request: Request) -> Trace | None:
        """Open the span for an admitted ``request``; None if that fails (call untraced)."""
        try:
            return Trace(self, request)
        except Exception:
            report_internal_error("starting a span")
            return None

    def emit(self, record: LogRecord) -> None:
        self._logger.emit(record)


def _start_attributes(request: Request) -> dict[str, AttributeValue]:
    attributes: dict[str, AttributeValue] = {
        GenAI.GEN_AI_OPERATION_NAME: request.operation,
        GenAI.GEN_AI_PROVIDER_NAME: request.provider,
    }
    if request.model is not None:
        attributes[GenAI.GEN_AI_REQUEST_MODEL] = request.model
    if request.server_address is not None:
        attributes[Server.SERVER_ADDRESS] = request.server_address
        if request.server_port is not None:
            attributes[Server.SERVER_PORT] = request.server_port
    return attributes


class Trace:
    """One traced call: finish it with a response, fail it, or let it follow a stream."""

    __slots__ = (
        "_attributes",
        "_chunk_attributes",
        "_done",
        "_extra",
        "_last_chunk",
        "_started",
        "_token",
        "_ttfc",
        "context",
        "metric_attributes",
        "request",
        "response_model",
        "span",
        "telemetry",
    )

    def __init__(self, telemetry: GenAITelemetry, request: Request) -> None:
        self.telemetry = telemetry
        self.request = request
        self.response_model: str | None = None
        self._done = False
        self._ttfc: float | None = None
        self._last_chunk: float | None = None
        self._chunk_attributes: dict[str, AttributeValue] | None = None
        self._extra: dict[str, AttributeValue] | None = None

        common = _start_attributes(request)
        self.metric_attributes: dict[str, AttributeValue] = common
        attributes = dict(common)
        for key, name in _REQUEST_FIELDS:
            value = getattr(request, name)
            if value is not None:
                attributes[key] = value
        if request.choice_count is not None and request.choice_count != 1:
            attributes[GenAI.GEN_AI_REQUEST_CHOICE_COUNT] = request.choice_count
        if request.stream:
            attributes[GenAI.GEN_AI_REQUEST_STREAM] = True
        if request.attributes:
            attributes.update(request.attributes)
        for source in hooks.attribute_sources:
            extra = source(request)
            if extra:
                self._extra = {**(self._extra or {}), **extra}
        if self._extra:
            attributes.update(self._extra)
            self.metric_attributes = {**common, **self._extra}

        self._attributes = attributes
        model = request.model
        self.span: Span = telemetry._tracer.start_span(
            f"{request.operation} {model}" if model else request.operation,
            kind=SpanKind.CLIENT,
            attributes=attributes,
        )
        self.context: Context = set_value(_ACTIVE_CALL, True, set_span_in_context(self.span))
        self._token: object | None = attach(self.context)
        self._started = _now()

    @property
    def capture_content(self) -> bool:
        return self.telemetry.capture_content

    # -- context, as the stream proxies of opentelemetry-util-genai expect it ---------------

    @property
    def _suspended(self) -> bool:
        return self._token is None and not self._done

    def suspend(self) -> None:
        """Give the caller its context back while the call goes on (a stream being read)."""
        token, self._token = self._token, None
        if token is not None:
            detach(token)  # type: ignore[arg-type]

    @contextmanager
    def activate(self) -> Iterator[None]:
        if self._done:
            yield
            return
        token = attach(self.context)
        try:
            yield
        finally:
            detach(token)

    # -- the end of the call --------------------------------------------------------------

    def name_response_model(self, model: str) -> None:
        """The response model as soon as it is known, so chunk timings carry it too."""
        if self.response_model is None:
            self.response_model = model

    def finish(self, response: Response | None) -> None:
        """End the span successfully with what the response says (None: nothing known)."""
        if self._done:
            return
        self._done = True
        try:
            self._finish(response)
        except Exception:
            report_internal_error("reading a response")
        finally:
            self._close()

    def fail(self, error: BaseException) -> None:
        """End the span as failed; the caller still gets the original exception."""
        if self._done:
            return
        self._done = True
        try:
            self._fail(error)
        except Exception:
            report_internal_error("ending a failed span")
        finally:
            self._close()

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

    def _on_stream_chunk(self, arrived: float) -> None:
        """Record the timing of one chunk the caller receives."""
        if self._done:
            return
        instruments = self.telemetry.instruments
        last = self._last_chunk
        self._last_chunk = arrived
        if last is None:
            self._ttfc = arrived - self._started
            self._chunk_attributes = self._metric_attributes()
            instruments.time_to_first_chunk.record(self._ttfc, self._chunk_attributes, self.context)
        else:
            instruments.time_per_chunk.record(arrived - last, self._chunk_attributes, self.context)

    def _metric_attributes(self) -> dict[str, AttributeValue]:
        if self.response_model is None:
            return self.metric_attributes
        return {**self.metric_attributes, GenAI.GEN_AI_RESPONSE_MODEL: self.response_model}

    def _finish(self, response: Response | None) -> None:
        telemetry = self.telemetry
        attributes: dict[str, AttributeValue] = {}
        usage = None
        if response is not None:
            if response.model is not None:
                self.response_model = response.model
            usage = response.usage if telemetry.record_tokens else None
            if response.id is not None:
                attributes[GenAI.GEN_AI_RESPONSE_ID] = response.id
            if response.finish_reasons:
                attributes[GenAI.GEN_AI_RESPONSE_FINISH_REASONS] = response.finish_reasons
            if response.embedding_dimensions is not None:
                attributes[GenAI.GEN_AI_EMBEDDINGS_DIMENSION_COUNT] = response.embedding_dimensions
            if usage is not None:
                if usage.input_tokens is not None:
                    attributes[GenAI.GEN_AI_USAGE_INPUT_TOKENS] = usage.input_tokens
                if usage.output_tokens is not None:
                    attributes[GenAI.GEN_AI_USAGE_OUTPUT_TOKENS] = usage.output_tokens
                # Zero counts of these are noise on every call of a model without caching.
                if usage.cache_read_input_tokens:
                    attributes[GenAI.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = (
                        usage.cache_read_input_tokens
                    )
                if usage.cache_creation_input_tokens:
                    attributes[GenAI.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS] = (
                        usage.cache_creation_input_tokens
                    )
                if usage.reasoning_output_tokens:
                    attributes[GenAI.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = (
                        usage.reasoning_output_tokens
                    )
            if response.attributes:
                attributes.update(response.attributes)
        if self.response_model is not None:
            attributes[GenAI.GEN_AI_RESPONSE_MODEL] = self.response_model
        if self._ttfc is not None:
            attributes[GenAI.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = self._ttfc
        content = self._content(response, attributes) if telemetry.capture_content else {}
        self.span.set_attributes(attributes)
        if telemetry.emit_events:
            self._emit_details(attributes, content)

        metric_attributes = self._metric_attributes()
        instruments = telemetry.instruments
        context = self.context
        instruments.duration.record(_now() - self._started, metric_attributes, context)
        if usage is not None:
            if usage.input_tokens is not None:
                instruments.token_usage.record(
                    usage.input_tokens,
                    {**metric_attributes, GenAI.GEN_AI_TOKEN_TYPE: _INPUT},
                    context,
                )
            if usage.output_tokens is not None:
                instruments.token_usage.record(
                    usage.output_tokens,
                    {**metric_attributes, GenAI.GEN_AI_TOKEN_TYPE: _OUTPUT},
                    context,
                )

    def _content(
        self, response: Response | None, attributes: dict[str, AttributeValue]
    ) -> dict[str, Any]:
        """Opt-in content: on the span as JSON, in the details event as structured values."""
        telemetry = self.telemetry
        limit = telemetry.content_max_length
        request = self.request
        content: dict[str, Any] = {}
        for key, items in (
            (GenAI.GEN_AI_INPUT_MESSAGES, request.input_messages),
            (GenAI.GEN_AI_SYSTEM_INSTRUCTIONS, request.system_instructions),
            (GenAI.GEN_AI_TOOL_DEFINITIONS, request.tool_definitions),
            (GenAI.GEN_AI_OUTPUT_MESSAGES, response.output_messages if response else None),
        ):
            if not items:
                continue
            if key == GenAI.GEN_AI_SYSTEM_INSTRUCTIONS:
                items = limit_parts(items, limit)  # type: ignore[arg-type]
            elif key != GenAI.GEN_AI_TOOL_DEFINITIONS:
                items = limit_messages(items, limit)  # type: ignore[type-var]
            content[key] = [asdict(item) for item in items]  # type: ignore[call-overload]
        if telemetry.content_on_span:
            for key, value in content.items():
                attributes[key] = gen_ai_json_dumps(value)
        return content

    def _emit_details(self, attributes: dict[str, AttributeValue], content: dict[str, Any]) -> None:
        """The ``gen_ai.client.inference.operation.details`` event: everything the span says,
        with content as structured values when content goes to events."""
        event_attributes: dict[str, Any] = {**self._attributes, **attributes}
        for key in content:
            event_attributes.pop(key, None)
        if self.telemetry.content_in_events:
            event_attributes.update(content)
        self.telemetry.emit(
            LogRecord(
                event_name=_DETAILS_EVENT,
                attributes=event_attributes,
                context=self.context,
                severity_number=SeverityNumber.DEBUG,
            )
        )

    def _fail(self, error: BaseException) -> None:
        error_type = error_type_of(error)
        message = redact_secrets(str(error)) or type(error).__name__
        self.span.set_status(Status(StatusCode.ERROR, message))
        attributes: dict[str, AttributeValue] = {error_attributes.ERROR_TYPE: error_type}
        if self._ttfc is not None:
            attributes[GenAI.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = self._ttfc
        if self.response_model is not None:
            attributes[GenAI.GEN_AI_RESPONSE_MODEL] = self.response_model
        telemetry = self.telemetry
        content = self._content(None, attributes) if telemetry.capture_content else {}
        self.span.set_attributes(attributes)
        if telemetry.emit_events:
            self._emit_details(attributes, content)
        metric_attributes = {
            **self._metric_attributes(),
            error_attributes.ERROR_TYPE: error_type,
        }
        self.telemetry.instruments.duration.record(
            _now() - self._started, metric_attributes, self.context
        )
        # The conventions' exception event, a log record tied to this span.
        self.telemetry.emit(
            LogRecord(
                event_name=_EXCEPTION_EVENT,
                severity_number=SeverityNumber.WARN,
                context=self.context,
                attributes={
                    **self.metric_attributes,
                    error_attributes.ERROR_TYPE: error_type,
                    exception_attributes.EXCEPTION_TYPE: error_type,
                    exception_attributes.EXCEPTION_MESSAGE: message,
                },
            )
        )

    def _close(self) -> None:
        try:
            self.span.end()
        finally:
            self.suspend()
