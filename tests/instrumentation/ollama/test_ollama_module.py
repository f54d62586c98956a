"""``ollama.chat(...)`` and the other module functions, in a fresh interpreter: the SDK builds
their client at import, reading ``OLLAMA_HOST`` then, so the emulator's address must be set
before ``import ollama``; instrumenting may come before or after that import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ollama_support import HAS_EMBED, final_attributes, start_attributes, timings

APP = Path(__file__).with_name("module_functions_app.py")


def run_app(emulator: Any, order: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "OLLAMA_"))}
    env["OLLAMA_HOST"] = emulator.ollama_host
    done = subprocess.run(
        [sys.executable, str(APP), order],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value))


@pytest.mark.parametrize("order", ["instrument-first", "import-first"])
def test_the_modules_functions_are_traced(emulator, order):
    output = run_app(emulator, order)
    results = output["results"]
    model = "llama3.2:3b"
    expected = [
        ("chat llama3.2:3b", start_attributes(emulator, model) | final_attributes(results["chat"])),
        (
            "chat llama3.2:3b",
            start_attributes(emulator, model)
            | final_attributes(results["stream"])
            | {"gen_ai.request.stream": True},
        ),
        (
            "text_completion llama3.2:3b",
            start_attributes(emulator, model, "text_completion")
            | final_attributes(results["generate"]),
        ),
    ]
    if HAS_EMBED:
        embed = results["embed"]
        expected.append(
            (
                "embeddings all-minilm",
                start_attributes(emulator, "all-minilm", "embeddings")
                | {
                    "agentops.embeddings.input_count": 2,
                    "gen_ai.embeddings.dimension.count": len(embed["embeddings"][0]),
                    "gen_ai.response.model": embed["model"],
                    "gen_ai.usage.input_tokens": embed["prompt_eval_count"],
                    **timings(embed),
                },
            )
        )
    spans = output["spans"]
    # Time to first chunk varies; it is checked in test_ollama_calls.py.
    spans[1]["attributes"].pop("gen_ai.response.time_to_first_chunk")
    assert [[span["name"], span["attributes"]] for span in spans] == jsonable(expected)
