"""Pytest fixtures: register with `pytest_plugins = ["provider_emulator.pytest_plugin"]`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import EmulatorServer


@pytest.fixture(scope="session")
def emulator() -> Iterator[EmulatorServer]:
    """One emulator for the whole session; its recorded requests are cleared before each test."""
    with EmulatorServer() as server:
        yield server


@pytest.fixture(autouse=True)
def _emulator_clear_requests(request: pytest.FixtureRequest) -> None:
    # Only for tests that use the emulator, so other tests never start a server.
    if "emulator" in request.fixturenames:
        server: EmulatorServer = request.getfixturevalue("emulator")
        server.clear_requests()
