"""Every call shape of the eight SDKs, through the core alone, on a fake SDK (no provider SDK).

Each test drives ``fake_sdk`` through ``FakeInstrumentor`` and checks the caller's result, the
requests the SDK "sent" (with the span current at that moment and the traceparent it carried),
and the exact span and metric points.
"""

from __future__ import annotations

import gc
import importlib.machinery
import inspect
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import fake_sdk
import pytest
from conformance.expect import global_tracer_provider
from fake_instrumentation import FakeInstrumentor
from fake_sdk import completion as completion_imported_by_name
from opentelemetry import trace
from opentelemetry.instrumentation.agentops.core import CallShape
from opentelemetry.instrumentation.agentops.core._deferred import DeferredResult
from opentelemetry.trace import SpanKind, StatusCode

MODEL = "fake-model"
MESSAGES = [{"role": "user", "content": "tell me a story"}]
REPLY = "reply to tell me a story"

START = {
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": "fake",
    "gen_ai.request.model": MODEL,
    "server.address": "fake.example.com",
    "server.port": 443,
}
REPLIED = {
    "gen_ai.response.id": "fake-1",
    "gen_ai.response.model": f"{MODEL}-2026",
    "gen_ai.response.finish_reasons": ("stop",),
    "gen_ai.usage.input_tokens": 4,
    "gen_ai.usage.output_tokens": 6,
}


@pytest.fixture(autouse=True)
def _fresh_sdk():
    fake_sdk.SENT.clear()
    fake_sdk.TRACES_ITSELF["on"] = False
    yield
    fake_sdk.TRACES_ITSELF["on"] = False


@pytest.fixture
def instrumented(telemetry):
    instrumentor = FakeInstrumentor()
    instrumentor.instrument(
        tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
    )
    yield instrumentor
    instrumentor.uninstrument()


def only_span(telemetry: Any) -> Any:
    spans = telemetry.spans()
    assert len(spans) == 1, [s.name for s in spans]
    return spans[0]


def assert_span(span: Any, attributes: dict[str, Any]) -> None:
    assert span.name == f"chat {MODEL}"
    assert span.kind is SpanKind.CLIENT
    assert span.status.status_code is StatusCode.UNSET
    assert dict(span.attributes) == attributes


def assert_sent_inside(span: Any, count: int = 1) -> None:
    """The SDK's requests went out while the GenAI span was current, carrying its context."""
    assert len(fake_sdk.SENT) == count
    for sent in fake_sdk.SENT:
        context = sent.span.get_span_context()
        assert context.span_id == span.context.span_id
        assert sent.headers["traceparent"].split("-")[2] == f"{span.context.span_id:016x}"


def assert_metrics(telemetry: Any, streamed: bool = False) -> None:
    points = telemetry.metrics()
    metric_attributes = {**START, "gen_ai.response.model": f"{MODEL}-2026"}
    (duration,) = points["gen_ai.client.operation.duration"]
    assert dict(duration.attributes) == metric_attributes
    assert duration.count == 1
    tokens = {p.attributes["gen_ai.token.type"]: p.sum for p in points["gen_ai.client.token.usage"]}
    assert tokens == {"input": 4, "output": 6}
    if streamed:
        (first,) = points["gen_ai.client.operation.time_to_first_chunk"]
        assert dict(first.attributes) == metric_attributes
        (per_chunk,) = points["gen_ai.client.operation.time_per_output_chunk"]
        assert per_chunk.count == 6  # six text chunks, then the usage chunk
    else:
        assert "gen_ai.client.operation.time_to_first_chunk" not in points


STREAMED = {**START, "gen_ai.request.stream": True}


def streamed_attributes(span: Any) -> dict[str, Any]:
    ttfc = span.attributes["gen_ai.response.time_to_first_chunk"]
    assert isinstance(ttfc, float)
    assert 0 <= ttfc <= (span.end_time - span.start_time) / 1e9
    return {**STREAMED, **REPLIED, "gen_ai.response.time_to_first_chunk": ttfc}


# -- plain values and coroutines ----------------------------------------------------------------


def test_a_method_returning_a_value(instrumented, telemetry):
    client = fake_sdk.Client()
    reply = client.chat.create(model=MODEL, messages=MESSAGES)
    assert reply["text"] == REPLY
    span = only_span(telemetry)
    assert_span(span, {**START, **REPLIED})
    assert_sent_inside(span)
    assert_metrics(telemetry)


async def test_a_plain_def_returning_a_coroutine_is_awaited_inside_the_span(
    instrumented, telemetry
):
    """``AsyncChat.create`` is an ``async def`` under a plain ``def`` decorator: its shape reads
    as a value; the coroutine it returns is awaited inside the span."""
    client = fake_sdk.Client()
    pending = client.achat.create(model=MODEL, messages=MESSAGES)
    assert inspect.isawaitable(pending)
    assert fake_sdk.SENT == []  # nothing ran yet
    reply = await pending
    assert reply["text"] == REPLY
    span = only_span(telemetry)
    assert_span(span, {**START, **REPLIED})
    assert_sent_inside(span)
    assert trace.get_current_span() is trace.INVALID_SPAN


async def test_an_async_def_starts_its_span_when_awaited(instrumented, telemetry):
    client = fake_sdk.Client()
    pending = client.achat.create_native(model=MODEL, messages=MESSAGES)
    assert telemetry.spans() == []
    with telemetry.tracer_provider.get_tracer("app").start_as_current_span("app work") as parent:
        reply = await pending
    assert reply["text"] == REPLY
    spans = {s.name: s for s in telemetry.spans()}
    span = spans[f"chat {MODEL}"]
    assert span.parent.span_id == parent.get_span_context().span_id
    assert_sent_inside(span)


def test_shapes_are_read_from_the_original_functions():
    from opentelemetry.instrumentation.agentops.core._patch import shape_of

    assert shape_of(fake_sdk.Chat.create) is CallShape.VALUE
    assert shape_of(fake_sdk.AsyncChat.create) is CallShape.VALUE  # a plain def decorator
    assert shape_of(fake_sdk.AsyncChat.create_native) is CallShape.COROUTINE
    assert shape_of(fake_sdk.Chat.stream_lazy) is CallShape.GENERATOR
    assert shape_of(fake_sdk.AsyncChat.stream_agen) is CallShape.ASYNC_GENERATOR
    assert shape_of(fake_sdk.AsyncChat.chat_iter) is CallShape.COROUTINE


# -- streams ------------------------------------------------------------------------------------


def test_a_stream_object_keeps_its_type_and_protocols(instrumented, telemetry):
    client = fake_sdk.Client()
    stream = client.chat.create(model=MODEL, messages=MESSAGES, stream=True)
    assert isinstance(stream, fake_sdk.Stream)
    assert not hasattr(stream, "__aiter__")  # never offered a protocol the stream lacks
    with stream as entered:
        assert entered is stream
        text = "".join(chunk.get("text", "") for chunk in entered)
    assert text.strip() == REPLY
    span = only_span(telemetry)
    assert_span(span, streamed_attributes(span))
    assert_metrics(telemetry, streamed=True)


_PROTOCOLS = ("__iter__", "__aiter__", "__enter__", "__exit__", "__aenter__", "__aexit__")


def _protocols(stream: Any) -> set[str]:
    return {name for name in _PROTOCOLS if hasattr(stream, name)}


async def test_a_stream_proxy_offers_no_protocol_its_stream_lacks(instrumented, telemetry):
    client = fake_sdk.Client()
    streams = [
        client.chat.create(model=MODEL, messages=MESSAGES, stream=True),
        client.chat.stream_lazy(model=MODEL, messages=MESSAGES),
        client.chat.dual(model=MODEL, messages=MESSAGES),
        client.achat.stream_agen(model=MODEL, messages=MESSAGES),
        await client.achat.chat_iter(model=MODEL, messages=MESSAGES),
    ]
    for stream in streams:
        assert _protocols(stream) == _protocols(stream.__wrapped__), type(stream.__wrapped__)
    assert _protocols(streams[1]) == {"__iter__"}  # a generator: no ``with``
    for stream in streams[:3]:
        list(stream)
    for stream in streams[3:]:
        [chunk async for chunk in stream]
    assert len(telemetry.spans()) == len(streams)


# A generator function (Cohere's chat_stream), and a plain def returning a generator that has
# not started (Ollama's Client.chat(stream=True)): both send on the first read.
@pytest.mark.parametrize("method", ["stream_lazy", "stream_returned"])
def test_a_lazy_generator_sends_its_request_inside_the_span(instrumented, telemetry, method):
    client = fake_sdk.Client()
    stream = getattr(client.chat, method)(model=MODEL, messages=MESSAGES)
    assert inspect.isgenerator(stream)
    assert fake_sdk.SENT == []  # lazy: nothing sent until the first read
    assert telemetry.spans() == []
    chunks = list(stream)
    assert "".join(c.get("text", "") for c in chunks).strip() == REPLY
    span = only_span(telemetry)
    assert_span(span, streamed_attributes(span))
    assert_sent_inside(span)
    assert_metrics(telemetry, streamed=True)


async def test_an_async_generator_function_is_iterated_with_async_for(instrumented, telemetry):
    client = fake_sdk.Client()
    stream = client.achat.stream_agen(model=MODEL, messages=MESSAGES)
    assert inspect.isasyncgen(stream)  # not a coroutine: no TypeError in async for
    chunks = [chunk async for chunk in stream]
    assert "".join(c.get("text", "") for c in chunks).strip() == REPLY
    span = only_span(telemetry)
    assert_span(span, streamed_attributes(span))
    assert_sent_inside(span)


async def test_a_coroutine_returning_an_async_iterator(instrumented, telemetry):
    client = fake_sdk.Client()
    stream = await client.achat.chat_iter(model=MODEL, messages=MESSAGES)
    assert fake_sdk.SENT == []  # the async generator sends on its first read
    assert telemetry.spans() == []
    chunks = [chunk async for chunk in stream]
    assert "".join(c.get("text", "") for c in chunks).strip() == REPLY
    span = only_span(telemetry)
    assert_span(span, streamed_attributes(span))
    assert_sent_inside(span)


async def test_an_object_both_iterable_and_async_iterable_is_followed_either_way(
    instrumented, telemetry
):
    client = fake_sdk.Client()
    sync_stream = client.chat.dual(model=MODEL, messages=MESSAGES)
    async_stream = client.achat.dual(model=MODEL, messages=MESSAGES)
    for stream in (sync_stream, async_stream):
        assert isinstance(stream, fake_sdk.DualStream)
        assert hasattr(stream, "__iter__") and hasattr(stream, "__aiter__")
    sync_chunks = list(sync_stream)
    async_chunks = [chunk async for chunk in async_stream]
    assert sync_chunks == async_chunks
    spans = telemetry.spans()
    assert len(spans) == 2
    for span in spans:
        assert_span(span, streamed_attributes(span))


def test_a_stream_failing_mid_way_is_an_error(instrumented, telemetry):
    client = fake_sdk.Client()
    stream = client.chat.create(model=MODEL, messages=MESSAGES, stream=True)
    stream._fail_after = 2  # the SDK's own read fails (a reset connection)
    received = []
    with pytest.raises(fake_sdk.FakeError):
        for chunk in stream:
            received.append(chunk)
    assert len(received) == 2
    span = only_span(telemetry)
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["error.type"] == "fake_sdk.FakeError"


def test_an_exception_in_the_callers_code_inside_with_is_not_an_error(instrumented, telemetry):
    client = fake_sdk.Client()
    with (
        pytest.raises(ValueError),
        client.chat.create(model=MODEL, messages=MESSAGES, stream=True) as stream,
    ):
        for _ in stream:
            raise ValueError("the caller's own bug")
    span = only_span(telemetry)
    assert span.status.status_code is StatusCode.UNSET
    assert "error.type" not in span.attributes
    (duration,) = telemetry.metrics()["gen_ai.client.operation.duration"]
    assert "error.type" not in duration.attributes


def test_an_abandoned_stream_gets_an_estimate_marked_as_such(instrumented, telemetry):
    client = fake_sdk.Client()
    stream = client.chat.create(model=MODEL, messages=MESSAGES, stream=True)
    for chunk in stream:
        first = chunk
        break
    del stream, chunk
    gc.collect()
    span = only_span(telemetry)
    assert span.status.status_code is StatusCode.UNSET
    prompt = len("tell me a story")
    assert span.attributes["agentops.usage.estimated"] is True
    assert span.attributes["agentops.usage.estimated_input_tokens"] == -(-prompt // 4)
    assert span.attributes["agentops.usage.estimated_output_tokens"] == -(-len(first["text"]) // 4)
    assert "gen_ai.usage.input_tokens" not in span.attributes
    assert "gen_ai.client.token.usage" not in telemetry.metrics()  # estimates are not usage


# -- stream managers ----------------------------------------------------------------------------


def test_a_stream_manager_never_entered_opens_no_span(instrumented, telemetry):
    client = fake_sdk.Client()
    manager = client.chat.stream(model=MODEL, messages=MESSAGES)
    del manager
    gc.collect()
    assert telemetry.spans() == []
    assert fake_sdk.SENT == []


@pytest.mark.parametrize("helper", ["iterate", "text_stream", "get_final_message", "until_done"])
def test_every_stream_manager_helper_ends_the_span_once_with_usage(instrumented, telemetry, helper):
    client = fake_sdk.Client()
    with client.chat.stream(model=MODEL, messages=MESSAGES) as stream:
        assert isinstance(stream, fake_sdk.HelperStream)
        assert len(fake_sdk.SENT) == 1  # sent on enter, inside the span
        if helper == "iterate":
            text = "".join(chunk.get("text", "") for chunk in stream)
        elif helper == "text_stream":
            text = "".join(stream.text_stream)
        elif helper == "get_final_message":
            text = stream.get_final_message()["text"]
        else:
            stream.until_done()
            text = stream.get_final_message()["text"]
        assert text.strip() == REPLY
        span = only_span(telemetry)  # ended by the helper, before the block ends
    assert_span(span, streamed_attributes(span))
    assert_sent_inside(span)
    assert_metrics(telemetry, streamed=True)
    assert len(telemetry.spans()) == 1


@pytest.mark.parametrize("helper", ["iterate", "text_stream", "get_final_message", "until_done"])
async def test_every_async_stream_manager_helper_ends_the_span_once_with_usage(
    instrumented, telemetry, helper
):
    client = fake_sdk.Client()
    manager = client.achat.stream(model=MODEL, messages=MESSAGES)  # a plain def
    assert fake_sdk.SENT == []
    async with manager as stream:
        if helper == "iterate":
            text = "".join([chunk.get("text", "") async for chunk in stream])
        elif helper == "text_stream":
            text = "".join([piece async for piece in stream.text_stream])
        elif helper == "get_final_message":
            text = (await stream.get_final_message())["text"]
        else:
            await stream.until_done()
            text = (await stream.get_final_message())["text"]
        assert text.strip() == REPLY
    span = only_span(telemetry)
    assert_span(span, streamed_attributes(span))
    assert_sent_inside(span)


def test_a_stream_manager_left_early_ends_the_span_on_exit(instrumented, telemetry):
    client = fake_sdk.Client()
    with client.chat.stream(model=MODEL, messages=MESSAGES) as stream:
        next(iter(stream))
        assert telemetry.spans() == []
    span = only_span(telemetry)
    assert span.status.status_code is StatusCode.UNSET
    assert span.attributes["agentops.usage.estimated"] is True


# -- where the function is reached from --------------------------------------------------------


def test_a_module_function_bound_to_a_client_made_at_import(instrumented, telemetry):
    assert fake_sdk.chat(model=MODEL, messages=MESSAGES)["text"] == REPLY
    assert_span(only_span(telemetry), {**START, **REPLIED})


def test_a_function_imported_by_name_before_instrumenting(instrumented, telemetry):
    reply = completion_imported_by_name(model=MODEL, messages=MESSAGES)
    assert reply["text"] == REPLY
    # completion() calls Chat.create, traced too: the inner call joins the outer span.
    assert_span(only_span(telemetry), {**START, **REPLIED})


def test_a_method_rebound_on_the_instance_before_instrumenting(telemetry):
    client = fake_sdk.Client(rebind=True)  # built before instrument()
    instrumentor = FakeInstrumentor()
    instrumentor.instrument(tracer_provider=telemetry.tracer_provider)
    try:
        assert client.create(model=MODEL, messages=MESSAGES)["text"] == REPLY
    finally:
        instrumentor.uninstrument()
    assert_span(only_span(telemetry), {**START, **REPLIED})
    client.create(model=MODEL, messages=MESSAGES)  # uninstrumented again
    assert len(telemetry.spans()) == 1


def test_positional_arguments_are_bound_to_the_signature(instrumented, telemetry):
    client = fake_sdk.Client()
    client.chat.generate(MODEL, "hello there", 0.5)
    span = only_span(telemetry)
    assert span.attributes["gen_ai.request.model"] == MODEL
    assert span.attributes["gen_ai.request.temperature"] == 0.5


@pytest.mark.parametrize("capture", ["true", "false"])
def test_one_shot_iterables_are_sent_whole(telemetry, monkeypatch, capture):
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", capture)
    instrumentor = FakeInstrumentor()
    instrumentor.instrument(tracer_provider=telemetry.tracer_provider)
    try:
        fake_sdk.Client().chat.create(model=MODEL, messages=(m for m in MESSAGES))
    finally:
        instrumentor.uninstrument()
    assert fake_sdk.SENT[0].body["messages"] == MESSAGES
    span = only_span(telemetry)
    if capture == "true":
        assert "tell me a story" in span.attributes["gen_ai.input.messages"]


def test_raw_responses_are_recognised_by_shape(instrumented, telemetry):
    client = fake_sdk.Client()
    raw = client.chat.with_raw_response.create(model=MODEL, messages=MESSAGES)
    assert isinstance(raw, fake_sdk.RawResponse)
    assert isinstance(raw, DeferredResult)
    assert telemetry.spans() == []
    assert raw.parse()["text"] == REPLY
    assert_span(only_span(telemetry), {**START, **REPLIED})


# -- SDKs that trace themselves -----------------------------------------------------------------


def test_an_sdk_that_traces_itself_gives_one_genai_span(telemetry, monkeypatch):
    monkeypatch.delenv("FAKE_SDK_TRACING", raising=False)
    monkeypatch.setattr(trace, "_TRACER_PROVIDER", None)
    monkeypatch.setattr(trace, "_TRACER_PROVIDER_SET_ONCE", trace.Once())
    trace.set_tracer_provider(telemetry.tracer_provider)
    fake_sdk.TRACES_ITSELF["on"] = True
    client = fake_sdk.Client()

    client.chat.create(model=MODEL, messages=MESSAGES)  # uninstrumented: the SDK's own span
    assert [s.name for s in telemetry.spans()] == ["fake.sdk.request"]
    telemetry.span_exporter.clear()

    instrumentor = FakeInstrumentor()
    instrumentor.instrument()
    try:
        assert os.environ["FAKE_SDK_TRACING"] == "false"
        client.chat.create(model=MODEL, messages=MESSAGES)
        span = only_span(telemetry)  # ours alone
        assert span.name == f"chat {MODEL}"
        # The SDK's requests still carry our span's context.
        assert fake_sdk.SENT[-1].headers["traceparent"].split("-")[2] == (
            f"{span.context.span_id:016x}"
        )
    finally:
        instrumentor.uninstrument()
    assert "FAKE_SDK_TRACING" not in os.environ
    telemetry.span_exporter.clear()
    client.chat.create(model=MODEL, messages=MESSAGES)
    assert [s.name for s in telemetry.spans()] == ["fake.sdk.request"]


def test_an_sdk_tracing_to_the_global_provider_is_switched_off_there_too(telemetry, monkeypatch):
    # The SDK traces to the global provider; this instrumentation was given another one.
    monkeypatch.delenv("FAKE_SDK_TRACING", raising=False)
    global_exporter = global_tracer_provider(monkeypatch)
    fake_sdk.TRACES_ITSELF["on"] = True
    client = fake_sdk.Client()

    instrumentor = FakeInstrumentor()
    instrumentor.instrument(tracer_provider=telemetry.tracer_provider)
    try:
        client.chat.create(model=MODEL, messages=MESSAGES)
    finally:
        instrumentor.uninstrument()
    assert only_span(telemetry).name == f"chat {MODEL}"
    assert global_exporter.get_finished_spans() == ()
    client.chat.create(model=MODEL, messages=MESSAGES)
    assert [s.name for s in global_exporter.get_finished_spans()] == ["fake.sdk.request"]


# -- patching on import -------------------------------------------------------------------------


def test_instrumenting_does_not_import_the_sdk(telemetry, tmp_path, monkeypatch):
    source = Path(fake_sdk.__file__).read_text()
    (tmp_path / "late_sdk.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "late_sdk", raising=False)
    instrumentor = FakeInstrumentor(module="late_sdk")
    instrumentor.instrument(tracer_provider=telemetry.tracer_provider)
    try:
        assert "late_sdk" not in sys.modules
        import late_sdk

        late_sdk.Client().chat.create(model=MODEL, messages=MESSAGES)
        assert only_span(telemetry).name == f"chat {MODEL}"
    finally:
        instrumentor.uninstrument()
        sys.modules.pop("late_sdk", None)


def _namespace_package(root: Path, name: str, module: str | None) -> None:
    """A namespace package (no ``__init__.py``) holding a copy of the fake SDK as ``module``,
    or, with ``module`` None, only an unrelated subpackage: a layout the instrumentor does not
    know."""
    package = root / name
    (package / "other").mkdir(parents=True)
    (package / "other" / "__init__.py").write_text("")
    if module is not None:
        (package / f"{module}.py").write_text(Path(fake_sdk.__file__).read_text())


def test_a_namespace_package_imported_after_instrumenting_is_traced(
    telemetry, tmp_path, monkeypatch
):
    # wrapt's post-import hooks never run for a namespace package: the core watches it itself.
    _namespace_package(tmp_path, "late_ns", "sdk")
    monkeypatch.syspath_prepend(str(tmp_path))
    instrumentor = FakeInstrumentor(module="late_ns.sdk")
    instrumentor.instrument(tracer_provider=telemetry.tracer_provider)
    try:
        assert "late_ns" not in sys.modules
        from late_ns import sdk  # type: ignore[import-not-found]

        assert sdk.Client().chat.create(model=MODEL, messages=MESSAGES)["text"] == REPLY
        assert only_span(telemetry).name == f"chat {MODEL}"
        import late_ns  # type: ignore[import-not-found]

        assert isinstance(late_ns.__loader__, importlib.machinery.NamespaceLoader)
        assert list(late_ns.__path__) == [str(tmp_path / "late_ns")]
        assert late_ns.__file__ is None
    finally:
        instrumentor.uninstrument()
        for name in ("late_ns.sdk", "late_ns.other", "late_ns"):
            sys.modules.pop(name, None)


def test_a_namespace_package_of_an_unknown_layout_is_a_warning(
    telemetry, tmp_path, monkeypatch, caplog
):
    _namespace_package(tmp_path, "late_unknown", None)
    monkeypatch.syspath_prepend(str(tmp_path))
    instrumentor = FakeInstrumentor(module="late_unknown.sdk")
    instrumentor.instrument(tracer_provider=telemetry.tracer_provider)
    try:
        import late_unknown.other  # type: ignore[import-not-found]  # noqa: F401
    finally:
        instrumentor.uninstrument()
        for name in ("late_unknown.other", "late_unknown"):
            sys.modules.pop(name, None)
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == [
        "Instrumenting fake_sdk found none of the methods it knows in the installed version: "
        "its calls will not be traced."
    ]


# -- a change the server refuses ----------------------------------------------------------------


def test_a_refused_change_is_retried_as_the_caller_made_it(telemetry):
    instrumentor = FakeInstrumentor(alter=True)
    instrumentor.instrument(tracer_provider=telemetry.tracer_provider)
    try:
        reply = fake_sdk.Client().chat.create(model=MODEL, messages=MESSAGES, reject="extra")
    finally:
        instrumentor.uninstrument()
    assert reply["text"] == REPLY
    altered, retried = fake_sdk.SENT
    assert altered.body["extra"] is True
    assert "extra" not in retried.body
    span = only_span(telemetry)
    assert span.status.status_code is StatusCode.UNSET
    assert "error.type" not in span.attributes


# -- failures -----------------------------------------------------------------------------------


def test_the_clients_key_never_reaches_telemetry_whatever_its_shape(telemetry, caplog):
    key = "Zq8xV2pL0mN4bR7tY1cW"  # no sk-/Bearer look
    instrumentor = FakeInstrumentor()
    instrumentor.instrument(tracer_provider=telemetry.tracer_provider)
    try:
        client = fake_sdk.Client(api_key=key)
        with pytest.raises(fake_sdk.FakeError):
            client.chat.create(
                model=MODEL, messages=MESSAGES, fail=f"Incorrect API key provided: {key}"
            )
        with pytest.raises(fake_sdk.FakeError):
            client.chat.create(
                model=MODEL, messages=MESSAGES, fail=f"bad key {key[:6]}*****{key[-4:]}"
            )
    finally:
        instrumentor.uninstrument()
    for span in telemetry.spans():
        assert span.status.status_code is StatusCode.ERROR
        assert key not in span.status.description
        assert key[:6] not in span.status.description
        assert "[REDACTED]" in span.status.description
    assert all(key not in r.getMessage() for r in caplog.records)


_SUBMODULE_APP = r"""
import json, sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
import lazy_sdk  # the package; its API module is imported only on use
import fake_sdk
from fake_instrumentation import FakeInstrumentor

instrumentor = FakeInstrumentor("lazy_sdk.api")
instrumentor.instrument()
imported_by_instrument = "lazy_sdk.api" in sys.modules
traced_before_use = bool(getattr(fake_sdk.Chat.create, "_self_agentops_patch", False))
import lazy_sdk.api
traced_after_use = bool(getattr(fake_sdk.Chat.create, "_self_agentops_patch", False))
instrumentor.uninstrument()
restored = not getattr(fake_sdk.Chat.create, "_self_agentops_patch", False)
print(json.dumps([imported_by_instrument, traced_before_use, traced_after_use, restored]))
"""


def test_a_submodule_the_app_has_not_imported_is_patched_when_it_is(tmp_path):
    # SDKs that load an API module on first use (openai 2.x and later): instrumenting does
    # not import it, and it is traced from the moment the application does.
    package = tmp_path / "lazy_sdk"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "api.py").write_text("from fake_sdk import AsyncChat, Chat, completion\n")
    here = Path(__file__).parent
    done = subprocess.run(
        [sys.executable, "-c", _SUBMODULE_APP, str(tmp_path), str(here)],
        capture_output=True,
        text=True,
        check=True,
    )
    imported, before, after, restored = json.loads(done.stdout.strip().splitlines()[-1])
    assert imported is False
    assert before is False
    assert after is True
    assert restored is True
