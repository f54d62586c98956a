"""Groq fixtures: the instrumentor bound to the test's telemetry (and able to step aside for an
uninstrumented baseline), and SDK clients pointed at the emulator with retries off."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.register_assert_rewrite("groq_expected")

from groq_expected import Instrumented, make_client  # noqa: E402


@pytest.fixture
def instrumented(telemetry) -> Iterator[Instrumented]:
    handle = Instrumented(telemetry)
    handle.start()
    yield handle
    handle.instrumentor.uninstrument()


@pytest.fixture(params=["sync", "async"])
def sdk(request, emulator, instrumented) -> Any:
    """A sync or an async client, the test body written once for both."""
    return make_client(emulator, request.param == "async")
