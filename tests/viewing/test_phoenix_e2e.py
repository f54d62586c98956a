"""End to end with a real trace backend: Arize Phoenix (an OTLP trace server with an HTTP
API, from PyPI) on loopback, both demo apps exporting their traces to it over OTLP/HTTP, and
every LLM call read back through Phoenix's REST API with its provider, model, tokens and
cost. Phoenix is big, so it lives in its own environment: `make e2e` installs it there and
runs this test with ``PHOENIX_BIN`` pointing at its `phoenix` command.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from demo_support import OPENAI_CALLS_PER_RUN, demo_providers
from otlp_truth import SpanCall, llm_calls
from provider_emulator import EmulatorServer
from viewing_support import ROOT, free_port

sys.path.insert(0, str(ROOT / "examples"))
import run_demo

PROJECT = "agentops-demo"
START_TIMEOUT_S = 240  # Phoenix imports a lot and migrates its database on first start
SPANS_TIMEOUT_S = 60

pytestmark = pytest.mark.skipif(
    not os.environ.get("PHOENIX_BIN"),
    reason="the Phoenix end-to-end test runs under `make e2e` (it sets PHOENIX_BIN)",
)


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def phoenix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = os.environ["PHOENIX_BIN"]
    assert Path(binary).is_file(), f"PHOENIX_BIN={binary} does not exist; run `make e2e`"
    directory = tmp_path_factory.mktemp("phoenix")
    port = free_port()
    env = {
        **os.environ,
        "PHOENIX_WORKING_DIR": str(directory),
        "PHOENIX_HOST": "127.0.0.1",
        "PHOENIX_PORT": str(port),
        "PHOENIX_GRPC_PORT": str(free_port()),
        # Offline: no usage telemetry, nothing fetched at start.
        "PHOENIX_TELEMETRY_ENABLED": "false",
        "PHOENIX_ALLOW_EXTERNAL_RESOURCES": "false",
        "PHOENIX_ALLOWED_SANDBOX_PROVIDERS": "NONE",
    }
    log_path = directory / "phoenix.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([binary, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"phoenix exited with {process.returncode}:\n{_tail(log_path)}")
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError):
                pass
            if time.monotonic() - started > START_TIMEOUT_S:
                pytest.fail(f"phoenix not ready after {START_TIMEOUT_S} s:\n{_tail(log_path)}")
            time.sleep(0.25)
        print(f"phoenix ready after {time.monotonic() - started:.1f} s")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _tail(path: Path) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-40:])


@pytest.fixture(scope="module")
def run(phoenix: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Both demo apps, traces to Phoenix over OTLP/HTTP and to a file (what was sent)."""
    directory = tmp_path_factory.mktemp("demo-to-phoenix")
    telemetry_file = directory / "telemetry.otlp.jsonl"
    outputs = []
    with EmulatorServer(default_controls=run_demo.EMULATOR_CONTROLS) as emulator:
        for app in run_demo.DEMO_APPS:
            env = run_demo.app_environment(app, emulator.base_url, telemetry_file)
            env.update(
                {
                    "OTEL_TRACES_EXPORTER": "otlp,agentops_otlp_file",
                    "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
                    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": f"{phoenix}/v1/traces",
                    # Phoenix files spans under the project its resource attribute names.
                    "OTEL_RESOURCE_ATTRIBUTES": f"openinference.project.name={PROJECT}",
                    "OTEL_METRICS_EXPORTER": "none",
                    "OTEL_LOGS_EXPORTER": "none",
                }
            )
            result = subprocess.run(
                app.command(), env=env, cwd=ROOT, capture_output=True, text=True, timeout=300,
                check=False,
            )  # fmt: skip
            assert result.returncode == 0, result.stdout + result.stderr
            assert "Failed to export" not in result.stderr, result.stderr
            outputs.append(result.stdout)
    sent = llm_calls(telemetry_file)
    deadline = time.monotonic() + SPANS_TIMEOUT_S
    while True:
        stored = spans_in_phoenix(phoenix)
        if {call.span_id for call in sent} <= set(stored) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    return {"sent": sent, "stored": stored, "outputs": outputs}


def spans_in_phoenix(phoenix: str) -> dict[str, dict[str, Any]]:
    """Every span of the project, by OpenTelemetry span id, through the REST API."""
    spans: dict[str, dict[str, Any]] = {}
    cursor = None
    while True:
        url = f"{phoenix}/v1/projects/{PROJECT}/spans?limit=1000"
        if cursor:
            url += f"&cursor={cursor}"
        try:
            page = get(url)
        except urllib.error.HTTPError as error:
            if error.code == 404:  # the project appears with its first span
                return spans
            raise
        for span in page["data"]:
            spans[span["context"]["span_id"]] = span
        cursor = page.get("next_cursor")
        if not cursor:
            return spans


def test_every_llm_call_is_in_phoenix(run) -> None:
    sent: list[SpanCall] = run["sent"]
    stored = run["stored"]
    # app.py: its OpenAI calls and one module of calls per installed provider SDK; the support
    # assistant: 20 OpenAI calls.
    assert {call.get("gen_ai.provider.name") for call in sent} == demo_providers()
    openai_calls = [call for call in sent if call.get("gen_ai.provider.name") == "openai"]
    assert len(openai_calls) == OPENAI_CALLS_PER_RUN + 20
    # Phoenix also has each LiteLLM Router call's `route` span, which groups its attempts
    # (the calls) and is not a call itself.
    routes = {
        span_id
        for span_id, span in stored.items()
        if span["attributes"].get("gen_ai.operation.name") == "route"
    }
    assert len(routes) == (2 if importlib.util.find_spec("litellm") else 0)
    assert {call.span_id for call in sent} == set(stored) - routes
    for call in sent:
        span = stored[call.span_id]
        assert span["context"]["trace_id"] == call.trace_id
        assert span["name"] == call.name


def test_provider_model_tokens_and_cost_read_back(run) -> None:
    stored = run["stored"]
    for call in run["sent"]:
        attributes = stored[call.span_id]["attributes"]
        for key in (
            "gen_ai.provider.name",
            "gen_ai.request.model",
            "gen_ai.operation.name",
            "gen_ai.usage.input_tokens",
            "gen_ai.usage.output_tokens",
            "gen_ai.usage.cache_read.input_tokens",
            "agentops.cost.status",
            "error.type",
        ):
            assert attributes.get(key) == call.get(key), (call.name, key)
        if call.get("agentops.cost.status") == "priced":
            assert attributes["agentops.cost.total_usd"] == pytest.approx(call.cost, rel=1e-12)
        for key, value in call.tags.items():
            assert attributes[f"agentops.tag.{key}"] == value
    providers = {stored[c.span_id]["attributes"]["gen_ai.provider.name"] for c in run["sent"]}
    assert providers == demo_providers()
    assert (
        sum(stored[c.span_id]["attributes"].get("agentops.cost.total_usd", 0) for c in run["sent"])
        > 0
    )


def test_phoenix_reads_them_as_llm_calls(run) -> None:
    # Phoenix maps the GenAI conventions onto its own (OpenInference) view of a call.
    stored = run["stored"]
    for call in run["sent"]:
        span = stored[call.span_id]
        # `rerank` is this project's operation (semconv/README.md): Phoenix's mapping of the
        # GenAI conventions does not know it.
        kind = {"embeddings": "EMBEDDING", "rerank": "UNKNOWN"}.get(call.operation, "LLM")
        assert span["span_kind"] == kind, call.name
        attributes = span["attributes"]
        if "gen_ai.usage.input_tokens" in call.attributes:
            assert attributes["llm.token_count.prompt"] == call.get("gen_ai.usage.input_tokens")
        if call.failed:
            assert span["status_code"] == "ERROR"
    failed = [call for call in run["sent"] if call.failed]
    # The demo's two failures, and the failed first attempt of each LiteLLM Router call
    # (an attempt the router then fell back from).
    attempts = [call for call in failed if "agentops.route.attempt" in call.attributes]
    direct = [call for call in failed if call not in attempts]
    assert len(direct) == 2
    assert {call.error_type for call in direct} == {"openai.BadRequestError"}
    assert len(attempts) == (2 if importlib.util.find_spec("litellm") else 0)
