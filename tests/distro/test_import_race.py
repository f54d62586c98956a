"""No import races: creating the cost processor must not leave a thread of ours importing
modules the application may be importing at the same moment.

The failure this guards against: the processor's background thread imported genai-prices,
which imports httpx2; an openai 2.x client built with its own HTTP client during that
second looked httpx2 up in ``sys.modules`` and got the half-initialised module
(``AttributeError: partially initialized module 'httpx2' has no attribute 'Timeout'``).
The app does exactly that sequence in a fresh interpreter, against the emulator.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import genai_prices
import pytest
from agentops.cost import catalog

APP = Path(__file__).resolve().parent / "apps" / "import_race_app.py"


def run_race(emulator, mode: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "OPENAI_"))}
    env["OPENAI_BASE_URL"] = emulator.openai_base_url
    result = subprocess.run(
        [sys.executable, str(APP), mode], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("attempt", range(2))
@pytest.mark.parametrize("mode", ["startup", "first_call"])
def test_an_http_client_built_right_after_prices_start_loading_sees_whole_modules(
    emulator, mode, attempt
):
    outcome = run_race(emulator, mode)

    assert outcome["failures"] == [], outcome
    if mode == "startup":
        assert outcome["checks"] >= 1  # the app really looked while the prices were loading
    else:
        # Nothing loads before a model call; the emulator answers faster than the table
        # builds, so the first call's end (its cost) waited for it and the loop saw no load.
        assert outcome["prices_loaded_before_first_call"] is False, outcome
    assert outcome["reply"].startswith("Emulated reply")
    # The only module a thread of ours loads is the price table, which nothing else imports
    # and whose own imports are loaded before that thread starts.
    assert outcome["background_imports"] in ([], ["genai_prices.data"]), outcome


def test_the_price_table_imports_only_what_preload_loads_first():
    source = Path(genai_prices.__file__).with_name("data.py").read_text()
    header = source[: source.index("providers: list[Provider]")]
    imported = {
        line.split()[1].replace(".types", "genai_prices.types")
        for line in header.splitlines()
        if line.startswith(("import ", "from "))
    }
    assert imported <= set(catalog._DATA_IMPORTS), imported
