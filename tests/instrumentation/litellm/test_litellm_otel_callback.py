"""LiteLLM's own OpenTelemetry callback beside this instrumentation: LiteLLM writes its
attributes (message content included) onto the current span when there is one; while
instrumented it is asked for a span of its own (``USE_OTEL_LITELLM_REQUEST_SPAN``), under
its tracer scope, switched off. Our spans keep the registry's attributes and no content."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

APP = Path(__file__).with_name("otel_callback_app.py")


def test_litellms_callback_leaves_our_spans_alone(emulator):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "USE_OTEL"))}
    done = subprocess.run(
        [sys.executable, str(APP), emulator.openai_base_url],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    output = json.loads(done.stdout.strip().splitlines()[-1])
    spans = output["spans"]
    # Ours only: LiteLLM's spans are under its switched-off scope.
    assert [s["scope"] for s in spans] == ["opentelemetry.instrumentation.agentops.litellm"] * 3
    input_tokens, output_tokens = output["usage"]
    for span in spans:
        attributes = span["attributes"]
        assert span["name"] == "chat gpt-4o-mini"
        assert set(attributes) == {
            "gen_ai.operation.name",
            "gen_ai.provider.name",
            "gen_ai.request.model",
            "server.address",
            "server.port",
            "gen_ai.response.id",
            "gen_ai.response.model",
            "gen_ai.response.finish_reasons",
            "gen_ai.usage.input_tokens",
            "gen_ai.usage.output_tokens",
        }
        assert attributes["gen_ai.usage.input_tokens"] == input_tokens
        assert attributes["gen_ai.usage.output_tokens"] == output_tokens
        text = json.dumps(attributes)
        assert "secret prompt" not in text
        assert output["reply"] not in text
