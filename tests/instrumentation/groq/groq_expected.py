"""What the Groq tests expect, read from the SDK's own results (never from constants); what
the installed SDK can do; and how the tests instrument, build clients and make calls.

Attribute and metric names are literal strings on purpose: a test must fail if the
instrumentation (or a constant it imports) ever emits another name.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import groq
from conformance.case import drain, resolve
from conformance.expect import DURATION, TIME_PER_CHUNK, TOKEN_USAGE, TTFC
from opentelemetry.instrumentation.agentops.groq import GroqInstrumentor
from opentelemetry.trace import SpanKind, StatusCode

API_KEY = "gsk-test-secret-key-0123456789"
MODEL = "llama-3.3-70b-versatile"
USER = [{"role": "user", "content": "tell me a short story about a lighthouse"}]
WEATHER = [{"role": "user", "content": "weather in Paris?"}]
PARAMETERS = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
TOOL = {
    "type": "function",
    "function": {"name": "get_weather", "description": "Weather now", "parameters": PARAMETERS},
}
SCOPE = "opentelemetry.instrumentation.agentops.groq"
SDK = f"groq {groq.__version__}"

SERVER_TIMES = {
    "agentops.server.queue_time": "queue_time",
    "agentops.server.prompt_time": "prompt_time",
    "agentops.server.completion_time": "completion_time",
    "agentops.server.total_time": "total_time",
}

CREATE_PARAMS = frozenset(
    inspect.signature(groq.resources.chat.completions.Completions.create).parameters
)

# groq 0.9.0 and 0.10.0 hand a stream's error event to the caller as if it were a chunk; from
# 0.11.0 on the stream decoder looks for "error" and raises APIError.
RAISES_STREAM_ERRORS = "error" in inspect.getsource(groq.Stream.__stream__)


class Instrumented:
    """``GroqInstrumentor`` instrumented with the test's providers."""

    def __init__(self, telemetry: Any) -> None:
        self.telemetry = telemetry
        self.instrumentor = GroqInstrumentor()

    def start(self) -> None:
        self.instrumentor.instrument(
            tracer_provider=self.telemetry.tracer_provider,
            meter_provider=self.telemetry.meter_provider,
        )

    @contextmanager
    def paused(self) -> Iterator[None]:
        """The SDK as it is without us, for a baseline; instrumented again afterwards."""
        self.instrumentor.uninstrument()
        try:
            yield
        finally:
            self.start()


def make_client(emulator: Any, asynchronous: bool) -> Any:
    kind = groq.AsyncGroq if asynchronous else groq.Groq
    return kind(api_key=API_KEY, base_url=emulator.groq_base_url, max_retries=0)


def create(completions: Any, messages: Any = USER, **kwargs: Any) -> Any:
    """``completions.create(...)`` with the tests' model (and prompt, unless given), where
    ``completions`` is ``client.chat.completions`` or one of its raw-response views."""
    return completions.create(model=MODEL, messages=messages, **kwargs)


async def read_stream(completions: Any, **kwargs: Any) -> list[Any]:
    """Every chunk of a streamed ``create``, sync or async."""
    return await drain(await resolve(create(completions, stream=True, **kwargs)))


def dumped(value: Any) -> dict[str, Any]:
    """A model as a dict, fields the SDK does not declare included (0.9.0 has no ``x_groq``
    on completions and no ``prompt_tokens_details`` on usage)."""
    return value.model_dump()


def start_attributes(emulator: Any, model: str = MODEL) -> dict[str, Any]:
    return {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "groq",
        "gen_ai.request.model": model,
        "server.address": "127.0.0.1",
        "server.port": emulator.port,
    }


def usage_attributes(usage: dict[str, Any]) -> dict[str, Any]:
    """Token counts and server timings of a Groq usage dict."""
    attributes = {
        "gen_ai.usage.input_tokens": usage["prompt_tokens"],
        "gen_ai.usage.output_tokens": usage["completion_tokens"],
    }
    cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens")
    if cached is not None:
        attributes["gen_ai.usage.cache_read.input_tokens"] = cached
    for attribute, name in SERVER_TIMES.items():
        attributes[attribute] = usage[name]
    return attributes


def result_attributes(result: Any) -> dict[str, Any]:
    """What a plain chat completion says."""
    data = dumped(result)
    return {
        "gen_ai.response.id": data["id"],
        "gen_ai.response.model": data["model"],
        "gen_ai.response.finish_reasons": tuple(c["finish_reason"] for c in data["choices"]),
        **usage_attributes(data["usage"]),
    }


def stream_attributes(chunks: list[Any]) -> dict[str, Any]:
    """What a whole stream says: ids on every chunk, finish reasons on the last chunk with
    choices, usage (with timings) in ``x_groq.usage`` of the last one."""
    data = [dumped(chunk) for chunk in chunks]
    last_choices = next(d["choices"] for d in reversed(data) if d["choices"])
    return {
        "gen_ai.request.stream": True,
        "gen_ai.response.id": data[0]["id"],
        "gen_ai.response.model": data[0]["model"],
        "gen_ai.response.finish_reasons": tuple(c["finish_reason"] for c in last_choices),
        **usage_attributes(data[-1]["x_groq"]["usage"]),
    }


def points(telemetry: Any) -> dict[str, list[tuple[dict[str, Any], int, float | None]]]:
    """Every histogram point recorded: (attributes, count, sum); sums of times are None
    (they vary), token sums are exact."""
    found: dict[str, list[tuple[dict[str, Any], int, float | None]]] = {}
    for name, recorded in telemetry.metrics().items():
        rows = [
            (dict(p.attributes), p.count, p.sum if name == TOKEN_USAGE else None) for p in recorded
        ]
        found[name] = sorted(rows, key=lambda row: str(sorted(row[0].items())))
    return found


def expected_points(
    span_attributes: dict[str, Any], *, chunks: int = 0, error_type: str | None = None
) -> dict[str, list[tuple[dict[str, Any], int, float | None]]]:
    """The points one call makes: a duration (with ``error_type`` if it failed), token usage
    when the span has it, and for a stream of ``chunks`` chunks the time to the first and
    between the others (timed as they came, before any failure)."""
    # Every point carries the span's start attributes and the response model, nothing else.
    keys = [*start_attributes(SimpleNamespace(port=None)), "gen_ai.response.model"]
    attributes = {k: span_attributes[k] for k in keys if k in span_attributes}
    failed = {**attributes, "error.type": error_type} if error_type is not None else attributes
    expected: dict[str, list[tuple[dict[str, Any], int, float | None]]] = {
        DURATION: [(failed, 1, None)]
    }
    if "gen_ai.usage.input_tokens" in span_attributes:
        expected[TOKEN_USAGE] = [
            ({**attributes, "gen_ai.token.type": kind}, 1, span_attributes[key])
            for kind, key in (
                ("input", "gen_ai.usage.input_tokens"),
                ("output", "gen_ai.usage.output_tokens"),
            )
        ]
    if chunks:
        expected[TTFC] = [(attributes, 1, None)]
        if chunks > 1:
            expected[TIME_PER_CHUNK] = [(attributes, chunks - 1, None)]
    return expected


def expected_result(
    emulator: Any, result: Any, request: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The span of a plain call: start attributes, the ``request`` attributes a test sets,
    and what came back."""
    return start_attributes(emulator) | (request or {}) | result_attributes(result)


def expected_stream(emulator: Any, span: Any, chunks: list[Any]) -> dict[str, Any]:
    """The span of a whole stream, its time to first chunk checked and taken from it."""
    return (
        start_attributes(emulator)
        | stream_attributes(chunks)
        | {"gen_ai.response.time_to_first_chunk": time_to_first_chunk(span)}
    )


def only_span(telemetry: Any) -> Any:
    spans = telemetry.spans()
    assert len(spans) == 1, [span.name for span in spans]
    span = spans[0]
    assert span.instrumentation_scope.name == SCOPE
    return span


def time_to_first_chunk(span: Any) -> float:
    """The span's time to first chunk, checked to lie within the span."""
    value = span.attributes["gen_ai.response.time_to_first_chunk"]
    assert isinstance(value, float)
    assert 0 <= value <= (span.end_time - span.start_time) / 1e9
    return value


def assert_span(span: Any, attributes: dict[str, Any], error: BaseException | None = None) -> None:
    """Name, kind, status and the exact attribute set of a chat span."""
    assert span.name == f"chat {attributes['gen_ai.request.model']}"
    assert span.kind is SpanKind.CLIENT
    assert span.parent is None
    assert list(span.events) == []
    assert dict(span.attributes) == attributes
    if error is None:
        assert span.status.status_code is StatusCode.UNSET
    else:
        assert span.status.status_code is StatusCode.ERROR
        assert span.status.description == str(error)
