"""Exact checks of a provider package's telemetry, shared by every provider's tests.

Attribute and metric names are spelled out as literal strings on purpose: the tests must fail
if an instrumentation (or the constants it imports) ever emits a different name. A provider's
test helpers bind ``assert_span`` to its instrumentation scope.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from conformance.case import uninstrumented  # noqa: F401 - re-exported for provider tests
from conformance.metrics import metric_attributes  # noqa: F401 - re-exported as well
from opentelemetry.trace import SpanKind, StatusCode

DURATION = "gen_ai.client.operation.duration"
TOKEN_USAGE = "gen_ai.client.token.usage"
TTFC = "gen_ai.client.operation.time_to_first_chunk"
TIME_PER_CHUNK = "gen_ai.client.operation.time_per_output_chunk"

# The advisory bucket boundaries of the semantic conventions.
DURATION_BUCKETS = (
    0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
)  # fmt: skip
TOKEN_BUCKETS = (
    1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
)  # fmt: skip

CONTENT_ATTRIBUTES = (
    "gen_ai.input.messages",
    "gen_ai.output.messages",
    "gen_ai.system_instructions",
    "gen_ai.tool.definitions",
)


# --- driving sync and async clients from one test body ---------------------------------------


async def resolve(value: Any) -> Any:
    """The value itself for sync clients; awaited for async ones."""
    if inspect.isawaitable(value):
        return await value
    return value


async def drain(stream: Any) -> list[Any]:
    if hasattr(stream, "__aiter__"):
        return [chunk async for chunk in stream]
    return list(stream)


def strings_in(value: Any) -> list[str]:
    """Every string inside an attribute value or log body (nested sequences and mappings)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, bytes):
        return [value.decode(errors="replace")]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [*strings_in(k), *strings_in(v)]]
    if isinstance(value, list | tuple):
        return [s for item in value for s in strings_in(item)]
    return [str(value)] if value is not None else []


def assert_secret_absent(secret: str, spans: list[Any], records: list[Any] = ()) -> None:
    """``secret`` appears in no span name, attribute, status or event, nor in the Python log
    records and OpenTelemetry log records given."""
    texts: list[str] = []
    for span in spans:
        texts.append(span.name)
        texts.extend(strings_in(dict(span.attributes)))
        texts.extend(strings_in(span.status.description))
        for event in span.events:
            texts.append(event.name)
            texts.extend(strings_in(dict(event.attributes or {})))
    for record in records:
        if isinstance(record, logging.LogRecord):
            texts.append(record.getMessage())
            if record.exc_info:
                texts.append(logging.Formatter().formatException(record.exc_info))
        else:  # an OpenTelemetry log record
            log = getattr(record, "log_record", record)
            texts.extend(strings_in(log.body))
            texts.extend(strings_in(dict(log.attributes or {})))
            texts.extend(strings_in(getattr(log, "event_name", None)))
    leaks = [text for text in texts if secret in text]
    assert not leaks, leaks


# --- expected telemetry ------------------------------------------------------------------


def only_span(telemetry: Any) -> Any:
    spans = telemetry.spans()
    assert len(spans) == 1, [span.name for span in spans]
    return spans[0]


def assert_span(
    span: Any,
    name: str,
    attributes: dict[str, Any],
    *,
    scope: str,
    error: BaseException | None = None,
    description: str | None = None,
) -> None:
    assert span.name == name
    assert span.kind is SpanKind.CLIENT
    assert span.instrumentation_scope.name == scope
    assert span.parent is None
    assert span.end_time is not None
    assert dict(span.attributes) == attributes
    if error is None:
        assert span.status.status_code is StatusCode.UNSET
        assert span.status.description is None
    else:
        assert span.status.status_code is StatusCode.ERROR
        assert span.status.description == (description if description is not None else str(error))
    assert list(span.events) == []


def _span_seconds(span: Any) -> float:
    return (span.end_time - span.start_time) / 1e9


def assert_metrics(
    telemetry: Any,
    attributes: dict[str, Any],
    *,
    input_tokens: int | None = None,
    output_tokens: int | None = None,
    calls: int = 1,
    spans: list[Any] | None = None,
    streamed: bool = False,
) -> dict[str, list[Any]]:
    """One duration point (``calls`` measurements) and, when tokens are given, one token-usage
    point per token type, all carrying exactly ``attributes``; nothing else besides the
    stream timing histograms of a streamed call."""
    points = telemetry.metrics()
    units = telemetry.metric_units()
    expected_names = {DURATION}
    if input_tokens is not None or output_tokens is not None:
        expected_names.add(TOKEN_USAGE)
    present = {name for name, found in points.items() if found}
    extra = present - expected_names
    if streamed:
        assert TTFC in present
        extra -= {TTFC, TIME_PER_CHUNK}
    assert present >= expected_names, present
    assert not extra, extra

    (duration,) = points[DURATION]
    assert units[DURATION] == "s"
    assert dict(duration.attributes) == attributes
    assert duration.count == calls
    assert tuple(duration.explicit_bounds) == DURATION_BUCKETS
    assert duration.sum > 0
    if spans is not None:
        # Measured between the span's start and end, so it cannot exceed them.
        assert duration.sum <= sum(_span_seconds(span) for span in spans) + 1e-3

    if TOKEN_USAGE in expected_names:
        assert units[TOKEN_USAGE] == "{token}"
        by_type = {dict(p.attributes)["gen_ai.token.type"]: p for p in points[TOKEN_USAGE]}
        wanted = {"input": input_tokens, "output": output_tokens}
        wanted = {kind: count for kind, count in wanted.items() if count is not None}
        assert set(by_type) == set(wanted)
        for kind, count in wanted.items():
            point = by_type[kind]
            assert dict(point.attributes) == {**attributes, "gen_ai.token.type": kind}
            assert point.count == calls
            assert point.sum == count
            if calls == 1:
                assert point.min == point.max == count
            assert tuple(point.explicit_bounds) == TOKEN_BUCKETS
    return points


def assert_ttfc(points: dict[str, list[Any]], attributes: dict[str, Any], span: Any) -> float:
    """The time-to-first-chunk histogram has one measurement equal to the span's attribute;
    it and the per-chunk histogram carry the duration point's attributes."""
    (ttfc,) = points[TTFC]
    assert dict(ttfc.attributes) == attributes
    for per_chunk in points.get(TIME_PER_CHUNK, []):
        assert dict(per_chunk.attributes) == attributes
    assert ttfc.count == 1
    assert tuple(ttfc.explicit_bounds) == DURATION_BUCKETS
    value = span.attributes["gen_ai.response.time_to_first_chunk"]
    assert isinstance(value, float)
    assert math.isclose(ttfc.sum, value)
    assert 0 <= value <= _span_seconds(span)
    return value


# --- instrumenting -----------------------------------------------------------------------


@contextmanager
def instrumented(instrumentor: Any, telemetry: Any, **kwargs: Any) -> Iterator[Any]:
    """``instrumentor`` instrumented with the test's pipeline for the block."""
    instrumentor.instrument(
        tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider, **kwargs
    )
    try:
        yield instrumentor
    finally:
        instrumentor.uninstrument()


def global_tracer_provider(monkeypatch: Any) -> Any:
    """A global tracer provider of the test's own, put back as it was after the test (SDKs
    that trace themselves use the global one); returns its in-memory exporter."""
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    monkeypatch.setattr(trace, "_TRACER_PROVIDER", None)
    monkeypatch.setattr(trace, "_TRACER_PROVIDER_SET_ONCE", trace.Once())
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    return exporter


def error_type(cls: type) -> str:
    """The ``error.type`` the core records for an exception class: the shortest public module
    on its module's path that exports it (``ai21.TooManyRequestsError``, defined in
    ``ai21.errors``), the path cut before its first private part."""
    parts: list[str] = []
    for part in cls.__module__.split("."):
        if part.startswith("_"):
            break
        parts.append(part)
    for depth in range(1, len(parts) + 1):
        module = ".".join(parts[:depth])
        if getattr(importlib.import_module(module), cls.__name__, None) is cls:
            return f"{module}.{cls.__qualname__}"
    raise AssertionError(f"no public module exports {cls!r}")


# --- OpenAI-shaped request parameters ------------------------------------------------------

CHAT_PARAMETERS = {
    "temperature": 1,  # an int: the attribute is still a double
    "max_tokens": 50,
    "top_p": 0.5,
    "stop": "END",  # a string: the attribute is a string array
    "seed": 7,
    "frequency_penalty": 0.25,
    "presence_penalty": 0.5,
    "response_format": {"type": "json_object"},
}
"""Sampling parameters of an OpenAI-shaped chat call, as a caller passes them."""

CHAT_PARAMETER_ATTRIBUTES = {
    "gen_ai.request.temperature": 1.0,
    "gen_ai.request.max_tokens": 50,
    "gen_ai.request.top_p": 0.5,
    "gen_ai.request.stop_sequences": ("END",),
    "gen_ai.request.seed": 7,
    "gen_ai.request.frequency_penalty": 0.25,
    "gen_ai.request.presence_penalty": 0.5,
    "gen_ai.output.type": "json",
}
"""The span attributes ``CHAT_PARAMETERS`` become."""
