"""The Grafana dashboard and the alert rules on a real Prometheus, fed by a real run of the
demo: both demo apps run against the emulator with the distro's Prometheus exporter, a
Prometheus server on loopback scrapes them (and loads the alert rules), every panel's query
goes through Prometheus' HTTP API, and calls, tokens and cost are compared with the spans.

Prometheus comes from the machine (Debian's `prometheus` package; `.ci/run` installs it).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from otlp_truth import SpanCall, llm_calls, totals
from provider_emulator import EmulatorServer
from viewing_support import ROOT, STACK, find_tool, free_port

sys.path.insert(0, str(ROOT / "examples"))
import run_demo
import support_app

DASHBOARD = STACK / "grafana" / "dashboards" / "llm-calls.json"
RULES = STACK / "prometheus" / "rules" / "llm-alerts.rules.yml"
HOLD = Path(__file__).parent / "apps" / "hold_for_scrape.py"
SCRAPE_INTERVAL = "200ms"
# Grafana's $__rate_interval is at least four scrape intervals; a little more here, so
# every window holds several scrapes on a slow machine.
RATE_INTERVAL = "2s"
STEP_S = 0.5
TAG_KEY = "agentops_tag_use_case"
VALUE_METRIC = "agentops_llm_business_value_total"
TIMEOUT_S = 300  # both demo apps, every provider SDK installed, on a loaded 2-core machine


class Prometheus:
    def __init__(self, url: str) -> None:
        self.url = url

    def get(self, path: str, **params: Any) -> Any:
        query = urllib.parse.urlencode(params)
        with urllib.request.urlopen(f"{self.url}{path}?{query}", timeout=10) as response:
            body = json.load(response)
        assert body["status"] == "success", body
        return body["data"]

    def instant(self, expr: str, at: float | None = None) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"query": expr}
        if at is not None:
            params["time"] = f"{at:.3f}"
        return self.get("/api/v1/query", **params)["result"]

    def by(self, expr: str, *labels: str, at: float | None = None) -> dict[Any, float]:
        """An instant vector as ``{label values: value}``."""
        found = {}
        for series in self.instant(expr, at):
            key = tuple(series["metric"].get(label, "") for label in labels)
            found[key if len(labels) > 1 else key[0]] = float(series["value"][1])
        return found


@dataclass
class Run:
    prometheus: Prometheus
    start: float
    end: float
    calls: list[SpanCall]
    exit_codes: list[int]
    outputs: list[str]
    results: dict[str, Any] = field(default_factory=dict)
    """Query results taken while the apps were still up, by name."""


def start_prometheus(
    binary: str, directory: Path, targets: dict[str, int]
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    config = {
        "global": {"scrape_interval": SCRAPE_INTERVAL, "evaluation_interval": "1s"},
        "rule_files": [str(RULES)],
        # One job per service, as the stack's collector labels them (job = service.name).
        "scrape_configs": [
            {"job_name": service, "static_configs": [{"targets": [f"127.0.0.1:{target}"]}]}
            for service, target in targets.items()
        ],
    }
    config_file = directory / "prometheus.yml"
    config_file.write_text(json.dumps(config))  # JSON is YAML
    log = open(directory / "prometheus.log", "wb")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={config_file}",
            f"--storage.tsdb.path={directory / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.close()
            raise AssertionError(
                f"prometheus exited with {process.returncode}:\n"
                + (directory / "prometheus.log").read_text(errors="replace")
            )
        try:
            with urllib.request.urlopen(f"{url}/-/ready", timeout=1) as response:
                if response.status == 200:
                    return process, url
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.1)
    process.kill()
    raise AssertionError("prometheus was not ready after 30 s")


def stop(process: subprocess.Popen[Any]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for_final_scrapes(prometheus: Prometheus, done: dict[str, float]) -> None:
    """Until Prometheus scraped every app after it finished (and evaluated the rules)."""
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        scraped = prometheus.by("timestamp(up == 1)", "job")
        rules = prometheus.get("/api/v1/rules")["groups"]
        evaluated = min(_unix_time(group["lastEvaluation"]) for group in rules)
        if all(scraped.get(job, 0) > finished + 0.1 for job, finished in done.items()) and (
            evaluated > max(done.values()) + 1
        ):
            return
        time.sleep(0.2)
    raise AssertionError(f"no scrape after the apps finished: {prometheus.by('up', 'job')}")


def _unix_time(rfc3339: str) -> float:
    # Prometheus writes nanoseconds; datetime takes up to microseconds.
    stamp, _, fraction = rfc3339.rstrip("Z").partition(".")
    return datetime.fromisoformat(stamp).replace(tzinfo=UTC).timestamp() + float(
        "0." + (fraction or "0")
    )


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    binary = find_tool("prometheus", "apt-get install prometheus")
    directory = tmp_path_factory.mktemp("prometheus")
    targets = {app.service: free_port() for app in run_demo.DEMO_APPS}
    process, url = start_prometheus(binary, directory, targets)
    prometheus = Prometheus(url)
    telemetry_file = directory / "telemetry.otlp.jsonl"
    release = directory / "release"
    apps: list[subprocess.Popen[str]] = []
    try:
        with EmulatorServer(default_controls=run_demo.EMULATOR_CONTROLS) as emulator:
            start = time.time()
            done_files = {}
            for app in run_demo.DEMO_APPS:
                env = run_demo.app_environment(app, emulator.base_url, telemetry_file)
                done_files[app.service] = directory / f"{app.service}.done"
                env.update(
                    {
                        "OTEL_TRACES_EXPORTER": "agentops_otlp_file",
                        "OTEL_METRICS_EXPORTER": "prometheus",
                        "OTEL_LOGS_EXPORTER": "none",
                        "OTEL_EXPORTER_PROMETHEUS_HOST": "127.0.0.1",
                        "OTEL_EXPORTER_PROMETHEUS_PORT": str(targets[app.service]),
                        "HOLD_DONE_FILE": str(done_files[app.service]),
                        "HOLD_RELEASE_FILE": str(release),
                    }
                )
                command = app.command()
                command.insert(command.index(str(app.script)), str(HOLD))
                apps.append(
                    subprocess.Popen(
                        command,
                        env=env,
                        cwd=ROOT,
                        stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT,
                        text=True,
                    )
                )
            deadline = time.monotonic() + TIMEOUT_S
            while not all(path.exists() for path in done_files.values()):
                exited = [p for p in apps if p.poll() is not None]
                assert not exited, f"an app exited early:\n{exited[0].communicate()[0]}"
                assert time.monotonic() < deadline, "the demo apps did not finish"
                time.sleep(0.1)
            done = {job: float(path.read_text()) for job, path in done_files.items()}
            wait_for_final_scrapes(prometheus, done)
            end = time.time()
            result = Run(prometheus, start, end, [], [], [])
            result.results = take_results(prometheus, start, end)
            release.touch()
            for app_process in apps:
                output, _ = app_process.communicate(timeout=60)
                result.exit_codes.append(app_process.returncode)
                result.outputs.append(output)
        result.calls = llm_calls(telemetry_file)
        yield result
    finally:
        release.touch()
        for app_process in apps:
            stop(app_process)
        stop(process)


# --- the dashboard's queries --------------------------------------------------------------


def dashboard_targets() -> list[tuple[str, str, dict[str, Any]]]:
    """``(panel title, refId, target)`` of every query in the dashboard."""
    dashboard = json.loads(DASHBOARD.read_text())
    found = []

    def walk(panels: list[dict[str, Any]]) -> None:
        for panel in panels:
            walk(panel.get("panels", []))
            for target in panel.get("targets", []):
                found.append((panel["title"], target["refId"], target))

    walk(dashboard["panels"])
    return found


def grafana_expr(expr: str, range_s: float, **chosen: str) -> str:
    """The query as Grafana sends it: variables replaced (All is ``.*``)."""
    values = {
        "service": chosen.get("service", ".*"),
        "provider": chosen.get("provider", ".*"),
        "model": chosen.get("model", ".*"),
        "tag": chosen.get("tag", TAG_KEY),
        "value_metric": chosen.get("value_metric", VALUE_METRIC),
        "__rate_interval": RATE_INTERVAL,
        "__range": f"{math.ceil(range_s)}s",
    }
    # Longest names first: $__rate_interval before $__range, $value_metric before $model.
    for name in sorted(values, key=len, reverse=True):
        expr = expr.replace("$" + name, values[name])
    assert "$" not in expr.replace("{{", ""), f"unreplaced variable in {expr}"
    return expr


def take_results(prometheus: Prometheus, start: float, end: float) -> dict[str, Any]:
    """Every dashboard target, queried as Grafana would (range or instant), and the
    totals the test compares with the spans, all while the apps are still scraped."""
    results: dict[str, Any] = {}
    for title, ref, target in dashboard_targets():
        expr = grafana_expr(target["expr"], end - start)
        if target.get("instant"):
            data = prometheus.get("/api/v1/query", query=expr, time=f"{end:.3f}")
        else:
            data = prometheus.get(
                "/api/v1/query_range",
                query=expr,
                start=f"{start:.3f}",
                end=f"{end:.3f}",
                step=STEP_S,
            )
        results[f"panel:{title}:{ref}"] = (expr, data)
    (calls_per_second,) = [
        target["expr"]
        for title, _, target in dashboard_targets()
        if title == "Calls per second by provider and model"
    ]
    selected = grafana_expr(calls_per_second, end - start, service="llm-demo")
    results["calls per second, llm-demo only"] = prometheus.get(
        "/api/v1/query_range",
        query=selected,
        start=f"{start:.3f}",
        end=f"{end:.3f}",
        step=STEP_S,
    )
    by = "job, gen_ai_provider_name, gen_ai_request_model, gen_ai_operation_name"
    duration = "gen_ai_client_operation_duration_seconds"
    results["calls"] = prometheus.by(f"sum by ({by}) ({duration}_count)", *by.split(", "))
    results["errors"] = prometheus.by(
        f'sum by ({by}, error_type) ({duration}_count{{error_type!=""}})',
        *by.split(", "),
        "error_type",
    )
    results["tokens"] = prometheus.by(
        "sum by (job, gen_ai_request_model, gen_ai_token_type) (gen_ai_client_token_usage_sum)",
        "job",
        "gen_ai_request_model",
        "gen_ai_token_type",
    )
    results["cost"] = prometheus.by(
        "sum by (job, gen_ai_request_model) (agentops_client_cost_USD_total)",
        "job",
        "gen_ai_request_model",
    )
    results["cost per tag"] = prometheus.by(
        f"sum by ({TAG_KEY}) (agentops_client_cost_USD_total)", TAG_KEY
    )
    results["cache reads"] = prometheus.by(
        "sum by (job, gen_ai_request_model) (agentops_client_token_cache_read_total)",
        "job",
        "gen_ai_request_model",
    )
    results["value"] = prometheus.by(
        f"sum by (gen_ai_request_model) ({VALUE_METRIC})", "gen_ai_request_model"
    )
    results["running"] = prometheus.by(
        "sum by (agentops_cost_limit_name) (agentops_client_cost_running_USD)",
        "agentops_cost_limit_name",
    )
    results["limits"] = prometheus.by("agentops_client_cost_limit_USD", "agentops_cost_limit_name")
    results["alerts"] = prometheus.get("/api/v1/alerts")["alerts"]
    results["rules"] = prometheus.get("/api/v1/rules")["groups"]
    return results


def values_of(data: dict[str, Any]) -> list[float]:
    if data["resultType"] == "matrix":
        return [float(v) for series in data["result"] for _, v in series["values"]]
    return [float(series["value"][1]) for series in data["result"]]


def test_the_demo_apps_ran(run: Run) -> None:
    assert run.exit_codes == [0, 0], "\n".join(run.outputs)
    assert "[app] done" in run.outputs[0]
    assert "[support] done: 8 answered, 2 failed" in run.outputs[1]
    assert {call.service for call in run.calls} == {"llm-demo", "support-assistant"}


@pytest.mark.parametrize(("title", "ref"), [(title, ref) for title, ref, _ in dashboard_targets()])
def test_every_dashboard_query_returns_data(run: Run, title: str, ref: str) -> None:
    expr, data = run.results[f"panel:{title}:{ref}"]
    assert data["result"], f"no series for {title} {ref}: {expr}"
    finite = [value for value in values_of(data) if math.isfinite(value)]
    assert finite, f"only NaN or Inf for {title} {ref}: {expr}\n{data['result']}"


# Panels that must show more than zeros: the demo makes several calls of these series
# across scrapes (a series' first value is never a rate in Prometheus, see docs/viewing.md).
POSITIVE = [
    "Calls per second by provider and model",
    "Latency p50 / p95 / p99 per model",
    "Time to first chunk p50 / p95 (streams)",
    "Input and output tokens per second",
    "Token compression ratio (output / input)",
    "Cache hit share (cache-read / input tokens)",
    "Cost per model (USD per hour)",
    "Cost per tag (USD per hour)",
    "Running cost against each limit",
    "Share of each limit spent",
    "Latency distribution",
]


@pytest.mark.parametrize("title", POSITIVE)
def test_panels_show_the_traffic(run: Run, title: str) -> None:
    values = [
        value
        for key, result in run.results.items()
        if key.startswith(f"panel:{title}:")
        for value in values_of(result[1])
        if math.isfinite(value)
    ]
    assert max(values) > 0, title


def test_the_service_variable_selects_one_service(run: Run) -> None:
    # llm-demo (examples/app.py) calls gpt-4o-mini and an embedding model (and one model of
    # each other provider SDK installed); only the support assistant calls gpt-4o.
    data = run.results["calls per second, llm-demo only"]
    models = {series["metric"]["gen_ai_request_model"] for series in data["result"]}
    assert models >= {"gpt-4o-mini", "text-embedding-3-small"}
    assert "gpt-4o" not in models
    everything = run.results["panel:Calls per second by provider and model:A"][1]
    assert "gpt-4o" in {series["metric"]["gen_ai_request_model"] for series in everything["result"]}


def test_cost_per_tag_panel_is_split_by_tag(run: Run) -> None:
    _, data = run.results["panel:Cost per tag (USD per hour):A"]
    assert {series["metric"].get(TAG_KEY) for series in data["result"]} >= {"support", "search"}


# --- the numbers equal the run's ------------------------------------------------------------


def test_calls_and_errors_equal_the_spans(run: Run) -> None:
    def key(call: SpanCall) -> tuple[str, ...]:
        return (call.service, call.provider, call.model, call.operation)

    assert run.results["calls"] == totals(run.calls, key, lambda call: 1)
    failed = [call for call in run.calls if call.error_type]
    # The demo's two failures, and the failed first attempt of each LiteLLM Router call.
    fallen_back = [call for call in failed if "agentops.route.attempt" in call.attributes]
    assert len(failed) - len(fallen_back) == 2
    assert len(fallen_back) in (0, 2)
    assert run.results["errors"] == totals(failed, lambda c: (*key(c), c.error_type), lambda c: 1)


def test_tokens_equal_the_spans(run: Run) -> None:
    expected: dict[Any, float] = {}
    for kind in ("input", "output"):
        counted = [c for c in run.calls if f"gen_ai.usage.{kind}_tokens" in c.attributes]
        expected.update(
            totals(
                counted,
                lambda c, kind=kind: (c.service, c.model, kind),
                lambda c, kind=kind: c.attributes[f"gen_ai.usage.{kind}_tokens"],
            )
        )
    assert run.results["tokens"] == expected
    cached = [c for c in run.calls if c.get("gen_ai.usage.cache_read.input_tokens")]
    assert cached
    assert run.results["cache reads"] == totals(
        cached,
        lambda c: (c.service, c.model),
        lambda c: c.attributes["gen_ai.usage.cache_read.input_tokens"],
    )


def test_cost_equals_the_spans_per_model_and_per_tag(run: Run) -> None:
    priced = [c for c in run.calls if c.get("agentops.cost.status") == "priced"]
    expected = totals(priced, lambda c: (c.service, c.model), lambda c: c.cost)
    assert run.results["cost"] == pytest.approx(expected, rel=1e-9)
    per_tag = totals(priced, lambda c: c.tags.get("use_case", ""), lambda c: c.cost)
    assert run.results["cost per tag"] == pytest.approx(per_tag, rel=1e-9)
    assert set(per_tag) == {"", "support", "search"}


def test_business_value_and_limits_equal_the_run(run: Run) -> None:
    expected: dict[str, float] = {}
    for tier, text in support_app.TICKETS:
        if text:  # the empty tickets fail and are worth nothing
            model = support_app.GOLD_MODEL if tier == "gold" else support_app.FREE_MODEL
            expected[model] = expected.get(model, 0) + support_app.VALUE_USD[tier]
    assert run.results["value"] == expected
    support_cost = sum(c.cost for c in run.calls if c.service == "support-assistant")
    assert run.results["running"] == pytest.approx(
        {"daily": support_cost, "demo-budget": support_cost}, rel=1e-9
    )
    assert run.results["limits"] == {"daily": 5.0, "demo-budget": 0.0005}


# --- the alert rules -----------------------------------------------------------------------


def test_alert_rules_load_and_evaluate_without_error(run: Run) -> None:
    rules = [rule for group in run.results["rules"] for rule in group["rules"]]
    assert {rule["name"] for rule in rules} == {
        "LLMSpendRateHigh",
        "LLMCostLimitNear",
        "LLMCostLimitExceeded",
        "LLMErrorRateHigh",
        "LLMLatencyP95High",
    }
    assert all(rule["health"] == "ok" and not rule.get("lastError") for rule in rules), rules


def test_the_crossed_demo_budget_fires_and_nothing_else_does(run: Run) -> None:
    alerts = run.results["alerts"]
    firing = {
        (a["labels"]["alertname"], a["labels"].get("agentops_cost_limit_name"))
        for a in alerts
        if a["state"] == "firing"
    }
    assert ("LLMCostLimitExceeded", "demo-budget") in firing
    # The daily budget is far from spent, the spend rate is tiny, latency is low; the error
    # rule needs 10 minutes of errors before it fires.
    assert firing == {("LLMCostLimitExceeded", "demo-budget")}, alerts
    (exceeded,) = [a for a in alerts if a["labels"]["alertname"] == "LLMCostLimitExceeded"]
    assert exceeded["labels"]["job"] == "support-assistant"
    assert "exceeded" in exceeded["annotations"]["summary"]
