"""OpenAI fixtures: the instrumentor bound to the test's telemetry, and SDK clients pointed at
the emulator (no retries, so an injected fault is seen once)."""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest
from opentelemetry.instrumentation.agentops.openai import OpenAIInstrumentor

API_KEY = "sk-test-secret-key-0123456789"


@pytest.fixture
def instrument(telemetry) -> Iterator[OpenAIInstrumentor]:
    instrumentor = OpenAIInstrumentor()
    instrumentor.instrument(
        tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
    )
    yield instrumentor
    instrumentor.uninstrument()


@pytest.fixture
def client(emulator, instrument) -> openai.OpenAI:
    return openai.OpenAI(api_key=API_KEY, base_url=emulator.openai_base_url, max_retries=0)


@pytest.fixture
def async_client(emulator, instrument) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(api_key=API_KEY, base_url=emulator.openai_base_url, max_retries=0)
