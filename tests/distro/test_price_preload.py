"""When genai-prices loads: not at start-up by default, but as the first model call starts.

Each case runs in a fresh interpreter (whether a module is imported yet is process state):
it creates a cost processor, instruments openai, and reports what was loaded, when, and on
which thread, then makes one call against the emulator and reports its cost.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from agentops.cost import CostSpanProcessor

_APP = r"""
import json, os, sys, threading
from importlib.abc import MetaPathFinder

loaders = {}

class RecordTableLoad(MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname == "genai_prices.data":
            loaders[fullname] = threading.current_thread().name
        return None

sys.meta_path.insert(0, RecordTableLoad())

import openai
from agentops.cost import CostSpanProcessor
from opentelemetry.instrumentation.agentops.openai import OpenAIInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

exporter = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(CostSpanProcessor(**json.loads(sys.argv[1])))
provider.add_span_processor(SimpleSpanProcessor(exporter))
OpenAIInstrumentor().instrument(tracer_provider=provider)
client = openai.OpenAI(api_key="sk-preload", base_url=os.environ["OPENAI_BASE_URL"])
at_startup = "genai_prices" in sys.modules
client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
(span,) = exporter.get_finished_spans()
print(json.dumps({
    "loaded_at_startup": at_startup,
    "table_loaded_by": loaders.get("genai_prices.data"),
    "cost_status": span.attributes.get("agentops.cost.status"),
    "cost": span.attributes.get("agentops.cost.total_usd"),
}))
"""


def run_app(emulator, arguments: dict, **environment: str) -> tuple[dict, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "AGENTOPS_"))}
    env.update(OPENAI_BASE_URL=emulator.openai_base_url, **environment)
    done = subprocess.run(
        [sys.executable, "-c", _APP, json.dumps(arguments)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


@pytest.mark.parametrize(
    ("arguments", "environment", "at_startup", "loader"),
    [
        # Default: nothing at start-up; the first call starts the background load.
        ({}, {}, False, "agentops-cost-prices"),
        ({"preload": "first_call"}, {}, False, "agentops-cost-prices"),
        ({"preload": "startup"}, {}, True, "agentops-cost-prices"),
        ({"preload": True}, {}, True, "agentops-cost-prices"),
        # Off: the first priced span loads the table on the thread that ends it.
        ({"preload": "off"}, {}, False, "MainThread"),
        ({"preload": False}, {}, False, "MainThread"),
        ({}, {"AGENTOPS_PRICES_PRELOAD": "startup"}, True, "agentops-cost-prices"),
        ({}, {"AGENTOPS_PRICES_PRELOAD": " OFF "}, False, "MainThread"),
        # An explicit argument beats the environment.
        (
            {"preload": "first_call"},
            {"AGENTOPS_PRICES_PRELOAD": "startup"},
            False,
            "agentops-cost-prices",
        ),
    ],
)
def test_when_prices_load(emulator, arguments, environment, at_startup, loader) -> None:
    outcome, stderr = run_app(emulator, arguments, **environment)

    assert outcome["loaded_at_startup"] is at_startup, outcome
    assert outcome["table_loaded_by"] == loader, outcome
    # Whenever they load, the first call is priced.
    assert outcome["cost_status"] == "priced", outcome
    assert outcome["cost"] > 0
    assert "AGENTOPS_PRICES_PRELOAD" not in stderr


def test_a_wrong_setting_is_one_warning_and_the_default(emulator) -> None:
    outcome, stderr = run_app(emulator, {}, AGENTOPS_PRICES_PRELOAD="eager")

    assert (outcome["loaded_at_startup"], outcome["table_loaded_by"]) == (
        False,
        "agentops-cost-prices",
    )
    assert outcome["cost_status"] == "priced"
    (line,) = [line for line in stderr.splitlines() if "AGENTOPS_PRICES_PRELOAD" in line]
    assert "'eager' is not one of first_call, off, startup; using first_call" in line


def test_a_wrong_argument_is_an_error() -> None:
    with pytest.raises(ValueError, match="preload must be one of"):
        CostSpanProcessor(preload="eager")  # type: ignore[arg-type]
