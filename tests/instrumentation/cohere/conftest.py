"""Cohere fixtures: the instrumentor bound to the test's telemetry, and clients of both
generations pointed at the emulator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import cohere
import pytest
from opentelemetry.instrumentation.agentops.cohere import CohereInstrumentor

pytest.register_assert_rewrite("cohere_helpers")

from cohere_helpers import API_KEY, HAS_V2, NO_V2, base_url  # noqa: E402


@pytest.fixture
def instrument(telemetry) -> Iterator[CohereInstrumentor]:
    instrumentor = CohereInstrumentor()
    instrumentor.instrument(
        tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
    )
    yield instrumentor
    instrumentor.uninstrument()


@pytest.fixture
def capture(monkeypatch) -> None:
    """Content capture on; request it before ``instrument`` (settings are read then)."""
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")


def make_client(emulator: Any, version: str, asynchronous: bool, api_key: str = API_KEY) -> Any:
    if version == "v2" and not HAS_V2:
        pytest.skip(NO_V2)
    kinds = {
        ("v1", False): "Client",
        ("v1", True): "AsyncClient",
        ("v2", False): "ClientV2",
        ("v2", True): "AsyncClientV2",
    }
    kind = getattr(cohere, kinds[version, asynchronous])
    return kind(api_key=api_key, base_url=base_url(emulator))


@pytest.fixture(params=[False, True], ids=["sync", "async"])
def asynchronous(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture
def v1(emulator, asynchronous) -> Any:
    """A v1 client, sync or async (the SDK binds its methods to the instance in __init__:
    tests that list it before ``instrument`` use a client built before instrumenting)."""
    return make_client(emulator, "v1", asynchronous)


@pytest.fixture
def v2(emulator, asynchronous) -> Any:
    return make_client(emulator, "v2", asynchronous)
