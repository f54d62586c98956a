"""Finding the servers and browsers the tests run, and free ports; shared by every test
directory (the root conftest's directory is on ``sys.path``). A missing binary skips its test
with the reason on a developer machine and fails it under ``AGENTOPS_REQUIRE_TEST_SERVERS``
(set by `.ci/run`), so CI cannot pass without running it."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

REQUIRE_ENV = "AGENTOPS_REQUIRE_TEST_SERVERS"
"""Set by `.ci/run`: a missing server fails the test instead of skipping it."""


def find_tool(name: str, how_to_install: str, *candidates: str) -> str:
    """The path of a server or browser binary, from ``$<NAME>_BIN``, ``PATH`` or known places.

    Missing: skipped with the reason on a developer machine, a failure when
    ``AGENTOPS_REQUIRE_TEST_SERVERS`` is set (CI).
    """
    variable = name.upper().replace("-", "_") + "_BIN"
    configured = os.environ.get(variable)
    if configured:
        if not Path(configured).is_file():
            pytest.fail(f"{variable}={configured} is not a file")
        return configured
    for candidate in (name, *candidates):
        found = shutil.which(candidate)
        if found:
            return found
    message = f"{name} is not installed ({how_to_install}; or set {variable})"
    if os.environ.get(REQUIRE_ENV):
        pytest.fail(f"{message}; {REQUIRE_ENV} is set, so this test must run, not skip")
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
