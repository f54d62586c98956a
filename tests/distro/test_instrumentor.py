"""AgentOpsInstrumentor and the provider registry, in process, against the emulator."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest
from agentops import providers as registry
from agentops.instrumentor import AgentOpsInstrumentor
from agentops.providers import PROVIDERS, Provider, load_instrumentor
from opentelemetry.instrumentation.agentops.openai import OpenAIInstrumentor
from test_client_helpers import ready_providers

MESSAGES = [{"role": "user", "content": "Hello from the instrumentor test"}]
# The providers whose package and SDK are both installed here, in the registry's order.
INSTALLED = ready_providers()


@pytest.fixture
def agentops_instrumentor(monkeypatch: pytest.MonkeyPatch) -> Iterator[AgentOpsInstrumentor]:
    monkeypatch.delenv("OTEL_PYTHON_DISABLED_INSTRUMENTATIONS", raising=False)
    instrumentor = AgentOpsInstrumentor()
    yield instrumentor
    if instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.uninstrument()
    openai_instrumentor = OpenAIInstrumentor()
    if openai_instrumentor.is_instrumented_by_opentelemetry:
        openai_instrumentor.uninstrument()


@pytest.fixture
def client(emulator) -> openai.OpenAI:
    return openai.OpenAI(api_key="sk-test", base_url=emulator.openai_base_url, max_retries=0)


def chat(client: openai.OpenAI) -> None:
    client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)


def test_instruments_installed_providers_once(agentops_instrumentor, telemetry, client, caplog):
    caplog.set_level(logging.DEBUG)
    providers = {"tracer_provider": telemetry.tracer_provider}
    agentops_instrumentor.instrument(**providers, meter_provider=telemetry.meter_provider)
    agentops_instrumentor.instrument(**providers)  # a repeat does nothing

    assert "openai" in INSTALLED
    assert agentops_instrumentor.instrumented_providers() == INSTALLED
    assert OpenAIInstrumentor().is_instrumented_by_opentelemetry
    chat(client)
    (span,) = telemetry.spans()  # wrapped once, not twice
    assert span.name == "chat gpt-4o-mini"
    assert "gen_ai.client.operation.duration" in telemetry.metrics()
    # Absent packages are not worth a warning; a repeated instrument() is not either.
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_uninstrument_reverses_it(agentops_instrumentor, telemetry, client):
    create = openai.resources.chat.completions.Completions.create
    code = create.__code__
    agentops_instrumentor.instrument(tracer_provider=telemetry.tracer_provider)
    # Traced in place: the same function object, running the core's trampoline.
    assert openai.resources.chat.completions.Completions.create is create
    assert create.__code__ is not code

    agentops_instrumentor.uninstrument()
    assert openai.resources.chat.completions.Completions.create is create
    assert create.__code__ is code
    assert not OpenAIInstrumentor().is_instrumented_by_opentelemetry
    assert agentops_instrumentor.instrumented_providers() == ()
    chat(client)
    assert telemetry.spans() == []

    agentops_instrumentor.instrument(tracer_provider=telemetry.tracer_provider)
    chat(client)
    assert len(telemetry.spans()) == 1


@pytest.mark.parametrize("disabled", ["openai", " anthropic , openai", "*"])
def test_disabled_instrumentations_are_skipped(
    agentops_instrumentor, telemetry, client, monkeypatch, disabled
):
    monkeypatch.setenv("OTEL_PYTHON_DISABLED_INSTRUMENTATIONS", disabled)
    agentops_instrumentor.instrument(tracer_provider=telemetry.tracer_provider)

    off = {name.strip() for name in disabled.split(",")}
    expected = () if "*" in off else tuple(p for p in INSTALLED if p not in off)
    assert agentops_instrumentor.instrumented_providers() == expected
    chat(client)
    assert telemetry.spans() == []


def test_a_provider_selection(agentops_instrumentor, telemetry):
    agentops_instrumentor.instrument(tracer_provider=telemetry.tracer_provider, providers="openai")
    assert agentops_instrumentor.instrumented_providers() == ("openai",)


def test_only_the_selected_providers(agentops_instrumentor, telemetry):
    others = [name for name in INSTALLED if name != "openai"]
    if not others:
        pytest.skip("no provider package but OpenAI's is installed here")
    selected = others[0]
    agentops_instrumentor.instrument(
        tracer_provider=telemetry.tracer_provider, providers=[selected]
    )
    assert agentops_instrumentor.instrumented_providers() == (selected,)
    assert not OpenAIInstrumentor().is_instrumented_by_opentelemetry
    agentops_instrumentor.uninstrument()
    # A selected provider whose package is not installed is skipped.
    absent = [p.name for p in PROVIDERS if p.name not in INSTALLED]
    if absent:
        agentops_instrumentor.instrument(
            tracer_provider=telemetry.tracer_provider, providers=absent[:1]
        )
        assert agentops_instrumentor.instrumented_providers() == ()


def test_an_unknown_provider_is_an_error(agentops_instrumentor):
    with pytest.raises(ValueError, match=r"'opneai'.*known providers: openai, anthropic"):
        agentops_instrumentor.instrument(providers=["opneai"])
    assert not agentops_instrumentor.is_instrumented_by_opentelemetry


def test_sdk_instrumented_elsewhere_is_left_alone(agentops_instrumentor, telemetry, client):
    OpenAIInstrumentor().instrument(tracer_provider=telemetry.tracer_provider)
    agentops_instrumentor.instrument()
    assert agentops_instrumentor.instrumented_providers() == tuple(
        p for p in INSTALLED if p != "openai"
    )

    agentops_instrumentor.uninstrument()
    assert OpenAIInstrumentor().is_instrumented_by_opentelemetry
    chat(client)
    assert len(telemetry.spans()) == 1


def test_registry_lists_every_planned_provider():
    assert [p.name for p in PROVIDERS] == [
        "openai",
        "anthropic",
        "cohere",
        "mistral",
        "ai21",
        "groq",
        "ollama",
        "litellm",
    ]
    openai_entry = registry.get_provider("openai")
    assert openai_entry is not None
    assert (
        openai_entry.instrumentor
        == "opentelemetry.instrumentation.agentops.openai:OpenAIInstrumentor"
    )
    assert openai_entry.sdk == "openai"
    assert load_instrumentor(openai_entry) is OpenAIInstrumentor
    assert all(p.module == f"opentelemetry.instrumentation.agentops.{p.name}" for p in PROVIDERS)


@pytest.fixture
def fake_modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A sys.path entry for instrumentation modules written by the test."""
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [m for m in sys.modules if m.startswith("agentops_test_")]:
        del sys.modules[name]


def test_missing_package_is_a_debug_line(caplog):
    caplog.set_level(logging.DEBUG, logger="agentops")
    absent = Provider("absent", "agentops_test_absent:Instrumentor", "pytest", "absent-pkg")
    assert load_instrumentor(absent) is None
    assert [r.levelname for r in caplog.records] == ["DEBUG"]
    assert "absent-pkg is not installed" in caplog.text


def test_broken_package_is_a_warning_with_the_reason(fake_modules, caplog):
    (fake_modules / "agentops_test_broken.py").write_text(
        "raise ImportError('opentelemetry-util-genai is too old')\n"
    )
    broken = Provider("broken", "agentops_test_broken:Instrumentor", "pytest", "broken-pkg")
    assert load_instrumentor(broken) is None
    (record,) = caplog.records
    assert record.levelname == "WARNING"
    assert "broken-pkg is installed but cannot be loaded" in record.message
    assert "ImportError: opentelemetry-util-genai is too old" in record.message


def test_a_foreign_instrumentation_is_left_alone(fake_modules, caplog):
    caplog.set_level(logging.INFO)
    (fake_modules / "agentops_test_foreign.py").write_text(
        "from opentelemetry.instrumentation.instrumentor import BaseInstrumentor\n"
        "class Instrumentor(BaseInstrumentor):\n"
        "    def instrumentation_dependencies(self): return ()\n"
        "    def _uninstrument(self, **kwargs): pass\n"
    )
    foreign = Provider("foreign", "agentops_test_foreign:Instrumentor", "pytest", "foreign-pkg")
    assert load_instrumentor(foreign) is None
    assert "is not an AgentOps instrumentation" in caplog.text


def test_a_broken_provider_does_not_stop_the_others(
    agentops_instrumentor, telemetry, fake_modules, monkeypatch, caplog
):
    (fake_modules / "agentops_test_broken.py").write_text("import agentops_test_missing_dep\n")
    broken = Provider("broken", "agentops_test_broken:Instrumentor", "pytest", "broken-pkg")
    monkeypatch.setattr(registry, "PROVIDERS", (broken, *PROVIDERS))
    monkeypatch.setattr("agentops.instrumentor.PROVIDERS", (broken, *PROVIDERS))

    agentops_instrumentor.instrument(tracer_provider=telemetry.tracer_provider)

    assert agentops_instrumentor.instrumented_providers() == INSTALLED
    (warning,) = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "No module named 'agentops_test_missing_dep'" in warning.message


def test_instrumenting_imports_no_provider_sdk():
    """Instrumenting every provider package installed imports none of their SDKs."""
    script = textwrap.dedent(
        """
        import sys
        from agentops import AgentOpsInstrumentor
        from opentelemetry.sdk.trace import TracerProvider
        AgentOpsInstrumentor().instrument(tracer_provider=TracerProvider())
        sdks = ["openai", "anthropic", "cohere", "mistralai", "ai21", "groq", "ollama",
                "litellm"]
        print(sorted(name for name in sdks if name in sys.modules))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "[]", result.stderr
