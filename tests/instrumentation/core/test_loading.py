"""An instrumentation that cannot do its job says so at warning level, and leaves nothing
half-patched behind."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from collections.abc import Collection, Iterable

import openai
from opentelemetry.instrumentation.agentops.core import GenAIInstrumentor, Patch
from opentelemetry.instrumentation.agentops.core.openai_compatible import ChatMapper

ORIGINAL_CREATE = openai.resources.embeddings.Embeddings.create
ORIGINAL_CODE = ORIGINAL_CREATE.__code__


class _Instrumentor(GenAIInstrumentor):
    scope_name = "tests.loading"
    scope_version = "0"
    sdk_name = "openai"

    def __init__(self, targets: list[tuple[str, str]], fail: bool = False) -> None:
        self._targets = targets
        self._fail = fail

    def instrumentation_dependencies(self) -> Collection[str]:
        return ()

    def patches(self) -> Iterable[Patch]:
        for module, target in self._targets:
            yield Patch(module, target, ChatMapper("openai", lambda r: None))
        if self._fail:
            raise RuntimeError("broken patch list")


def _warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def test_no_known_method_in_the_installed_sdk_is_a_warning(caplog):
    instrumentor = _Instrumentor([("openai.resources.embeddings", "Embeddings.no_such_method")])
    instrumentor._instrument()
    try:
        assert _warnings(caplog) == [
            "Instrumenting openai found none of the methods it knows in the installed "
            "version: its calls will not be traced."
        ]
    finally:
        instrumentor._uninstrument()


def test_a_failure_while_patching_is_a_warning_and_undoes_what_was_patched(caplog):
    instrumentor = _Instrumentor([("openai.resources.embeddings", "Embeddings.create")], fail=True)
    instrumentor._instrument()
    assert _warnings(caplog) == ["Could not instrument openai: its calls will not be traced."]
    assert openai.resources.embeddings.Embeddings.create is ORIGINAL_CREATE
    assert ORIGINAL_CREATE.__code__ is ORIGINAL_CODE


def test_an_incompatible_util_genai_is_a_warning_not_silence():
    # opentelemetry-instrument reports instrumentor import errors at debug level only; the
    # core's own warning is what tells the user nothing will be traced.
    script = textwrap.dedent(
        """
        import importlib.abc, logging, sys

        class Block(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name == "opentelemetry.util.genai.types":
                    raise ImportError("simulated incompatible opentelemetry-util-genai")
                return None

        sys.meta_path.insert(0, Block())
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
        try:
            import opentelemetry.instrumentation.agentops.openai
        except ImportError:
            print("import failed")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert "import failed" in result.stdout
    assert result.stderr.startswith("WARNING The GenAI instrumentation core cannot load")
    assert "(>=1.3b0,<1.4)" in result.stderr
