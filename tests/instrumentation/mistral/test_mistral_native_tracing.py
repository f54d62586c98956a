"""mistralai traces itself (1.10 to 2.4 whenever a tracer provider exists; from 2.5 when
``MISTRAL_SDK_TELEMETRY`` asks for it): instrumented, every call still has one GenAI span, ours,
and the SDK's request carries its context."""

from __future__ import annotations

import os

import pytest
from conformance.expect import drain, global_tracer_provider, resolve
from mistral_expected import (
    EMBED_MODEL,
    FIM_MODEL,
    MODEL,
    NO_OPT_IN,
    OPTS_IN,
    SCOPE,
    TRACES_ITSELF,
    make_client,
    method,
    user,
)
from opentelemetry.instrumentation.agentops.mistral import (
    NATIVE_TRACER_SCOPE,
    TELEMETRY_ENV,
    MistralInstrumentor,
)

# ``opted-in``: MISTRAL_SDK_TELEMETRY=global, where the SDK has the switch (its spans then go to
# the global provider).
SETTINGS = [
    "default",
    pytest.param("opted-in", marks=pytest.mark.skipif(not OPTS_IN, reason=NO_OPT_IN)),
]


@pytest.fixture
def global_provider(monkeypatch):
    """The exporter of a global tracer provider of the test's own (the SDK traces there)."""
    return global_tracer_provider(monkeypatch)


@pytest.fixture(params=SETTINGS)
def setting(request, monkeypatch) -> str:
    if request.param == "opted-in":
        monkeypatch.setenv(TELEMETRY_ENV, "global")
    else:
        monkeypatch.delenv(TELEMETRY_ENV, raising=False)
    return request.param


async def _calls(client, asynchronous: bool) -> int:
    """One call of each kind; how many."""
    await resolve(method(client.chat, "complete", asynchronous)(model=MODEL, messages=user()))
    await drain(
        await resolve(method(client.chat, "stream", asynchronous)(model=MODEL, messages=user()))
    )
    await resolve(
        method(client.embeddings, "create", asynchronous)(model=EMBED_MODEL, inputs="a b")
    )
    await resolve(method(client.fim, "complete", asynchronous)(model=FIM_MODEL, prompt="def f("))
    return 4


def _by_scope(exporter) -> dict[str, list]:
    spans: dict[str, list] = {}
    for span in exporter.get_finished_spans():
        spans.setdefault(span.instrumentation_scope.name, []).append(span)
    return spans


async def test_one_genai_span_per_call(emulator, global_provider, setting, asynchronous):
    # Clients are made before instrumenting, as an application's usually are.
    client = make_client(emulator.mistral_server_url)
    calls = await _calls(client, asynchronous)
    native = _by_scope(global_provider).get(NATIVE_TRACER_SCOPE, [])
    assert len(native) == (calls if TRACES_ITSELF or setting == "opted-in" else 0)
    global_provider.clear()
    emulator.clear_requests()

    instrumentor = MistralInstrumentor()
    instrumentor.instrument()  # the global provider, as opentelemetry-instrument does
    try:
        if setting == "default":
            assert os.environ[TELEMETRY_ENV] == "false"
        await _calls(client, asynchronous)
        await _calls(make_client(emulator.mistral_server_url), asynchronous)
    finally:
        instrumentor.uninstrument()

    spans = _by_scope(global_provider)
    assert set(spans) == {SCOPE}
    assert [s.name for s in spans[SCOPE]] == 2 * [
        f"chat {MODEL}",
        f"chat {MODEL}",
        f"embeddings {EMBED_MODEL}",
        f"text_completion {FIM_MODEL}",
    ]
    # Where the SDK traced, its request still carries the context of our span.
    for sent, span in zip(emulator.requests, spans[SCOPE], strict=True):
        traceparent = sent.header("traceparent")
        if traceparent is not None:
            assert traceparent.split("-")[2] == f"{span.context.span_id:016x}"
    assert (TELEMETRY_ENV in os.environ) is (setting == "opted-in")


async def test_one_genai_span_with_a_provider_of_its_own(emulator, global_provider, telemetry):
    client = make_client(emulator.mistral_server_url)
    instrumentor = MistralInstrumentor()
    instrumentor.instrument(tracer_provider=telemetry.tracer_provider)
    try:
        calls = await _calls(client, asynchronous=False)
    finally:
        instrumentor.uninstrument()

    assert global_provider.get_finished_spans() == ()
    assert len(telemetry.spans()) == calls
    # Uninstrumented, the SDK's own spans are back where it traces.
    await _calls(client, asynchronous=False)
    assert len(global_provider.get_finished_spans()) == (calls if TRACES_ITSELF else 0)
