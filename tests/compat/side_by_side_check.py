"""Run by the ``traceloop-side-by-side`` compatibility run (not collected by the main suite):
our OpenAI package installed beside Traceloop's, which owns ``opentelemetry/instrumentation/
openai/`` and the distribution name ``opentelemetry-instrumentation-openai``."""

from __future__ import annotations

import importlib.metadata

import openai
from opentelemetry.instrumentation.agentops.openai import OpenAIInstrumentor as Ours
from opentelemetry.instrumentation.openai import OpenAIInstrumentor as Theirs
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

OURS = ("agentops-instrumentation-openai", "agentops-instrumentation-core")
THEIRS = "opentelemetry-instrumentation-openai"


def _files(distribution: str) -> set[str]:
    found = importlib.metadata.files(distribution) or []
    return {str(path) for path in found if not str(path).endswith((".pyc", "RECORD"))}


def test_no_file_is_installed_by_both():
    theirs = _files(THEIRS)
    assert any(path.startswith("opentelemetry/instrumentation/openai/") for path in theirs)
    for distribution in OURS:
        ours = {path for path in _files(distribution) if ".dist-info/" not in path}
        assert ours.isdisjoint(theirs), ours & theirs


def test_both_import_and_both_trace(emulator):
    assert Ours is not Theirs
    assert Ours.__module__.startswith("opentelemetry.instrumentation.agentops.")
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    ours, theirs = Ours(), Theirs()
    ours.instrument(tracer_provider=provider)
    theirs.instrument(tracer_provider=provider)
    try:
        client = openai.OpenAI(api_key="sk-side-by-side", base_url=emulator.openai_base_url)
        client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hello"}]
        )
    finally:
        theirs.uninstrument()
        ours.uninstrument()
    scopes = sorted(span.instrumentation_scope.name for span in exporter.get_finished_spans())
    assert "opentelemetry.instrumentation.agentops.openai" in scopes
    assert any(scope.startswith("opentelemetry.instrumentation.openai") for scope in scopes), scopes
