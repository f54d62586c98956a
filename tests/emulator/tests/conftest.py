"""Loads the emulator fixtures when the suite's root conftest has not already done so.

`pytest_plugins` is only allowed in the top-level conftest, so this uses the plugin manager.
"""

from __future__ import annotations

import pytest

PLUGIN = "provider_emulator.pytest_plugin"


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin(PLUGIN):
        config.pluginmanager.import_plugin(PLUGIN)
