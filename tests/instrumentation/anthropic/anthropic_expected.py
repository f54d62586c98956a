"""What the Anthropic tests share: what the installed SDK has, and the telemetry expected of a
call, derived from the SDK's own results.

Attribute and metric names are literal strings on purpose: the tests must fail if the
instrumentation (or a constant it imports) ever emits another name.
"""

from __future__ import annotations

import abc
import importlib
import inspect
import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import anthropic
from conformance.case import drain, resolve
from conformance.expect import DURATION, TIME_PER_CHUNK, TOKEN_USAGE, TTFC
from opentelemetry.trace import SpanKind, StatusCode

SDK = f"anthropic {anthropic.__version__}"
SCOPE = "opentelemetry.instrumentation.agentops.anthropic"
API_KEY = "sk-ant-test-secret-0123456789"
MODEL = "claude-haiku-4-5"
MAX_TOKENS = 200
USER = [{"role": "user", "content": "tell me a short story"}]
WEATHER_TOOL = {
    "name": "get_weather",
    "description": "Current weather of a city",
    "input_schema": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}

CONTENT_ATTRIBUTES = frozenset(
    {
        "gen_ai.input.messages",
        "gen_ai.output.messages",
        "gen_ai.system_instructions",
        "gen_ai.tool.definitions",
    }
)

# stop_reason -> the conventions' finish reason, as the package documents it.
FINISH_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_call",
}


# --- what the installed SDK has ----------------------------------------------------------------


def _module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


Messages = importlib.import_module("anthropic.resources.messages").Messages
CREATE_PARAMETERS = frozenset(inspect.signature(Messages.create).parameters)
_BETA = _module("anthropic.resources.beta.messages")
BetaMessages = getattr(_BETA, "Messages", None)

HAS_PARSE = hasattr(Messages, "parse")
HAS_BETA_STREAM = BetaMessages is not None and hasattr(BetaMessages, "stream")
HAS_COMPLETIONS = _module("anthropic.resources.completions") is not None
HAS_THINKING = "thinking" in CREATE_PARAMETERS
SAMPLING_ARGUMENTS = "temperature" in CREATE_PARAMETERS
"""Whether create() takes sampling parameters as arguments (2.x takes them in extra_body)."""
HAS_NATIVE_TRACING = _module("anthropic._tracing") is not None
# anthropic < 1.0 gives Stream and AsyncStream a metaclass whose isinstance() accepts only
# their exact type: a traced stream (a proxy) is one only by its __class__ there.
STREAM_ISINSTANCE = type(anthropic.Stream).__instancecheck__ in (
    type.__instancecheck__,
    abc.ABCMeta.__instancecheck__,
)
COUNT_TOKENS_OWNER = next(
    (owner for owner in (Messages, BetaMessages) if hasattr(owner, "count_tokens")), None
)

NO_PARSE = f"{SDK} has no messages.parse"
NO_BETA = f"{SDK} has no beta.messages"
NO_BETA_STREAM = f"{SDK} has no beta.messages.stream"
NO_COMPLETIONS = f"{SDK} has no legacy completions (removed in 1.0)"
NO_THINKING = f"{SDK} messages.create takes no thinking"
NO_COUNT_TOKENS = f"{SDK} has no count_tokens"


# --- driving calls -----------------------------------------------------------------------------


def make_client(emulator: Any, asynchronous: bool, **options: Any) -> Any:
    """A client pointed at the emulator, retries off (an injected fault is seen once)."""
    kind = anthropic.AsyncAnthropic if asynchronous else anthropic.Anthropic
    return kind(api_key=API_KEY, base_url=emulator.anthropic_base_url, max_retries=0, **options)


def arguments(**extra: Any) -> dict[str, Any]:
    return {"model": MODEL, "max_tokens": MAX_TOKENS, "messages": USER, **extra}


@contextmanager
def uninstrumented(instrumentor: Any, telemetry: Any) -> Iterator[None]:
    """Run the block with the SDK unpatched, then instrument again with the test's pipeline."""
    instrumentor.uninstrument()
    try:
        yield
    finally:
        instrumentor.instrument(
            tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
        )


HOWS = ("create", "create-stream", "stream-helper")
"""Ways to make a Messages call: plain, ``stream=True``, ``messages.stream()``."""


async def complete(sdk: Any, how: str, asynchronous: bool, **extra: Any) -> Any:
    """Make one call ``how`` (see ``HOWS``) and read it to its end: the Message, or for
    ``create-stream`` the list of raw events."""
    if how == "create":
        return await resolve(sdk.messages.create(**arguments(**extra)))
    if how == "create-stream":
        return await drain(await resolve(sdk.messages.create(**arguments(stream=True, **extra))))
    manager = sdk.messages.stream(**arguments(**extra))
    if asynchronous:
        async with manager as stream:
            return await stream.get_final_message()
    with manager as stream:
        return stream.get_final_message()


async def read_with(stream: Any, helper: str) -> Any:
    """What the caller gets from ``helper`` of a ``messages.stream()`` stream (comparable)."""
    if helper == "iterate":
        return [event.model_dump() for event in await drain(stream)]
    if helper == "text_stream":
        return "".join(await drain(stream.text_stream))
    result = await resolve(getattr(stream, helper)())
    return result.model_dump() if helper == "get_final_message" else result


async def use_helper(
    resource: Any, helper: str, asynchronous: bool, telemetry: Any, **extra: Any
) -> tuple[Any, Any, int]:
    """Read ``resource.stream()`` with ``helper``: what it returned, the final Message, and
    how many spans had ended when the helper returned (before the ``with`` block is left)."""
    manager = resource.stream(**arguments(**extra))
    if asynchronous:
        async with manager as stream:
            read = await read_with(stream, helper)
            ended = len(telemetry.spans())
            final = await stream.get_final_message()
    else:
        with manager as stream:
            read = await read_with(stream, helper)
            ended = len(telemetry.spans())
            final = stream.get_final_message()
    return read, final, ended


# --- expected telemetry ------------------------------------------------------------------------


def usage_counts(usage: Any) -> dict[str, int]:
    """The conventions' usage attributes of an SDK usage object (0.32 keeps the cache counts
    as extra fields, read the same way)."""
    read = getattr(usage, "cache_read_input_tokens", None) or 0
    written = getattr(usage, "cache_creation_input_tokens", None) or 0
    counts = {
        "gen_ai.usage.input_tokens": usage.input_tokens + read + written,
        "gen_ai.usage.output_tokens": usage.output_tokens,
    }
    if read:
        counts["gen_ai.usage.cache_read.input_tokens"] = read
    if written:
        counts["gen_ai.usage.cache_creation.input_tokens"] = written
    return counts


def request_attributes(
    emulator: Any,
    *,
    operation: str = "chat",
    model: str = MODEL,
    max_tokens: int | None = MAX_TOKENS,
    stream: bool = False,
) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "gen_ai.operation.name": operation,
        "gen_ai.provider.name": "anthropic",
        "gen_ai.request.model": model,
        "server.address": "127.0.0.1",
        "server.port": emulator.port,
    }
    if max_tokens is not None:
        attributes["gen_ai.request.max_tokens"] = max_tokens
    if stream:
        attributes["gen_ai.request.stream"] = True
    return attributes


def message_attributes(message: Any) -> dict[str, Any]:
    """What a Message (read from the SDK's own result) puts on its span."""
    return {
        "gen_ai.response.id": message.id,
        "gen_ai.response.model": message.model,
        "gen_ai.response.finish_reasons": (FINISH_REASONS[message.stop_reason],),
        **usage_counts(message.usage),
    }


_METRIC_KEYS = (
    "gen_ai.operation.name",
    "gen_ai.provider.name",
    "gen_ai.request.model",
    "gen_ai.response.model",
    "server.address",
    "server.port",
)


def metric_attributes(span_attributes: dict[str, Any], error_type: str | None = None) -> dict:
    """The attributes every metric point of a call carries: the low-cardinality part of its
    span's (and ``error.type`` for a failed call)."""
    chosen = {key: span_attributes[key] for key in _METRIC_KEYS if key in span_attributes}
    return {**chosen, "error.type": error_type} if error_type else chosen


def only_span(telemetry: Any) -> Any:
    spans = telemetry.spans()
    assert len(spans) == 1, [(span.name, span.instrumentation_scope.name) for span in spans]
    return spans[0]


def ttfc_of(span: Any) -> float:
    """The span's time to first chunk, checked to lie within the span."""
    value = span.attributes["gen_ai.response.time_to_first_chunk"]
    assert isinstance(value, float)
    assert 0 <= value <= (span.end_time - span.start_time) / 1e9
    return value


def assert_span(
    span: Any, name: str, attributes: dict[str, Any], error: BaseException | None = None
) -> None:
    assert (span.name, span.kind, span.instrumentation_scope.name) == (
        name,
        SpanKind.CLIENT,
        SCOPE,
    )
    assert span.end_time is not None
    assert dict(span.attributes) == attributes
    if error is None:
        assert (span.status.status_code, span.status.description) == (StatusCode.UNSET, None)
    else:
        assert (span.status.status_code, span.status.description) == (
            StatusCode.ERROR,
            str(error),
        )


def assert_metrics(
    telemetry: Any,
    attributes: dict[str, Any],
    *,
    tokens: tuple[int, int] | None = None,
    chunks: int | None = None,
    span: Any = None,
) -> None:
    """Exactly the metric points one call gives: a duration point; token points when the
    provider reported ``tokens`` (input, output); for a stream of ``chunks`` delivered
    chunks, one time-to-first-chunk point and ``chunks - 1`` time-per-chunk measurements.
    Every point carries exactly ``attributes``."""
    points = telemetry.metrics()
    expected = {DURATION} | ({TOKEN_USAGE} if tokens else set())
    if chunks:
        expected |= {TTFC} | ({TIME_PER_CHUNK} if chunks > 1 else set())
    assert {name for name, found in points.items() if found} == expected

    (duration,) = points[DURATION]
    assert (dict(duration.attributes), duration.count) == (attributes, 1)
    if span is not None:
        assert 0 < duration.sum <= (span.end_time - span.start_time) / 1e9 + 1e-3
    if tokens:
        by_type = {p.attributes["gen_ai.token.type"]: p for p in points[TOKEN_USAGE]}
        assert {kind: p.sum for kind, p in by_type.items()} == dict(
            zip(("input", "output"), tokens, strict=True)
        )
        for kind, point in by_type.items():
            assert dict(point.attributes) == {**attributes, "gen_ai.token.type": kind}
            assert point.count == 1
    if chunks:
        (first,) = points[TTFC]
        assert (dict(first.attributes), first.count) == (attributes, 1)
        if span is not None:
            assert math.isclose(first.sum, span.attributes["gen_ai.response.time_to_first_chunk"])
        if chunks > 1:
            (per_chunk,) = points[TIME_PER_CHUNK]
            assert (dict(per_chunk.attributes), per_chunk.count) == (attributes, chunks - 1)


def events_attributes(events: list[Any]) -> dict[str, Any]:
    """What a stream of raw Message events puts on its span: the id and model of its
    ``message_start``, the stop reason of its ``message_delta``, the input counts of the
    former and the output count of the latter."""
    start = next(event.message for event in events if event.type == "message_start")
    end = next(event for event in events if event.type == "message_delta")
    counts = usage_counts(start.usage)
    counts["gen_ai.usage.output_tokens"] = end.usage.output_tokens
    return {
        "gen_ai.response.id": start.id,
        "gen_ai.response.model": start.model,
        "gen_ai.response.finish_reasons": (FINISH_REASONS[end.delta.stop_reason],),
        **counts,
    }


def tokens_of(attributes: dict[str, Any]) -> tuple[int, int]:
    return attributes["gen_ai.usage.input_tokens"], attributes["gen_ai.usage.output_tokens"]


def assert_call(telemetry: Any, emulator: Any, message: Any, **request: Any) -> dict[str, Any]:
    """One span and its metric points, all derived from the SDK's Message."""
    span = only_span(telemetry)
    expected = request_attributes(emulator, **request) | message_attributes(message)
    assert_span(span, f"chat {MODEL}", expected)
    tokens = (expected["gen_ai.usage.input_tokens"], expected["gen_ai.usage.output_tokens"])
    assert_metrics(telemetry, metric_attributes(expected), tokens=tokens, span=span)
    return expected


def assert_streamed(
    telemetry: Any, emulator: Any, response: dict[str, Any], chunks: int | None = None
) -> dict[str, Any]:
    """One streamed call's span (with ``response`` attributes) and, for ``chunks`` delivered
    chunks, its metric points."""
    span = only_span(telemetry)
    expected = request_attributes(emulator, stream=True) | response
    expected["gen_ai.response.time_to_first_chunk"] = ttfc_of(span)
    assert_span(span, f"chat {MODEL}", expected)
    if chunks is not None:
        attributes = metric_attributes(expected)
        assert_metrics(telemetry, attributes, tokens=tokens_of(expected), chunks=chunks, span=span)
    return expected
