"""Contract tests against the installed SDK: the private names the package relies on
(``_compat``), the methods it patches for this SDK version, its entry point and its range."""

from __future__ import annotations

import importlib
import importlib.metadata

import anthropic
import pytest
from anthropic_expected import HAS_NATIVE_TRACING, SDK, make_client
from opentelemetry.instrumentation.agentops.anthropic import AnthropicInstrumentor
from opentelemetry.instrumentation.agentops.anthropic._compat import (
    NATIVE_SCOPES,
    NATIVE_TRACING_ENV,
    client_of,
)

# Every model call of every supported layout: (module, class, method).
TRACED = [
    (module, cls, method)
    for module in (
        "anthropic.resources.messages",
        "anthropic.resources.beta.messages",
        "anthropic.resources.beta.prompt_caching.messages",
    )
    for cls in ("Messages", "AsyncMessages")
    for method in ("create", "parse", "stream")
] + [
    ("anthropic.resources.completions", cls, "create")
    for cls in ("Completions", "AsyncCompletions")
]


def installed_targets() -> list[object]:
    """The functions of ``TRACED`` this SDK version has."""
    found = []
    for module_name, cls, method in TRACED:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        function = getattr(getattr(module, cls, None), method, None)
        if function is not None:
            found.append(function)
    return found


def test_a_resource_holds_its_client(emulator):
    for asynchronous in (False, True):
        client = make_client(emulator, asynchronous)
        assert client_of(client.messages) is client
        beta = getattr(client, "beta", None)
        if beta is not None and hasattr(beta, "messages"):
            assert client_of(beta.messages) is client


def test_every_model_call_of_this_sdk_is_patched_and_restored(telemetry):
    targets = installed_targets()
    assert len(targets) >= 4  # create and stream, sync and async, in every supported version
    codes = [function.__code__ for function in targets]
    counting = [
        owner.count_tokens.__code__
        for owner in (
            anthropic.resources.messages.Messages,
            anthropic.resources.messages.AsyncMessages,
        )
        if hasattr(owner, "count_tokens")
    ]
    instrumentor = AnthropicInstrumentor()
    instrumentor.instrument(tracer_provider=telemetry.tracer_provider)
    try:
        # Traced in place: the same function objects, running the core's trampoline.
        assert [f.__code__ is code for f, code in zip(targets, codes, strict=True)] == [
            False
        ] * len(targets)
        # count_tokens is not a model call: left as it is.
        assert [
            owner.count_tokens.__code__
            for owner in (
                anthropic.resources.messages.Messages,
                anthropic.resources.messages.AsyncMessages,
            )
            if hasattr(owner, "count_tokens")
        ] == counting
    finally:
        instrumentor.uninstrument()
    assert [f.__code__ for f in targets] == codes


@pytest.mark.skipif(not HAS_NATIVE_TRACING, reason=f"{SDK} has no tracing of its own")
def test_the_sdks_own_tracer_scopes_and_switch(monkeypatch):
    tracing = importlib.import_module("anthropic._tracing")
    assert NATIVE_SCOPES[0] == tracing.INSTRUMENTATION_SCOPE
    platforms = {
        getattr(getattr(anthropic, name), "_otel_platform", None)
        for name in dir(anthropic)
        if name.startswith(("Anthropic", "AsyncAnthropic"))
    } - {None}
    assert platforms  # the platform clients trace under their own scopes
    assert {f"{tracing.INSTRUMENTATION_SCOPE}.{p}" for p in platforms} <= set(NATIVE_SCOPES)
    for name, value in NATIVE_TRACING_ENV.items():
        monkeypatch.setenv(name, value)
    # What a client built now resolves its option to.
    assert tracing.resolve_open_telemetry(None)["traces"]["enabled"] is False


def test_entry_point_loads_the_instrumentor():
    (entry_point,) = importlib.metadata.entry_points(
        group="opentelemetry_instrumentor", name="anthropic"
    )
    assert entry_point.load() is AnthropicInstrumentor


def test_instrumentation_dependencies_are_the_registry_range():
    assert tuple(AnthropicInstrumentor().instrumentation_dependencies()) == (
        "anthropic >=0.32.0,<3",
    )
