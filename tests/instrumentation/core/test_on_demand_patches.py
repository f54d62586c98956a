"""Patches of a submodule the SDK imports on demand (``Patch(on_demand=True)``): applied when
that submodule is imported, not when the SDK is, even with an unrelated namespace directory
of the submodule's last name on ``sys.path`` (tests/instrumentation/core is one)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

APP = textwrap.dedent(
    """
    import sys
    from collections.abc import Collection, Iterable
    from typing import ClassVar

    from fake_instrumentation import FakeMapper
    from opentelemetry.instrumentation.agentops.core import GenAIInstrumentor, Patch
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    class OnDemand(GenAIInstrumentor):
        scope_name: ClassVar[str] = "tests.on_demand"
        scope_version: ClassVar[str] = "0"
        sdk_name: ClassVar[str] = "heavy_sdk"

        def instrumentation_dependencies(self) -> Collection[str]:
            return ()

        def patches(self) -> Iterable[Patch]:
            yield Patch("heavy_sdk.core", "create", FakeMapper(), on_demand=True)

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    import heavy_sdk  # the SDK first, its heavy submodule not yet

    OnDemand().instrument(tracer_provider=provider)
    assert "heavy_sdk.core" not in sys.modules  # instrumenting did not import it
    heavy_sdk.load().create(model="fake-model")
    print([span.name for span in exporter.get_finished_spans()])
    """
)


def test_a_submodule_is_patched_when_it_is_imported(tmp_path: Path) -> None:
    sdk = tmp_path / "sdk" / "heavy_sdk"
    sdk.mkdir(parents=True)
    (sdk / "__init__.py").write_text(
        "def load():\n    import heavy_sdk.core\n    return heavy_sdk.core\n"
    )
    (sdk / "core.py").write_text("def create(*, model):\n    return {'model': model}\n")
    here = Path(__file__).resolve().parent
    app = tmp_path / "app.py"
    app.write_text(APP)
    # The namespace directory named "core" (this test's own directory) comes first.
    path = [str(here.parent), str(here), str(tmp_path / "sdk")]
    done = subprocess.run(
        [sys.executable, str(app)],
        env={"PYTHONPATH": ":".join(path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['chat fake-model']"


def test_a_submodule_is_never_taken_for_a_namespace_package(tmp_path: Path, monkeypatch) -> None:
    """Asked of ``pkg.core`` once ``pkg`` is imported, the path finder looks for ``core`` on
    ``sys.path``: an unrelated namespace directory of that name must not turn the hook into a
    namespace watch, which then missed the submodule's import (LiteLLM's Rust router core,
    with the suite's tests/instrumentation on the path)."""
    from opentelemetry.instrumentation.agentops.core import _import_hooks

    (tmp_path / "elsewhere" / "core").mkdir(parents=True)  # a namespace dir named "core"
    (tmp_path / "sdk" / "heavy_parent").mkdir(parents=True)
    (tmp_path / "sdk" / "heavy_parent" / "__init__.py").write_text("")
    (tmp_path / "sdk" / "heavy_parent" / "core.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path / "sdk"))
    monkeypatch.syspath_prepend(str(tmp_path / "elsewhere"))
    import heavy_parent

    seen: list[str] = []
    _import_hooks.when_imported("heavy_parent.core", lambda module: seen.append(module.__name__))
    assert "heavy_parent.core" not in _import_hooks._WATCH._hooks
    import heavy_parent.core  # noqa: F401

    assert seen == ["heavy_parent.core"]
    monkeypatch.delitem(sys.modules, "heavy_parent.core")
    monkeypatch.delitem(sys.modules, "heavy_parent")
