"""Module layouts: both are listed, the installed one is traced even when the application
imports it after instrumenting (a namespace package from 2.0 on), and a layout the package does
not know is a warning, never silence."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import textwrap

import pytest
from mistral_expected import EMBED_MODEL, FIM_MODEL, LAYOUT, MODEL, SCOPE, SDK_VERSION
from opentelemetry.instrumentation.agentops.mistral import LAYOUTS, MistralInstrumentor

RESOURCES = {"chat": "Chat", "fim": "Fim", "embeddings": "Embeddings"}
NOT_FOUND = (
    "Instrumenting mistralai found none of the methods it knows in the installed version: "
    "its calls will not be traced."
)


def test_every_layout_lists_every_method():
    patches = list(MistralInstrumentor().patches())
    assert LAYOUTS == ("mistralai", "mistralai.client")
    for layout in LAYOUTS:
        targets = {(p.module, p.target) for p in patches if p.module.rpartition(".")[0] == layout}
        expected = set()
        for module, cls in RESOURCES.items():
            methods = {
                "chat": ("complete", "stream", "parse", "parse_stream"),
                "fim": ("complete", "stream"),
                "embeddings": ("create",),
            }[module]
            for name in methods:
                for suffix in ("", "_async"):
                    expected.add((f"{layout}.{module}", f"{cls}.{name}{suffix}"))
        assert targets == expected, layout
    assert LAYOUT in LAYOUTS  # the installed SDK's layout is a known one


def _fake_sdk(root, namespace: bool) -> None:
    """A ``mistralai`` of a layout nobody knows: its client lives in ``mistralai/v9/``."""
    package = root / "mistralai"
    (package / "v9").mkdir(parents=True)
    if not namespace:
        (package / "__init__.py").write_text("")
    (package / "v9" / "__init__.py").write_text(
        "class Chat:\n    def complete(self, **kwargs):\n        return 'sent'\n"
    )


@pytest.mark.parametrize("namespace", [False, True], ids=["package", "namespace-package"])
def test_an_unknown_layout_is_a_warning(tmp_path, monkeypatch, caplog, telemetry, namespace):
    _fake_sdk(tmp_path, namespace)
    # Only the fake is importable, and the real SDK is not imported, while this runs.
    for name in [n for n in sys.modules if n == "mistralai" or n.startswith("mistralai.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "path", [str(tmp_path)])

    class Fresh(MistralInstrumentor):  # a singleton of its own: nothing hooked before
        _instance = None

    instrumentor = Fresh()
    caplog.set_level(logging.WARNING)
    # The distribution is installed, but sys.path hides it from the dependency check.
    instrumentor.instrument(tracer_provider=telemetry.tracer_provider, skip_dep_check=True)
    try:
        assert caplog.records == []  # nothing to say until the application imports it
        from mistralai.v9 import Chat  # type: ignore[import-not-found]

        assert Chat().complete(model=MODEL) == "sent"
    finally:
        instrumentor.uninstrument()
        for name in ("mistralai.v9", "mistralai"):
            sys.modules.pop(name, None)
    assert [r.getMessage() for r in caplog.records] == [NOT_FOUND]
    assert telemetry.spans() == []


_IMPORTED_AFTER = textwrap.dedent(
    """
    import json, sys
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from opentelemetry.instrumentation.agentops.mistral import MistralInstrumentor

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    MistralInstrumentor().instrument(tracer_provider=provider)
    assert "mistralai" not in sys.modules

    try:
        from mistralai.client import Mistral
    except ImportError:
        from mistralai import Mistral

    server, model, fim_model, embed_model = sys.argv[1:]
    client = Mistral(api_key="key-imported-after", server_url=server)
    messages = [{"role": "user", "content": "hello"}]
    client.chat.complete(model=model, messages=messages)
    list(client.chat.stream(model=model, messages=messages))
    client.fim.complete(model=fim_model, prompt="def f(")
    client.embeddings.create(model=embed_model, inputs=["hello"])
    spans = exporter.get_finished_spans()
    print(json.dumps([[s.name, s.instrumentation_scope.name] for s in spans]))
    """
)


def test_the_sdk_imported_after_instrumenting_is_traced(emulator):
    # What opentelemetry-instrument does; from mistralai 2.0 on, wrapt alone never sees the
    # (namespace) package load.
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            _IMPORTED_AFTER,
            emulator.mistral_server_url,
            MODEL,
            FIM_MODEL,
            EMBED_MODEL,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    assert json.loads(result.stdout) == [
        [f"chat {MODEL}", SCOPE],
        [f"chat {MODEL}", SCOPE],
        [f"text_completion {FIM_MODEL}", SCOPE],
        [f"embeddings {EMBED_MODEL}", SCOPE],
    ], f"mistralai {SDK_VERSION}"
