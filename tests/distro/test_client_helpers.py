"""Shared fixtures of the client tests (imported by the ``test_client*``, ``test_tags*``,
``test_filters*``, ``test_limits*`` and ``test_seed_api*`` modules; no tests here).

Every test gets the core's hooks and switches back as they were, and every instrumentor the
test turned on is turned off again, so tests are independent in any order.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import openai
import pytest
from agentops import Client
from agentops.instrumentor import AgentOpsInstrumentor
from agentops.providers import PROVIDERS, load_instrumentor, sdk_installed
from opentelemetry.instrumentation.agentops.core import hooks
from opentelemetry.instrumentation.agentops.openai import OpenAIInstrumentor
from opentelemetry.sdk._logs import LoggerProvider, ReadableLogRecord
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor

API_KEY = "sk-test-openai-key-0123456789"
MESSAGES = [{"role": "user", "content": "Say hello to the client tests"}]
DURATION = "gen_ai.client.operation.duration"
TOKENS = "gen_ai.client.token.usage"


def ready_providers(*names: str) -> tuple[str, ...]:
    """Of ``names`` (every known provider when none), in the registry's order, those whose SDK
    and instrumentation package are both installed here: what AgentOpsInstrumentor
    instruments. The workspace gains provider packages over time; tests must not hard-code
    which."""
    return tuple(
        p.name
        for p in PROVIDERS
        if (not names or p.name in names) and sdk_installed(p) and load_instrumentor(p)
    )


@dataclass
class Logs:
    provider: LoggerProvider
    exporter: InMemoryLogRecordExporter

    def records(self) -> list[ReadableLogRecord]:
        return list(self.exporter.get_finished_logs())

    def events(self, name: str) -> list[ReadableLogRecord]:
        return [record for record in self.records() if record.log_record.event_name == name]


@pytest.fixture(autouse=True)
def _isolated_hooks() -> Iterator[None]:
    saved = (
        list(hooks.request_filters),
        list(hooks.attribute_sources),
        list(hooks.pre_call_checks),
        hooks.signals.tokens,
        hooks.signals.latency,
        list(hooks.call_observers),
    )
    yield
    for instrumentor in (AgentOpsInstrumentor(), OpenAIInstrumentor()):
        if instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.uninstrument()
    hooks.request_filters[:] = saved[0]
    hooks.attribute_sources[:] = saved[1]
    hooks.pre_call_checks[:] = saved[2]
    hooks.signals.tokens, hooks.signals.latency = saved[3], saved[4]
    hooks.call_observers[:] = saved[5]


@pytest.fixture
def logs() -> Iterator[Logs]:
    exporter = InMemoryLogRecordExporter()
    provider = LoggerProvider()
    provider.add_log_record_processor(SimpleLogRecordProcessor(exporter))
    yield Logs(provider, exporter)
    provider.shutdown()


@pytest.fixture
def agentops_client() -> Iterator[Client]:
    client = Client()
    yield client
    client.uninstrument()


def configure(client: Client, telemetry, logs: Logs | None = None, **kwargs) -> Client:
    """``client.configure`` bound to the test's providers."""
    return client.configure(
        tracer_provider=telemetry.tracer_provider,
        meter_provider=telemetry.meter_provider,
        logger_provider=logs.provider if logs is not None else None,
        **kwargs,
    )


def openai_client(emulator) -> openai.OpenAI:
    return openai.OpenAI(api_key=API_KEY, base_url=emulator.openai_base_url, max_retries=0)


def async_openai_client(emulator) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(api_key=API_KEY, base_url=emulator.openai_base_url, max_retries=0)


def chat(client: openai.OpenAI, model: str = "gpt-4o-mini", **kwargs) -> object:
    return client.chat.completions.create(model=model, messages=MESSAGES, **kwargs)


def genai_spans(telemetry) -> list:
    return [span for span in telemetry.spans() if "gen_ai.operation.name" in span.attributes]


def points(telemetry, name: str) -> list:
    return telemetry.metrics().get(name, [])
