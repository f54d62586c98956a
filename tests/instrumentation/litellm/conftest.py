"""LiteLLM fixtures: the instrumentor bound to the test's telemetry, and LiteLLM's routes to the
emulator (OpenAI, Anthropic, Groq, Ollama).

LiteLLM reaches for the network on its own: its model price map at import (unless
``LITELLM_LOCAL_MODEL_COST_MAP``) and, to count a stream's tokens when the provider sent none,
a Hugging Face tokenizer (retried for about 30 s offline unless ``HF_HUB_OFFLINE``). Both are
set before LiteLLM is first imported, so nothing here waits on a network that is not there.
"""

from __future__ import annotations

import os

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from collections.abc import Iterator

import pytest

pytest.register_assert_rewrite("litellm_support")

from litellm_support import ROUTES, Route  # noqa: E402
from opentelemetry.instrumentation.agentops.litellm import LiteLLMInstrumentor  # noqa: E402


@pytest.fixture
def instrument(telemetry) -> Iterator[LiteLLMInstrumentor]:
    instrumentor = LiteLLMInstrumentor()
    instrumentor.instrument(
        tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
    )
    yield instrumentor
    instrumentor.uninstrument()


@pytest.fixture(params=[False, True], ids=["sync", "async"])
def asynchronous(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture(params=list(ROUTES))
def route(request: pytest.FixtureRequest, emulator) -> Route:
    """Each provider route LiteLLM takes to the emulator."""
    return ROUTES[request.param].at(emulator)
