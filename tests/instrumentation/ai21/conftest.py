"""AI21 fixtures: the instrumentor bound to the test's telemetry (content capture off, or on),
sync and async clients, and the assertion helpers registered for pytest's rewriting."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.register_assert_rewrite("ai21_expected")

from ai21_expected import has, missing  # noqa: E402
from opentelemetry.instrumentation.agentops.ai21 import AI21Instrumentor  # noqa: E402

CAPTURE = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"


def _instrumented(telemetry, monkeypatch, content: bool) -> Iterator[AI21Instrumentor]:
    # The capture switch is read when instrumenting.
    if content:
        monkeypatch.setenv(CAPTURE, "true")
    else:
        monkeypatch.delenv(CAPTURE, raising=False)
    instrumentor = AI21Instrumentor()
    pipeline = {"tracer_provider": telemetry.tracer_provider}
    instrumentor.instrument(**pipeline, meter_provider=telemetry.meter_provider)
    yield instrumentor
    instrumentor.uninstrument()


@pytest.fixture
def instrument(telemetry, monkeypatch) -> Iterator[AI21Instrumentor]:
    yield from _instrumented(telemetry, monkeypatch, content=False)


@pytest.fixture
def instrument_with_content(telemetry, monkeypatch) -> Iterator[AI21Instrumentor]:
    yield from _instrumented(telemetry, monkeypatch, content=True)


@pytest.fixture(params=[False, True], ids=["sync", "async"])
def asynchronous(request: pytest.FixtureRequest) -> bool:
    """Sync and async clients; async is skipped where the SDK has no AsyncAI21Client."""
    if request.param and not has("async"):
        pytest.skip(missing("async"))
    return bool(request.param)
