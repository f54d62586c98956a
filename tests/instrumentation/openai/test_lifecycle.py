"""Instrumenting and uninstrumenting, the entry point, suppression, and containment of the
instrumentation's own failures."""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect
import logging
import sys
import types

import openai
import pytest

pytest.register_assert_rewrite("expected")

from expected import (  # noqa: E402
    API_KEY,
    HAS_STREAM_OPTIONS,
    NO_STREAM_OPTIONS,
    SDK,
    assert_metrics,
    assert_span,
    base_attributes,
    chat_response_attributes,
    drain,
    dump,
    metric_attributes,
    only_span,
    resolve,
    uninstrumented,
)
from opentelemetry import trace  # noqa: E402
from opentelemetry.instrumentation.agentops.core import Patch  # noqa: E402
from opentelemetry.instrumentation.agentops.core import _guard as guard  # noqa: E402
from opentelemetry.instrumentation.agentops.core.openai_compatible import (  # noqa: E402
    ChatMapper,
    ChatStreamState,
)
from opentelemetry.instrumentation.agentops.core.openai_compatible import (  # noqa: E402
    _chat as chat_module,
)
from opentelemetry.instrumentation.agentops.openai import OpenAIInstrumentor  # noqa: E402
from opentelemetry.instrumentation.utils import suppress_instrumentation  # noqa: E402
from packaging.requirements import Requirement  # noqa: E402
from packaging.specifiers import SpecifierSet  # noqa: E402
from wrapt import FunctionWrapper  # noqa: E402

MODEL = "gpt-4o-mini"
USER = [{"role": "user", "content": "tell me a short story"}]
CORE_LOGGER = "opentelemetry.instrumentation.agentops.core"


@pytest.fixture(params=["sync", "async"])
def sdk(request):
    return request.getfixturevalue("client" if request.param == "sync" else "async_client")


def new_client(asynchronous: bool, emulator):
    cls = openai.AsyncOpenAI if asynchronous else openai.OpenAI
    return cls(api_key=API_KEY, base_url=emulator.openai_base_url, max_retries=0)


def instrument_with(telemetry, instrumentor=None):
    instrumentor = instrumentor or OpenAIInstrumentor()
    instrumentor.instrument(
        tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
    )
    return instrumentor


# --- patching and unpatching ---------------------------------------------------------------


def patch_targets():
    """(owner class, attribute, own __dict__ entry or None, resolved object, its code) of every
    patch the installed SDK has."""
    found = []
    for patch in OpenAIInstrumentor().patches():
        try:
            module = importlib.import_module(patch.module)
        except ImportError:
            continue
        owner_name, _, attribute = patch.target.rpartition(".")
        owner = getattr(module, owner_name, None)
        if owner is None or not hasattr(owner, attribute):
            continue
        resolved = getattr(owner, attribute)
        found.append((owner, attribute, vars(owner).get(attribute), resolved, resolved.__code__))
    return found


def test_uninstrument_restores_the_exact_originals(telemetry, emulator):
    """Each SDK function is traced in place (the same object, its code swapped), so every
    reference to it is traced; uninstrument puts its code, defaults and attributes back."""
    instrumentor = OpenAIInstrumentor()
    assert not instrumentor.is_instrumented_by_opentelemetry
    targets = patch_targets()
    names = {f"{owner.__module__}.{owner.__qualname__}.{attr}" for owner, attr, *_ in targets}
    # Present in every supported SDK version.
    for expected in (
        "Completions.create",
        "AsyncCompletions.create",
        "Embeddings.create",
        "AsyncEmbeddings.create",
    ):
        assert any(name.endswith(expected) for name in names), expected
    assert openai.resources.chat.completions.Completions.create in [t[3] for t in targets]
    signatures = {(o, a): inspect.signature(f) for o, a, _, f, _ in targets}
    coroutines = {(o, a): inspect.iscoroutinefunction(f) for o, a, _, f, _ in targets}
    defaults = {(o, a): (f.__defaults__, f.__kwdefaults__) for o, a, _, f, _ in targets}

    instrument_with(telemetry, instrumentor)
    try:
        for owner, attribute, _, original, code in targets:
            patched = getattr(owner, attribute)
            assert patched is original, (owner, attribute)
            assert patched.__code__ is not code, (owner, attribute)
            # What callers can see of the function is unchanged.
            assert inspect.signature(patched) == signatures[owner, attribute]
            assert inspect.iscoroutinefunction(patched) is coroutines[owner, attribute]
            assert patched.__name__ == attribute
        before = new_client(False, emulator)  # created while instrumented
        before.chat.completions.create(model=MODEL, messages=USER)
        assert len(telemetry.spans()) == 1
    finally:
        instrumentor.uninstrument()

    for owner, attribute, own, original, code in targets:
        assert getattr(owner, attribute) is original, (owner, attribute)
        assert original.__code__ is code, (owner, attribute)
        assert (original.__defaults__, original.__kwdefaults__) == defaults[owner, attribute]
        assert vars(owner).get(attribute) is own, (owner, attribute)


def test_inherited_method_is_inherited_again(monkeypatch, telemetry):
    """A target an SDK class inherits is wrapped on the subclass and removed from it again."""
    module = types.ModuleType("fake_openai_resource")

    class Base:
        def create(self, **kwargs):
            return {"id": "cmpl-1", "model": kwargs["model"], "choices": []}

    class Child(Base):
        pass

    module.Base, module.Child = Base, Child
    monkeypatch.setitem(sys.modules, module.__name__, module)

    class Probe(OpenAIInstrumentor):
        _instance = None  # its own singleton, not OpenAIInstrumentor's
        _is_instrumented_by_opentelemetry = False

        def patches(self):
            yield Patch(module.__name__, "Child.create", ChatMapper("openai", lambda r: None))

    original = Base.create
    probe = instrument_with(telemetry, Probe())
    try:
        assert "create" in vars(Child)
        assert Base.create is original
        assert Child().create(model="m") == {"id": "cmpl-1", "model": "m", "choices": []}
        span = only_span(telemetry)
        assert span.name == "chat m"
        assert dict(span.attributes) == {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": "openai",
            "gen_ai.request.model": "m",
            "gen_ai.response.model": "m",
            "gen_ai.response.id": "cmpl-1",
        }
    finally:
        probe.uninstrument()
    assert "create" not in vars(Child)
    assert Child.create is original


async def test_instrument_twice_does_not_double_wrap(sdk, telemetry, emulator, instrument):
    create = vars(openai.resources.chat.completions.Completions)["create"]
    traced_code = create.__code__
    instrument_with(telemetry, instrument)
    instrument_with(telemetry)  # a "new" instrumentor is the same singleton
    assert vars(openai.resources.chat.completions.Completions)["create"] is create
    assert create.__code__ is traced_code  # one layer of tracing, over the SDK's code
    assert not isinstance(create, FunctionWrapper)

    response = await resolve(sdk.chat.completions.create(model=MODEL, messages=USER))

    span = only_span(telemetry)
    expected = base_attributes(emulator, model=MODEL) | chat_response_attributes(response)
    assert_span(span, f"chat {MODEL}", expected)
    assert_metrics(
        telemetry,
        metric_attributes(expected),
        input_tokens=5,
        output_tokens=response.usage.completion_tokens,
        spans=[span],
    )


async def test_reinstrumenting_after_uninstrument_is_one_span(sdk, telemetry, instrument):
    for _ in range(2):
        with uninstrumented(instrument, telemetry):
            pass
    await resolve(sdk.chat.completions.create(model=MODEL, messages=USER))
    assert len(telemetry.spans()) == 1


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
async def test_client_created_before_instrument_is_traced(asynchronous, telemetry, emulator):
    client = new_client(asynchronous, emulator)
    resource = client.chat.completions  # resources are built lazily: build it now
    instrumentor = instrument_with(telemetry)
    try:
        response = await resolve(resource.create(model=MODEL, messages=USER))
    finally:
        instrumentor.uninstrument()

    span = only_span(telemetry)
    expected = base_attributes(emulator, model=MODEL) | chat_response_attributes(response)
    assert_span(span, f"chat {MODEL}", expected)


async def test_raw_response_read_before_instrument_is_traced(telemetry, emulator):
    client = new_client(False, emulator)
    raw_api = client.chat.completions.with_raw_response
    instrumentor = instrument_with(telemetry)
    try:
        raw_api.create(model=MODEL, messages=USER).parse()
    finally:
        instrumentor.uninstrument()
    assert len(telemetry.spans()) == 1


async def test_no_span_after_uninstrument_through_a_bound_method(telemetry, emulator):
    instrumentor = instrument_with(telemetry)
    # Made while instrumented: early SDKs bind with_raw_response when the client is built.
    client = new_client(False, emulator)
    try:
        bound = client.chat.completions.create
        raw_api = client.chat.completions.with_raw_response
        bound(model=MODEL, messages=USER)
        raw_api.create(model=MODEL, messages=USER).parse()
    finally:
        instrumentor.uninstrument()
    assert len(telemetry.spans()) == 2
    telemetry.span_exporter.clear()

    bound(model=MODEL, messages=USER)
    raw_api.create(model=MODEL, messages=USER).parse()
    assert telemetry.spans() == []


# --- packaging -----------------------------------------------------------------------------


def test_entry_point_loads_the_instrumentor():
    found = [
        ep
        for ep in importlib.metadata.entry_points(group="opentelemetry_instrumentor")
        if ep.name == "openai"
    ]
    assert len(found) == 1
    assert found[0].value == "opentelemetry.instrumentation.agentops.openai:OpenAIInstrumentor"
    assert found[0].load() is OpenAIInstrumentor


def test_instrumentation_dependencies_are_the_declared_range():
    dependencies = [Requirement(d) for d in OpenAIInstrumentor().instrumentation_dependencies()]
    declared = [
        Requirement(r)
        for r in importlib.metadata.requires("agentops-instrumentation-openai") or []
        if Requirement(r).marker is not None
        and Requirement(r).marker.evaluate({"extra": "instruments"})
    ]
    assert [(r.name, r.specifier) for r in dependencies] == [
        (r.name, r.specifier) for r in declared
    ]
    assert [(r.name, r.specifier) for r in dependencies] == [("openai", SpecifierSet(">=1.0.0,<4"))]
    assert openai.__version__ in dependencies[0].specifier
    assert OpenAIInstrumentor()._check_dependency_conflicts() is None


# --- suppression -------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
async def test_suppressed_calls_are_not_traced(sdk, telemetry, emulator, stream):
    with suppress_instrumentation():
        result = await resolve(
            sdk.chat.completions.create(model=MODEL, messages=USER, stream=stream)
        )
        if stream:
            result = await drain(result)
            assert all(type(c).__name__ == "ChatCompletionChunk" for c in result)

    assert telemetry.spans() == []
    assert not any(telemetry.metrics().values())
    (sent,) = emulator.requests
    assert "stream_options" not in sent.body  # the request is left untouched too

    await resolve(sdk.chat.completions.create(model=MODEL, messages=USER))
    assert len(telemetry.spans()) == 1  # only that block was suppressed


# --- failures inside the instrumentation ----------------------------------------------------


def boom(*args, **kwargs):
    raise RuntimeError("mapper exploded")


def instrumentation_logs(caplog):
    records = [r for r in caplog.records if r.name == CORE_LOGGER]
    warnings = [r for r in records if r.levelno == logging.WARNING]
    debugs = [r for r in records if r.levelno == logging.DEBUG]
    assert len(warnings) + len(debugs) == len(records)
    for record in debugs:
        assert record.exc_info is not None
        assert isinstance(record.exc_info[1], RuntimeError)
        assert str(record.exc_info[1]) == "mapper exploded"
        assert "mapper exploded" in logging.Formatter().formatException(record.exc_info)
    return warnings, debugs


@pytest.fixture
def fresh_guard(monkeypatch, caplog):
    """The guard warns once per place per process: start from a clean slate."""
    monkeypatch.setattr(guard, "_warned", set())
    caplog.set_level(logging.DEBUG, logger=CORE_LOGGER)


@pytest.mark.parametrize("target", ["ChatMapper.response", "usage_of"])
async def test_response_mapping_error_keeps_the_result(
    sdk, telemetry, emulator, instrument, caplog, monkeypatch, fresh_guard, target
):
    with uninstrumented(instrument, telemetry):
        baseline = await resolve(sdk.chat.completions.create(model=MODEL, messages=USER))
    if target == "usage_of":
        monkeypatch.setattr(chat_module, "usage_of", boom)
    else:
        monkeypatch.setattr(ChatMapper, "response", boom)

    results = [
        await resolve(sdk.chat.completions.create(model=MODEL, messages=USER)) for _ in range(2)
    ]

    for result in results:
        assert type(result) is type(baseline)
        assert result.model_dump() == baseline.model_dump()
    spans = telemetry.spans()
    assert len(spans) == 2
    for span in spans:  # ended, with what was known before the response
        assert_span(span, f"chat {MODEL}", base_attributes(emulator, model=MODEL))
    assert_metrics(
        telemetry, metric_attributes(base_attributes(emulator, model=MODEL)), calls=2, spans=spans
    )
    warnings, debugs = instrumentation_logs(caplog)
    assert len(warnings) == 1
    assert "ChatMapper result" in warnings[0].getMessage()
    assert len(debugs) == 2


async def test_request_mapping_error_leaves_the_call_untraced(
    sdk, telemetry, emulator, caplog, monkeypatch, fresh_guard
):
    monkeypatch.setattr(ChatMapper, "request", boom)

    results = [
        await resolve(sdk.chat.completions.create(model=MODEL, messages=USER)) for _ in range(2)
    ]

    assert [r.choices[0].message.content for r in results] == [
        "Emulated reply to: tell me a short story"
    ] * 2
    assert telemetry.spans() == []
    assert not any(telemetry.metrics().values())
    warnings, debugs = instrumentation_logs(caplog)
    assert len(warnings) == 1
    assert "ChatMapper.request" in warnings[0].getMessage()
    assert len(debugs) == 2


async def stream_chunks(sdk, **kwargs):
    return await drain(
        await resolve(
            sdk.chat.completions.create(model=MODEL, messages=USER, stream=True, **kwargs)
        )
    )


async def test_stream_usage_error_delivers_the_chunks_unchanged(
    sdk, telemetry, emulator, instrument, caplog, monkeypatch, fresh_guard
):
    """Reading the usage of the chunk the instrumentation asked for fails: that chunk stays
    hidden all the same, and every other chunk reaches the caller as it would uninstrumented."""
    with uninstrumented(instrument, telemetry):
        baseline = await stream_chunks(sdk)
    monkeypatch.setattr(chat_module, "usage_of", boom)

    chunks = await stream_chunks(sdk)

    assert [dump(c, "id") for c in chunks] == [dump(c, "id") for c in baseline]
    span = only_span(telemetry)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text.startswith("Emulated reply to:")
    expected = base_attributes(emulator, model=MODEL) | {
        "gen_ai.request.stream": True,
        "gen_ai.response.model": chunks[0].model,
        "gen_ai.response.id": chunks[0].id,
        "gen_ai.response.finish_reasons": ("stop",),
        "openai.response.system_fingerprint": chunks[0].system_fingerprint,
        "openai.response.service_tier": chunks[0].service_tier,
        "agentops.stream.usage_requested": True,
        "gen_ai.response.time_to_first_chunk": span.attributes.get(
            "gen_ai.response.time_to_first_chunk"
        ),
    }
    assert_span(span, f"chat {MODEL}", expected)
    assert_metrics(telemetry, metric_attributes(expected), spans=[span], streamed=True)
    warnings, debugs = instrumentation_logs(caplog)
    assert len(warnings) == 1
    assert len(debugs) == 1


def usage_asked_by_caller():
    if HAS_STREAM_OPTIONS:
        return {"stream_options": {"include_usage": True}}
    return {"extra_body": {"stream_options": {"include_usage": True}}}


@pytest.mark.parametrize(
    "who_asks_usage",
    [
        "caller",
        pytest.param(
            "instrumentation",
            marks=pytest.mark.xfail(
                "usage" not in openai.types.chat.ChatCompletionChunk.model_fields,
                strict=True,
                reason=f"{SDK}: with the accumulator broken on every chunk, the null usage the "
                "server adds once usage is asked for stays on chunks as a pydantic extra",
            ),
        ),
    ],
)
async def test_stream_accumulator_error_delivers_the_chunks_unchanged(
    sdk, telemetry, emulator, instrument, caplog, monkeypatch, fresh_guard, who_asks_usage
):
    kwargs = usage_asked_by_caller() if who_asks_usage == "caller" else {}
    with uninstrumented(instrument, telemetry):
        baseline = await stream_chunks(sdk, **kwargs)
    monkeypatch.setattr(ChatStreamState, "add", boom)

    chunks = await stream_chunks(sdk, **kwargs)

    assert [dump(c, "id") for c in chunks] == [dump(c, "id") for c in baseline]
    span = only_span(telemetry)  # ended at the end of the stream
    expected = base_attributes(emulator, model=MODEL) | {
        "gen_ai.request.stream": True,
        "gen_ai.response.time_to_first_chunk": span.attributes.get(
            "gen_ai.response.time_to_first_chunk"
        ),
    }
    if who_asks_usage == "instrumentation":
        expected["agentops.stream.usage_requested"] = True
    assert_span(span, f"chat {MODEL}", expected)
    assert_metrics(telemetry, metric_attributes(expected), spans=[span], streamed=True)
    warnings, debugs = instrumentation_logs(caplog)
    assert len(warnings) == 1
    # One per chunk read, including the hidden usage-only chunk when we asked for it.
    hidden = 1 if who_asks_usage == "instrumentation" else 0
    assert len(debugs) == len(chunks) + hidden


@pytest.mark.skipif(not HAS_STREAM_OPTIONS, reason=NO_STREAM_OPTIONS)
async def test_caller_stream_options_are_not_mutated(sdk, emulator):
    options = {"include_usage": False}
    extra_body = {"user_tag": "x"}
    await stream_chunks(sdk, stream_options=options, extra_body=extra_body)
    assert options == {"include_usage": False}
    assert extra_body == {"user_tag": "x"}
    (sent,) = emulator.requests
    assert sent.body["stream_options"] == {"include_usage": False}
    assert sent.body["user_tag"] == "x"


# --- context -------------------------------------------------------------------------------


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
async def test_caller_context_after_a_plain_call(asynchronous, telemetry, emulator, instrument):
    client = new_client(asynchronous, emulator)
    await resolve(client.chat.completions.create(model=MODEL, messages=USER))
    assert trace.get_current_span() is trace.INVALID_SPAN


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
async def test_raw_response_does_not_leak_the_span_context(
    asynchronous, telemetry, emulator, instrument
):
    client = new_client(asynchronous, emulator)
    tracer = telemetry.tracer_provider.get_tracer("app")
    raw = await resolve(
        client.chat.completions.with_raw_response.create(model=MODEL, messages=USER)
    )
    try:
        assert trace.get_current_span() is trace.INVALID_SPAN
        with tracer.start_as_current_span("caller work"):
            pass
    finally:
        await resolve(raw.parse())
    assert trace.get_current_span() is trace.INVALID_SPAN
    work, llm = telemetry.spans()
    assert (work.name, llm.name) == ("caller work", f"chat {MODEL}")
    assert work.parent is None


# --- start-up ------------------------------------------------------------------------------

_LAZY_RESOURCES = r"""
import json, sys
import openai
from opentelemetry.instrumentation.agentops.openai import OpenAIInstrumentor

def loaded():
    return sorted(m for m in sys.modules if m.startswith("openai.resources."))

before = loaded()
OpenAIInstrumentor().instrument()
after_instrument = loaded()
client = openai.OpenAI(api_key="sk-test-0000000000000000", base_url="http://127.0.0.1:9/v1")
chat_traced = getattr(type(client.chat.completions).create, "_self_agentops_patch", False)
responses_before_use = "openai.resources.responses.responses" in sys.modules
responses = getattr(client, "responses", None)
responses_traced = (
    None if responses is None else getattr(type(responses).create, "_self_agentops_patch", False)
)
print(json.dumps({
    "before": before, "after_instrument": after_instrument, "chat_traced": chat_traced,
    "responses_before_use": responses_before_use, "responses_traced": responses_traced,
}))
"""


def test_api_modules_the_app_never_uses_are_not_imported_but_traced_once_used():
    import json
    import subprocess

    done = subprocess.run(
        [sys.executable, "-c", _LAZY_RESOURCES], capture_output=True, text=True, check=True
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["responses_traced"] is None:
        pytest.skip(f"{SDK} has no Responses API (openai.resources.responses)")
    if "openai.resources.responses.responses" in result["before"]:
        pytest.skip(f"{SDK} imports its resource modules with the package")
    # Instrumenting imports only the (empty) parent packages of the modules it patches.
    added = set(result["after_instrument"]) - set(result["before"])
    assert added <= {"openai.resources.beta", "openai.resources.chat"}, added
    assert result["chat_traced"] is True
    assert result["responses_before_use"] is False
    assert result["responses_traced"] is True
