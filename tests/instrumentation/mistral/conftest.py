"""Mistral fixtures: the instrumentor bound to the test's telemetry, a client of the emulator,
and each test body run with the sync and the async methods."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.register_assert_rewrite("mistral_expected")

from conformance.expect import instrumented  # noqa: E402
from mistral_expected import make_client  # noqa: E402
from opentelemetry.instrumentation.agentops.mistral import MistralInstrumentor  # noqa: E402


@pytest.fixture
def instrument(telemetry) -> Iterator[MistralInstrumentor]:
    with instrumented(MistralInstrumentor(), telemetry) as instrumentor:
        yield instrumentor


@pytest.fixture
def client(emulator, instrument) -> Any:
    return make_client(emulator.mistral_server_url)


@pytest.fixture(params=[False, True], ids=["sync", "async"])
def asynchronous(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)
