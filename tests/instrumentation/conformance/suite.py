"""What every provider package must do, checked the same way for each.

A provider's test module imports these tests (``from conformance.suite import *``) and
defines a ``case`` fixture returning its ``ProviderCase``. Every test runs with the sync and the
async client.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
from collections.abc import Collection, Iterable, Iterator
from typing import Any, ClassVar

import pytest
from conformance.case import ProviderCase, close, drain, resolve
from opentelemetry.instrumentation.agentops.core import (
    Call,
    CallShape,
    GenAIInstrumentor,
    Mapper,
    Patch,
    Request,
    Response,
)
from opentelemetry.trace import SpanKind, StatusCode

__all__ = [
    "asynchronous",
    "instrumented",
    "test_a_call_inside_another_traced_call_joins_it",
    "test_a_plain_call_is_one_span_and_changes_nothing",
    "test_a_stream_cut_mid_way_is_an_error",
    "test_a_stream_is_one_span_ended_at_its_end",
    "test_an_exception_of_the_callers_own_inside_with_is_not_an_error",
    "test_content_is_captured_only_when_asked",
    "test_every_way_a_stream_ends_ends_its_span_once",
    "test_http_faults_are_errors_of_their_type",
    "test_instrumenting_twice_is_one_span",
    "test_no_span_after_uninstrument_and_one_after_instrumenting_again",
    "test_the_clients_key_never_reaches_telemetry",
]

_CORE_LOGGER = "opentelemetry.instrumentation.agentops.core"


@pytest.fixture(params=[False, True], ids=["sync", "async"])
def asynchronous(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def _instrument(case: ProviderCase) -> Any:
    instrumentor = case.instrumentor()
    instrumentor.instrument(
        tracer_provider=case.telemetry.tracer_provider,
        meter_provider=case.telemetry.meter_provider,
    )
    return instrumentor


@pytest.fixture
def instrumented(case: ProviderCase) -> Iterator[Any]:
    instrumentor = _instrument(case)
    yield instrumentor
    instrumentor.uninstrument()


def _only_span(case: ProviderCase) -> Any:
    spans = case.telemetry.spans()
    assert len(spans) == 1, [s.name for s in spans]
    span = spans[0]
    assert span.name == case.span_name
    assert span.kind is SpanKind.CLIENT
    assert span.instrumentation_scope.name == case.scope
    return span


def _assert_start(case: ProviderCase, span: Any) -> None:
    for key, value in case.start_attributes().items():
        assert span.attributes.get(key) == value, key


async def _uninstrumented(case: ProviderCase, instrumentor: Any, work: Any) -> Any:
    instrumentor.uninstrument()
    try:
        return await work()
    finally:
        instrumentor.instrument(
            tracer_provider=case.telemetry.tracer_provider,
            meter_provider=case.telemetry.meter_provider,
        )


def _durations(case: ProviderCase) -> list[Any]:
    return case.telemetry.metrics().get("gen_ai.client.operation.duration", [])


def _tokens(case: ProviderCase) -> dict[str, float]:
    points = case.telemetry.metrics().get("gen_ai.client.token.usage", [])
    return {p.attributes["gen_ai.token.type"]: p.sum for p in points}


# -- plain calls --------------------------------------------------------------------------------


async def test_a_plain_call_is_one_span_and_changes_nothing(case, instrumented, asynchronous):
    client = case.client(asynchronous)
    baseline = await _uninstrumented(case, instrumented, lambda: resolve(case.call(client)))
    result = await resolve(case.call(client))

    assert type(result) is type(baseline)
    assert case.dump(result) == case.dump(baseline)
    span = _only_span(case)
    assert span.status.status_code is StatusCode.UNSET
    _assert_start(case, span)
    input_tokens, output_tokens = case.usage(result)
    assert span.attributes["gen_ai.usage.input_tokens"] == input_tokens
    assert span.attributes["gen_ai.usage.output_tokens"] == output_tokens
    assert "gen_ai.request.stream" not in span.attributes
    (duration,) = _durations(case)
    assert duration.count == 1
    assert duration.attributes["gen_ai.provider.name"] == case.provider
    assert _tokens(case) == {"input": input_tokens, "output": output_tokens}


# -- streams ------------------------------------------------------------------------------------


async def test_a_stream_is_one_span_ended_at_its_end(case, instrumented, asynchronous):
    client = case.client(asynchronous)
    baseline = await _uninstrumented(case, instrumented, lambda: _read_stream(case, client))
    plain = await resolve(case.call(client))
    case.telemetry.span_exporter.clear()

    stream = await resolve(case.stream(client))
    assert case.telemetry.spans() == []  # not ended before the caller has read it
    chunks = await drain(stream)

    assert [case.dump(c) for c in chunks] == [case.dump(c) for c in baseline]
    assert "".join(case.chunk_text(c) for c in chunks) == case.text(plain)
    span = _only_span(case)
    assert span.status.status_code is StatusCode.UNSET
    _assert_start(case, span)
    assert span.attributes["gen_ai.request.stream"] is True
    ttfc = span.attributes["gen_ai.response.time_to_first_chunk"]
    assert 0 <= ttfc <= (span.end_time - span.start_time) / 1e9
    # Streams report the same usage as the plain call for the same request.
    input_tokens, output_tokens = case.usage(plain)
    assert span.attributes["gen_ai.usage.input_tokens"] == input_tokens
    assert span.attributes["gen_ai.usage.output_tokens"] == output_tokens
    points = case.telemetry.metrics()
    (first,) = points["gen_ai.client.operation.time_to_first_chunk"]
    assert first.count == 1


async def _read_stream(case: ProviderCase, client: Any) -> list[Any]:
    return await drain(await resolve(case.stream(client)))


_ENDINGS = ["break-then-close", "break-then-dropped", "with-left-early"]


@pytest.mark.parametrize("ending", _ENDINGS)
async def test_every_way_a_stream_ends_ends_its_span_once(
    case, instrumented, asynchronous, ending, caplog
):
    if ending == "break-then-close" and not case.closable:
        pytest.skip(f"{case.provider} streams have no close()")
    if ending == "with-left-early" and not case.context_manager:
        pytest.skip(f"{case.provider} streams are not context managers")
    if ending != "with-left-early" and not case.releasable:
        pytest.skip(f"{case.provider} streams cannot be left mid-way in this SDK version")
    caplog.set_level(logging.WARNING)
    client = case.client(asynchronous)
    stream = await resolve(case.stream(client))
    if ending == "with-left-early":
        if asynchronous:
            async with stream as entered:
                await drain(entered, limit=1)
        else:
            with stream as entered:
                await drain(entered, limit=1)
    else:
        await drain(stream, limit=1)
        assert case.telemetry.spans() == []
        if ending == "break-then-close":
            await close(stream)
        else:
            del stream
            gc.collect()
            if asynchronous:
                await _finalizers_done()
    span = _only_span(case)
    # Leaving early is the caller's choice: no error, and usage estimated where none came.
    assert span.status.status_code is StatusCode.UNSET
    assert "error.type" not in span.attributes
    assert (
        "gen_ai.usage.input_tokens" in span.attributes
        or span.attributes.get("agentops.usage.estimated") is True
    )
    assert not [r for r in caplog.records if "Calling end() on an ended span" in r.getMessage()]


async def _finalizers_done() -> None:
    """Let the task the event loop starts to close a dropped async generator (its finalizer
    hook schedules ``aclose()``) finish, as a long-running program would: left pending, it is
    destroyed with the test's loop and fails a later test."""
    current = asyncio.current_task()
    await asyncio.sleep(0)  # the hook only schedules the task's creation
    for _ in range(200):
        if not [task for task in asyncio.all_tasks() if task is not current]:
            return
        await asyncio.sleep(0.005)


async def test_a_stream_cut_mid_way_is_an_error(case, instrumented, asynchronous):
    client = case.client(asynchronous)
    stream = await resolve(case.stream(client, {"x-emulator-fault": "stream-cut"}))
    received: list[Any] = []
    if case.stream_cut_error:
        with pytest.raises(Exception) as raised:
            received.extend(await drain(stream))
        span = _only_span(case)
        assert span.status.status_code is StatusCode.ERROR
        assert span.attributes["error.type"]
        assert raised.value is not None
    else:
        received.extend(await drain(stream))
        _only_span(case)


async def test_an_exception_of_the_callers_own_inside_with_is_not_an_error(
    case, instrumented, asynchronous
):
    if not case.context_manager:
        pytest.skip(f"{case.provider} streams are not context managers")
    client = case.client(asynchronous)
    stream = await resolve(case.stream(client))
    with pytest.raises(KeyError):
        if asynchronous:
            async with stream as entered:
                async for _ in entered:
                    raise KeyError("the caller's own bug")
        else:
            with stream as entered:
                for _ in entered:
                    raise KeyError("the caller's own bug")
    span = _only_span(case)
    assert span.status.status_code is StatusCode.UNSET
    assert "error.type" not in span.attributes
    (duration,) = _durations(case)
    assert "error.type" not in duration.attributes


# -- faults -------------------------------------------------------------------------------------


_FAULTS = ["http-400", "http-401", "http-429", "http-500"]


@pytest.mark.parametrize("fault", _FAULTS)
async def test_http_faults_are_errors_of_their_type(case, instrumented, asynchronous, fault):
    client = case.client(asynchronous)
    headers = {"x-emulator-fault": fault}

    async def failing() -> BaseException:
        with pytest.raises(Exception) as raised:
            await resolve(case.call(client, headers))
        return raised.value

    expected = await _uninstrumented(case, instrumented, failing)
    error = await failing()
    assert type(error) is type(expected)
    assert str(error) == str(expected)
    span = _only_span(case)
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["error.type"] == case.error_types[fault]
    (duration,) = _durations(case)
    assert duration.attributes["error.type"] == case.error_types[fault]
    assert _tokens(case) == {}


async def test_the_clients_key_never_reaches_telemetry(case, telemetry, asynchronous, caplog):
    caplog.set_level(logging.DEBUG)
    key = "Zq8xV2pL0mN4bR7tY1cW9eKd"  # no sk- or Bearer look
    instrumentor = _instrument(case)
    try:
        client = case.client(asynchronous, api_key=key)
        with pytest.raises(Exception):  # noqa: B017 - the SDK's own 401 class
            await resolve(case.call(client, {"x-emulator-fault": "http-401"}))
        await resolve(case.call(client))
    finally:
        instrumentor.uninstrument()
    texts: list[str] = []
    for span in telemetry.spans():
        texts += [span.name, str(span.status.description), json.dumps(dict(span.attributes))]
        texts += [json.dumps(dict(event.attributes or {})) for event in span.events]
    texts += [
        record.getMessage()
        for record in caplog.records
        if record.name.partition(".")[0] not in case.sdk_loggers
    ]
    assert not [text for text in texts if key in text or key[:10] in text]


# -- content ------------------------------------------------------------------------------------


@pytest.mark.parametrize("capture", [None, "true"])
async def test_content_is_captured_only_when_asked(
    case, telemetry, asynchronous, monkeypatch, capture
):
    if capture is None:
        monkeypatch.delenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", raising=False)
    else:
        monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", capture)
    instrumentor = _instrument(case)
    try:
        result = await resolve(case.call(case.client(asynchronous)))
    finally:
        instrumentor.uninstrument()
    span = _only_span(case)
    content_keys = {"gen_ai.input.messages", "gen_ai.output.messages"}
    if capture is None:
        assert not content_keys & set(span.attributes)
        assert case.prompt() not in json.dumps(dict(span.attributes))
        return
    inputs = json.loads(span.attributes["gen_ai.input.messages"])
    outputs = json.loads(span.attributes["gen_ai.output.messages"])
    assert case.prompt() in json.dumps(inputs)
    assert outputs[0]["role"] == "assistant"
    assert case.text(result) in json.dumps(outputs)


# -- instrument and uninstrument ----------------------------------------------------------------


async def test_no_span_after_uninstrument_and_one_after_instrumenting_again(
    case, telemetry, asynchronous
):
    instrumentor = _instrument(case)
    client = case.client(asynchronous)
    bound_call = case.call  # references kept while instrumented stop tracing too
    instrumentor.uninstrument()
    await resolve(bound_call(client))
    assert telemetry.spans() == []
    instrumentor = _instrument(case)
    try:
        await resolve(case.call(client))
    finally:
        instrumentor.uninstrument()
    _only_span(case)


async def test_instrumenting_twice_is_one_span(case, instrumented, asynchronous):
    _instrument(case)  # the same singleton: a second instrument() does nothing
    await resolve(case.call(case.client(asynchronous)))
    _only_span(case)


# -- nesting ------------------------------------------------------------------------------------


class _Outer:
    """An SDK method that calls another SDK (as LiteLLM calls provider SDKs)."""

    def run(self, work: Any) -> Any:
        return work()

    async def arun(self, work: Any) -> Any:
        return await resolve(work())


class _OuterMapper(Mapper[None]):
    def request(self, call: Call, capture_content: bool) -> Request[None] | None:
        return Request(provider="outer", operation="chat", model="outer-model")

    def response(self, result: Any, request: Request[None], capture_content: bool) -> Response:
        return Response()


class _OuterInstrumentor(GenAIInstrumentor):
    scope_name: ClassVar[str] = "conformance.outer"
    scope_version: ClassVar[str] = "0"
    sdk_name: ClassVar[str] = "outer"

    def instrumentation_dependencies(self) -> Collection[str]:
        return ()

    def patches(self) -> Iterable[Patch]:
        yield Patch(__name__, "_Outer.run", _OuterMapper(), shape=CallShape.VALUE)
        yield Patch(__name__, "_Outer.arun", _OuterMapper())


async def test_a_call_inside_another_traced_call_joins_it(case, instrumented, asynchronous):
    outer = _OuterInstrumentor()
    outer.instrument(tracer_provider=case.telemetry.tracer_provider)
    try:
        client = case.client(asynchronous)
        runner = _Outer()
        if asynchronous:
            await runner.arun(lambda: case.call(client))
        else:
            runner.run(lambda: case.call(client))
    finally:
        outer.uninstrument()
    spans = case.telemetry.spans()
    assert [s.name for s in spans] == ["chat outer-model"]
