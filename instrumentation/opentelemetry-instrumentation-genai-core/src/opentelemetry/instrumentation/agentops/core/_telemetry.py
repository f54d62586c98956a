"""Turns records into spans, metrics and events.

``GenAITelemetry`` holds one tracer, meter and logger per instrumentation scope. ``start`` opens
a ``Trace`` for a ``Request``: the span starts with every attribute the request knows (the
sampling-relevant ones included), and the trace is then finished with a ``Response``, failed
with an exception, or ended by the stream it follows.

Emission is written here against the OpenTelemetry API rather than through
``opentelemetry-util-genai``'s invocation objects: measured per call, their bookkeeping (a
50-field data object built twice, a context merge on every call, the environment read on every
call, attribute dicts rebuilt per stream chunk) cost about twice the telemetry itself, against
a budget of half (docs/benchmarks.md). The library still provides the message types, content
modes and JSON encoding; names and value types follow the same registry, and the suite asserts
them exactly.
"""

from __future__ import annotations

import math
import sys
import time
import timeit
from array import array
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from operator import sub
from typing import Any, Final

from agentops_semconv import (
    AGENTOPS_USAGE_ESTIMATED,
    AGENTOPS_USAGE_ESTIMATED_INPUT_TOKENS,
    AGENTOPS_USAGE_ESTIMATED_OUTPUT_TOKENS,
    GEN_AI_CLIENT_INFERENCE_OPERATION_DETAILS,
    GEN_AI_CLIENT_OPERATION_EXCEPTION,
)
from opentelemetry._logs import LoggerProvider, LogRecord, SeverityNumber, get_logger
from opentelemetry.context import Context, attach, create_key, detach, get_value, set_value
from opentelemetry.instrumentation.agentops.core import hooks
from opentelemetry.instrumentation.agentops.core._compat import record_points
from opentelemetry.instrumentation.agentops.core._content import limit_messages, limit_parts
from opentelemetry.instrumentation.agentops.core._guard import report_internal_error
from opentelemetry.instrumentation.agentops.core._instruments import Instruments
from opentelemetry.instrumentation.agentops.core._mapper import StreamAccumulator
from opentelemetry.instrumentation.agentops.core._records import Request, Response, Usage
from opentelemetry.instrumentation.agentops.core._redact import redact_secrets
from opentelemetry.instrumentation.agentops.core._routes import ROUTE, Route
from opentelemetry.instrumentation.agentops.core.settings import Settings
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

__all__ = [
    "CHUNK_BATCH",
    "MAX_PLAUSIBLE_TOKENS",
    "GenAITelemetry",
    "Trace",
    "error_type_of",
    "in_routed_call",
    "in_traced_call",
]

_now = timeit.default_timer
_SCHEMA_URL: Final = Schemas.V1_37_0.value
_INPUT: Final = GenAI.GenAiTokenTypeValues.INPUT.value
_OUTPUT: Final = GenAI.GenAiTokenTypeValues.OUTPUT.value

MAX_PLAUSIBLE_TOKENS: Final = 20_000_000
"""Token counts above this (twice the largest context window of any model in late 2026) are
a provider's bug: kept on the span as reported, but neither priced nor put in metrics."""

# Chunk timings noted on the read path before they are recorded: enough to take the SDK's
# per-record work off nearly every read, few enough that memory per stream stays bounded.
CHUNK_BATCH: Final = 256

# Characters per token for the estimate of an abandoned stream's usage (the usual rule of
# thumb for English text with BPE tokenizers); estimates are marked as such.
_CHARS_PER_TOKEN: Final = 4

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
_USAGE_FIELDS: Final = (
    ("input_tokens", GenAI.GEN_AI_USAGE_INPUT_TOKENS),
    ("output_tokens", GenAI.GEN_AI_USAGE_OUTPUT_TOKENS),
    ("cache_read_input_tokens", GenAI.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS),
    ("cache_creation_input_tokens", GenAI.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS),
    ("reasoning_output_tokens", GenAI.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS),
)
# Exceptions that mean the caller stopped waiting, not that the call failed.
_CALLER_STOPS: Final = ("CancelledError", "KeyboardInterrupt", "GeneratorExit", "SystemExit")

Credentials = Callable[[], Iterable[str]]


def error_type_of(error: BaseException) -> str:
    """``error.type`` for an exception: its public import path, e.g. ``openai.RateLimitError``.

    SDKs define exceptions in private modules (``openai._exceptions``) or in one module per
    class (``cohere.errors.bad_request_error``) and re-export them from the package; the name
    users import and catch is the low-cardinality identifier worth grouping by.
    """
    cls = type(error)
    found = _ERROR_TYPES.get(cls)
    if found is None:
        found = _error_type(cls)
        if len(_ERROR_TYPES) < _MAX_ERROR_TYPES:
            _ERROR_TYPES[cls] = found
    return found


# error.type per exception class: the lookup walks modules, and failing calls repeat classes.
_ERROR_TYPES: dict[type, str] = {}
_MAX_ERROR_TYPES: Final = 256


def _error_type(cls: type) -> str:
    module = cls.__module__ or ""
    if not module or module == "builtins":
        return cls.__qualname__
    public = []
    for part in module.split("."):
        if part.startswith("_"):
            break
        public.append(part)
    if not public:
        return cls.__qualname__
    # The shortest public module on the way that exports the class under its own name.
    # Only modules already imported are asked (the class's own package is, since it exists).
    for depth in range(1, len(public)):
        name = ".".join(public[:depth])
        package = sys.modules.get(name)
        try:
            exported = package is not None and getattr(package, cls.__name__, None) is cls
        except Exception:  # a module-level __getattr__ that fails
            exported = False
        if exported:
            return f"{name}.{cls.__qualname__}"
    return ".".join([*public, cls.__qualname__])


def is_caller_stop(error: BaseException) -> bool:
    """Cancellation, interrupts and generator close: the caller stopped, the call did not fail."""
    return type(error).__name__ in _CALLER_STOPS and not isinstance(error, Exception)


def in_traced_call() -> bool:
    """Whether the current context is inside a call this core is tracing."""
    return get_value(_ACTIVE_CALL) is not None


def in_routed_call() -> bool:
    """Whether the current context is inside a routed call (its attempts are being made)."""
    return get_value(ROUTE) is not None


class GenAITelemetry:
    """Emission for one instrumentation scope (one provider package)."""

    def __init__(
        self,
        scope_name: str,
        scope_version: str,
        *,
        settings: Settings,
        tracer_provider: TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
        logger_provider: LoggerProvider | None = None,
    ) -> None:
        self._tracer = get_tracer(scope_name, scope_version, tracer_provider, _SCHEMA_URL)
        meter = get_meter(scope_name, scope_version, meter_provider, _SCHEMA_URL)
        self._logger = get_logger(scope_name, scope_version, logger_provider, _SCHEMA_URL)
        self.settings = settings
        self.instruments = Instruments(
            meter,
            latency=settings.record_latency,
            tokens=settings.record_tokens,
            chunk_timing=settings.stream_chunk_timing,
        )
        self.capture_content: bool = settings.capture_content

    def admit(self, request: Request[Any]) -> bool:
        """Whether ``request`` is to be recorded.

        Runs the distro's pre-call checks first: those may raise (a hard cost limit) and stop
        the call before anything is sent; every other failure here is contained.
        """
        for check in hooks.pre_call_checks:
            check(request)
        try:
            return all(keep(request) for keep in hooks.request_filters)
        except Exception:
            report_internal_error("filtering a call")
            return True

    def start(self, request: Request[Any], credentials: Credentials | None = None) -> Trace | None:
        """Open the span for an admitted ``request``; None if that fails (call untraced)."""
        try:
            return Trace(self, request, credentials)
        except Exception:
            report_internal_error("starting a span")
            return None

    def emit(self, record: LogRecord) -> None:
        self._logger.emit(record)


def _start_attributes(request: Request[Any]) -> dict[str, AttributeValue]:
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
    """One traced call: finish it with a response, fail it, or let a stream end it."""

    __slots__ = (
        "_arrivals",
        "_attributes",
        "_chunk_attributes",
        "_credentials",
        "_done",
        "_extra",
        "_route",
        "_routed",
        "_started",
        "_started_ns",
        "_token",
        "_ttfc",
        "_ttfc_pending",
        "context",
        "metric_attributes",
        "request",
        "response_model",
        "span",
        "telemetry",
    )

    def __init__(
        self, telemetry: GenAITelemetry, request: Request[Any], credentials: Credentials | None
    ) -> None:
        self.telemetry = telemetry
        self.request = request
        self.response_model: str | None = None
        self._credentials = credentials
        self._done = False
        self._ttfc: float | None = None
        # Arrival times of chunks whose timing points are not recorded yet (the first is the
        # chunk before them, already recorded); None until the first chunk. An array of
        # doubles: 8 bytes a chunk, not a float object's 32.
        self._arrivals: array[float] | None = None
        self._ttfc_pending = True
        self._chunk_attributes: dict[str, AttributeValue] | None = None
        self._extra: dict[str, AttributeValue] | None = None
        # A routed call groups attempts (``_route``); a model call made inside one is an
        # attempt of it (``_routed``).
        grouping = request.groups_attempts
        self._route: Route | None = Route() if grouping else None
        routed = None if grouping else get_value(ROUTE)
        self._routed: Route | None = routed if isinstance(routed, Route) else None

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
        if self._routed is not None:
            self._routed.attempt_started(attributes)

        self._attributes = attributes
        model = request.model
        self.span: Span = telemetry._tracer.start_span(
            f"{request.operation} {model}" if model else request.operation,
            kind=SpanKind.INTERNAL if grouping else SpanKind.CLIENT,
            attributes=attributes,
        )
        in_span = set_span_in_context(self.span)
        # Inside a model call, SDK calls join it; inside a routed call, each is an attempt.
        self.context: Context = (
            set_value(ROUTE, self._route, in_span)
            if grouping
            else set_value(_ACTIVE_CALL, True, in_span)
        )
        self._token: object | None = attach(self.context)
        self._started = _now()
        self._started_ns = time.time_ns()

    @property
    def capture_content(self) -> bool:
        return self.telemetry.capture_content

    @property
    def done(self) -> bool:
        return self._done

    # -- context ------------------------------------------------------------------------

    def suspend(self) -> None:
        """Give the caller its context back while the call goes on (a stream being read)."""
        token, self._token = self._token, None
        if token is not None:
            detach(token)  # type: ignore[arg-type]

    @contextmanager
    def activate(self) -> Iterator[None]:
        """Make the call's context current for work done on its behalf (a lazy first read,
        closing a stream, awaiting a decorator's coroutine)."""
        if self._done:
            yield
            return
        token = attach(self.context)
        try:
            yield
        finally:
            detach(token)

    # -- streams ------------------------------------------------------------------------

    def name_response_model(self, model: str) -> None:
        """The response model as soon as it is known, so chunk timings carry it too."""
        if self.response_model is None:
            self.response_model = model

    def first_chunk(self, arrived: float) -> array[float] | None:
        """Note the arrival of the first chunk the caller receives; returns the array the
        stream appends each later chunk's arrival time to (None: nothing to note).

        Only times are kept on the caller's read path; the metric points
        (``time_to_first_chunk`` once, ``time_per_output_chunk`` per later chunk) are recorded
        by ``chunk_batch_full`` once the array holds more than ``CHUNK_BATCH`` times, and when
        the call ends, with the values and attributes one record per chunk would give.
        """
        # A routed call's span groups attempts: the chunk timings are the attempts' own.
        if self._done or self._arrivals is not None or self._route is not None:
            return None
        self._ttfc = arrived - self._started
        self._chunk_attributes = self._metric_attributes()
        self._arrivals = array("d", (arrived,))
        return self._arrivals if self.telemetry.instruments.chunk_timing else None

    def chunk_batch_full(self) -> None:
        """Record the chunk timings noted so far (memory stays bounded per stream)."""
        if self._done:
            if self._arrivals is not None:
                del self._arrivals[:]
            return
        try:
            self._record_chunk_timings()
        except Exception:
            report_internal_error("recording chunk timings")

    def _end_chunk_timings(self) -> None:
        arrivals = self._arrivals
        if arrivals is None:
            return
        try:
            self._record_chunk_timings()
        except Exception:
            report_internal_error("recording chunk timings")
        del arrivals[:]  # a stream still holding it appends nothing that lasts (see above)

    def _record_chunk_timings(self) -> None:
        """Record the chunk timing points noted so far (memory stays bounded per stream)."""
        arrivals = self._arrivals
        attributes = self._chunk_attributes
        if arrivals is None or attributes is None:
            return
        instruments = self.telemetry.instruments
        if self._ttfc_pending and self._ttfc is not None:
            self._ttfc_pending = False
            instruments.time_to_first_chunk.record(self._ttfc, attributes, self.context)
        if len(arrivals) < 2:
            return
        points = arrivals[:]
        del arrivals[:-1]
        started, started_ns = self._started, self._started_ns

        def time_of(index: int) -> int:
            return started_ns + int((points[index + 1] - started) * 1e9)

        record_points(
            instruments.time_per_chunk,
            list(map(sub, points[1:], points)),
            attributes,
            self.context,
            time_of,
        )

    def end_stream(self, accumulator: StreamAccumulator, complete: bool) -> None:
        """End the span from what the stream delivered; ``complete`` is False when the caller
        stopped early (break, close, exit, garbage collection), which is not a failure."""
        if self._done:
            return
        try:
            response: Response | None = accumulator.response()
        except Exception:
            report_internal_error("reading a finished stream")
            response = None
        if not complete and self._route is None:
            response = self._with_estimate(response, accumulator)
        self.finish(response)

    def _with_estimate(
        self, response: Response | None, accumulator: StreamAccumulator
    ) -> Response | None:
        """An abandoned stream the provider never reported usage for gets an estimate from
        its text, so cost and limits do not count it as free."""
        if response is not None and response.usage is not None:
            return response
        try:
            prompt = self.request.prompt_size() if self.request.prompt_size else 0
            output = accumulator.output_chars
        except Exception:
            report_internal_error("estimating an abandoned stream's usage")
            return response
        if not prompt and not output:
            return response
        response = response if response is not None else Response()
        response.usage = Usage(
            input_tokens=math.ceil(prompt / _CHARS_PER_TOKEN),
            output_tokens=math.ceil(output / _CHARS_PER_TOKEN),
            estimated=True,
        )
        return response

    # -- the end of the call ------------------------------------------------------------

    def finish(self, response: Response | None) -> None:
        """End the span successfully with what the response says (None: nothing known)."""
        if self._done:
            return
        self._done = True
        self._end_chunk_timings()
        try:
            if self._route is not None:
                self._end_route(response, None)
            else:
                self._finish(response)
        except Exception:
            report_internal_error("reading a response")
        finally:
            self._close()

    def fail(self, error: BaseException) -> None:
        """End the span as failed; the caller still gets the original exception.

        A caller that stops waiting (cancellation, interrupt) ends the span without error:
        that is not a failure of the call.
        """
        if self._done:
            return
        if is_caller_stop(error):
            self.finish(None)
            return
        self._done = True
        self._end_chunk_timings()
        try:
            if self._route is not None:
                self._end_route(None, error)
            else:
                self._fail(error)
        except Exception:
            report_internal_error("ending a failed span")
        finally:
            self._close(failed=True)

    def _end_route(self, response: Response | None, error: BaseException | None) -> None:
        """A routed call's end: the summary of its attempts, and nothing counted (no usage,
        no metric point, no call observer): its attempts carry all of that."""
        route = self._route
        assert route is not None
        attributes = route.summary(_now() - self._started)
        if response is not None and response.attributes:
            attributes.update(response.attributes)
        if error is not None:
            attributes[error_attributes.ERROR_TYPE] = error_type_of(error)
            message = self._redacted(str(error)) or type(error).__name__
            self.span.set_status(Status(StatusCode.ERROR, message))
        self.span.set_attributes(attributes)

    def _attempt_ended(self, failed: bool) -> None:
        routed = self._routed
        if routed is not None:
            try:
                routed.attempt_ended(self._attributes, failed)
            except Exception:
                report_internal_error("recording an attempt of a routed call")

    def _metric_attributes(self) -> dict[str, AttributeValue]:
        if self.response_model is None:
            return self.metric_attributes
        return {**self.metric_attributes, GenAI.GEN_AI_RESPONSE_MODEL: self.response_model}

    def _finish(self, response: Response | None) -> None:
        telemetry = self.telemetry
        attributes: dict[str, AttributeValue] = {}
        usage = None
        problem = None
        if response is not None:
            if response.model is not None:
                self.response_model = response.model
            if response.id is not None:
                attributes[GenAI.GEN_AI_RESPONSE_ID] = response.id
            if response.finish_reasons:
                attributes[GenAI.GEN_AI_RESPONSE_FINISH_REASONS] = response.finish_reasons
            if response.embedding_dimensions is not None:
                attributes[GenAI.GEN_AI_EMBEDDINGS_DIMENSION_COUNT] = response.embedding_dimensions
            if response.usage is not None and telemetry.settings.record_tokens:
                usage, problem = _checked_usage(response.usage)
                _usage_attributes(usage, attributes)
            if response.attributes:
                attributes.update(response.attributes)
        if self.response_model is not None:
            attributes[GenAI.GEN_AI_RESPONSE_MODEL] = self.response_model
        if self._ttfc is not None:
            attributes[GenAI.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = self._ttfc
        metric_attributes = self._metric_attributes()
        self._observe(response, None, problem, attributes, metric_attributes)
        content = self._content(response, attributes) if telemetry.capture_content else {}
        self.span.set_attributes(attributes)
        if telemetry.settings.emit_events:
            self._emit_details(attributes, content)

        instruments = telemetry.instruments
        context = self.context
        instruments.duration.record(_now() - self._started, metric_attributes, context)
        if usage is not None and problem is None and not usage.estimated:
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

    def _observe(
        self,
        response: Response | None,
        error_type: str | None,
        problem: str | None,
        attributes: dict[str, AttributeValue],
        metric_attributes: dict[str, AttributeValue],
    ) -> None:
        """Run the distro's call observers (cost, limits): for every call, sampled or not."""
        if not hooks.call_observers:
            return
        seen: dict[str, AttributeValue] = {**self._attributes, **attributes}
        for observer in hooks.call_observers:
            try:
                observation = observer(
                    hooks.FinishedCall(
                        request=self.request,
                        response=response,
                        error_type=error_type,
                        usage_problem=problem,
                        attributes=seen,
                        metric_attributes=metric_attributes,
                        span_context=self.span.get_span_context(),
                        start_time_ns=self._started_ns,
                    )
                )
                if observation is None:
                    continue
                if observation.attributes:
                    attributes.update(observation.attributes)
                    seen.update(observation.attributes)
                for name, event_attributes in observation.events:
                    self.span.add_event(name, event_attributes)
            except Exception:
                report_internal_error("a call observer")

    def _content(
        self, response: Response | None, attributes: dict[str, AttributeValue]
    ) -> dict[str, Any]:
        """Opt-in content: on the span as JSON, in the details event as structured values."""
        settings = self.telemetry.settings
        limit = settings.content_max_length
        request = self.request
        content: dict[str, Any] = {}
        if request.input_messages:
            content[GenAI.GEN_AI_INPUT_MESSAGES] = [
                asdict(m) for m in limit_messages(request.input_messages, limit)
            ]
        if request.system_instructions:
            content[GenAI.GEN_AI_SYSTEM_INSTRUCTIONS] = [
                asdict(p) for p in limit_parts(request.system_instructions, limit)
            ]
        if request.tool_definitions:
            content[GenAI.GEN_AI_TOOL_DEFINITIONS] = [asdict(t) for t in request.tool_definitions]
        if response is not None and response.output_messages:
            content[GenAI.GEN_AI_OUTPUT_MESSAGES] = [
                asdict(m) for m in limit_messages(response.output_messages, limit)
            ]
        if settings.content_on_span:
            for key, value in content.items():
                attributes[key] = gen_ai_json_dumps(value)
        return content

    def _emit_details(self, attributes: dict[str, AttributeValue], content: dict[str, Any]) -> None:
        """The ``gen_ai.client.inference.operation.details`` event: everything the span says,
        with content as structured values when content goes to events."""
        event_attributes: dict[str, Any] = {**self._attributes, **attributes}
        for key in content:
            event_attributes.pop(key, None)
        if self.telemetry.settings.content_in_events:
            event_attributes.update(content)
        self.telemetry.emit(
            LogRecord(
                event_name=GEN_AI_CLIENT_INFERENCE_OPERATION_DETAILS,
                attributes=event_attributes,
                context=self.context,
                severity_number=SeverityNumber.DEBUG,
            )
        )

    def _fail(self, error: BaseException) -> None:
        error_type = error_type_of(error)
        message = self._redacted(str(error)) or type(error).__name__
        self.span.set_status(Status(StatusCode.ERROR, message))
        attributes: dict[str, AttributeValue] = {error_attributes.ERROR_TYPE: error_type}
        if self._ttfc is not None:
            attributes[GenAI.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = self._ttfc
        if self.response_model is not None:
            attributes[GenAI.GEN_AI_RESPONSE_MODEL] = self.response_model
        telemetry = self.telemetry
        metric_attributes = {
            **self._metric_attributes(),
            error_attributes.ERROR_TYPE: error_type,
        }
        self._observe(None, error_type, None, attributes, metric_attributes)
        content = self._content(None, attributes) if telemetry.capture_content else {}
        self.span.set_attributes(attributes)
        if telemetry.settings.emit_events:
            self._emit_details(attributes, content)
        telemetry.instruments.duration.record(
            _now() - self._started, metric_attributes, self.context
        )
        # The conventions' exception event, a log record tied to this span.
        telemetry.emit(
            LogRecord(
                event_name=GEN_AI_CLIENT_OPERATION_EXCEPTION,
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

    def _redacted(self, text: str) -> str:
        secrets: Iterable[str] = ()
        if self._credentials is not None:
            try:
                secrets = [s for s in self._credentials() if isinstance(s, str)]
            except Exception:
                report_internal_error("reading a client's credentials for redaction")
        return redact_secrets(text, secrets)

    def _close(self, failed: bool = False) -> None:
        try:
            self.span.end()
        finally:
            self.suspend()
            if self._routed is not None:
                self._attempt_ended(failed)


def _checked_usage(usage: Usage) -> tuple[Usage, str | None]:
    """``usage`` without negative counts; and why it is not usable for pricing, if so."""
    problem = None
    for name, _ in _USAGE_FIELDS:
        value = getattr(usage, name)
        if value is None:
            continue
        if value < 0:
            setattr(usage, name, None)
            problem = "negative"
        elif value > MAX_PLAUSIBLE_TOKENS and problem is None:
            problem = "implausible"
    return usage, problem


def _usage_attributes(usage: Usage, attributes: dict[str, AttributeValue]) -> None:
    if usage.estimated:
        attributes[AGENTOPS_USAGE_ESTIMATED] = True
        if usage.input_tokens is not None:
            attributes[AGENTOPS_USAGE_ESTIMATED_INPUT_TOKENS] = usage.input_tokens
        if usage.output_tokens is not None:
            attributes[AGENTOPS_USAGE_ESTIMATED_OUTPUT_TOKENS] = usage.output_tokens
        return
    if usage.input_tokens is not None:
        attributes[GenAI.GEN_AI_USAGE_INPUT_TOKENS] = usage.input_tokens
    if usage.output_tokens is not None:
        attributes[GenAI.GEN_AI_USAGE_OUTPUT_TOKENS] = usage.output_tokens
    # Zero counts of these are noise on every call of a model without caching.
    if usage.cache_read_input_tokens:
        attributes[GenAI.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = usage.cache_read_input_tokens
    if usage.cache_creation_input_tokens:
        attributes[GenAI.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS] = (
            usage.cache_creation_input_tokens
        )
    if usage.reasoning_output_tokens:
        attributes[GenAI.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = usage.reasoning_output_tokens
