"""The example stack's files, checked as far as they can be without Docker: every YAML file
parses; Prometheus' config and rules pass `promtool check`; the alert rules pass their
`promtool test rules` cases; the collector config follows the documented configuration of
each component it uses; the Grafana dashboard and provisioning are consistent; the compose
file mounts files that exist and wires services by the names the configs use."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from viewing_support import STACK, find_tool

PROMETHEUS_DIR = STACK / "prometheus"
DASHBOARD = STACK / "grafana" / "dashboards" / "llm-calls.json"
COLLECTOR = STACK / "otel-collector" / "config.yaml"
COMPOSE = STACK / "docker-compose.yaml"


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def test_every_yaml_file_of_the_stack_parses() -> None:
    files = sorted(STACK.rglob("*.y*ml"))
    assert len(files) >= 7
    for path in files:
        assert isinstance(load(path), dict), path


# --- Prometheus -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def promtool() -> str:
    return find_tool("promtool", "apt-get install prometheus (it ships promtool)")


def run_promtool(promtool: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [promtool, *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


def test_promtool_checks_the_config_and_its_rule_files(promtool: str) -> None:
    result = run_promtool(promtool, "check", "config", "prometheus.yml", cwd=PROMETHEUS_DIR)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 rule files found" in result.stdout
    assert "SUCCESS: 5 rules found" in result.stdout


def test_promtool_rule_tests_pass(promtool: str) -> None:
    result = run_promtool(
        promtool, "test", "rules", "llm-alerts.test.yml", cwd=PROMETHEUS_DIR / "tests"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_promtool_rule_tests_fail_when_an_alert_is_wrong(promtool: str, tmp_path: Path) -> None:
    # The rule tests are not vacuous: expecting the quiet batch job to alert fails them.
    tests = (PROMETHEUS_DIR / "tests" / "llm-alerts.test.yml").read_text()
    broken = tests.replace(
        "eval_time: 5m  # above the threshold, but not for 10 minutes yet\n        exp_alerts: []",
        "eval_time: 5m\n        exp_alerts: [{exp_labels: {job: batch-job, severity: warning}}]",
    )
    assert broken != tests
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "llm-alerts.rules.yml").write_text(
        (PROMETHEUS_DIR / "rules" / "llm-alerts.rules.yml").read_text()
    )
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "broken.test.yml").write_text(broken)
    result = run_promtool(promtool, "test", "rules", "broken.test.yml", cwd=tmp_path / "tests")
    assert result.returncode != 0
    assert "LLMSpendRateHigh" in result.stdout + result.stderr


def test_every_alert_rule_has_a_firing_test_case() -> None:
    rules = load(PROMETHEUS_DIR / "rules" / "llm-alerts.rules.yml")
    names = {rule["alert"] for group in rules["groups"] for rule in group["rules"]}
    cases = load(PROMETHEUS_DIR / "tests" / "llm-alerts.test.yml")["tests"]
    fired = {
        check["alertname"]
        for case in cases
        for check in case["alert_rule_test"]
        if check["exp_alerts"]
    }
    assert fired == names


# --- Grafana ---------------------------------------------------------------------------------


def dashboard_panels() -> list[dict[str, Any]]:
    panels = []
    for panel in json.loads(DASHBOARD.read_text())["panels"]:
        panels.append(panel)
        panels.extend(panel.get("panels", []))
    return panels


# Metric names as Prometheus gives them to what the distro exports (checked against a real
# scrape in test_prometheus.py; the fleet gauge, which needs a Redis budget store, in
# tests/distro/test_budget_store_redis.py); the dashboard may use no other.
EXPORTED = {
    "gen_ai_client_operation_duration_seconds_count",
    "gen_ai_client_operation_duration_seconds_bucket",
    "gen_ai_client_operation_time_to_first_chunk_seconds_bucket",
    "gen_ai_client_token_usage_sum",
    "agentops_client_cost_USD_total",
    "agentops_client_cost_cache_savings_USD_total",
    "agentops_client_token_cache_read_total",
    "agentops_client_cost_running_USD",
    "agentops_client_cost_fleet_running_USD",
    "agentops_client_cost_limit_USD",
    "agentops_client_errors_total",
}
PROMQL_WORDS = {
    "sum", "by", "rate", "increase", "histogram_quantile", "or", "and", "max", "le",
    "job", "error_type", "gen_ai_provider_name", "gen_ai_request_model", "gen_ai_token_type",
    "agentops_cost_limit_name", "__name__",
}  # fmt: skip


def test_dashboard_structure() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] and dashboard["title"] == "LLM calls"
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert {"datasource", "service", "provider", "model", "tag"} <= set(variables)
    panels = dashboard_panels()
    ids = [panel["id"] for panel in panels]
    assert len(ids) == len(set(ids))
    occupied: set[tuple[int, int]] = set()
    for panel in panels:
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 24, panel["title"]
        cells = {
            (x, y)
            for x in range(grid["x"], grid["x"] + grid["w"])
            for y in range(grid["y"], grid["y"] + grid["h"])
        }
        assert not cells & occupied, f"{panel['title']} overlaps another panel"
        occupied |= cells
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
        refs = [target["refId"] for target in panel["targets"]]
        assert refs and len(refs) == len(set(refs)), panel["title"]
        for target in panel["targets"]:
            used = set(re.findall(r"\$(\w+)", target["expr"]))
            assert used <= set(variables) | {"__rate_interval", "__range"}, target["expr"]


def test_dashboard_queries_use_only_exported_metrics() -> None:
    for panel in dashboard_panels():
        for target in panel.get("targets", []):
            expr = re.sub(r'"[^"]*"', '""', target["expr"])  # label values
            expr = re.sub(r"\[[^\]]*\]", "", expr)  # ranges
            expr = re.sub(r"\$\w+", "", expr)  # variables
            names = set(re.findall(r"[a-zA-Z_][a-zA-Z0-9_]*", expr)) - PROMQL_WORDS
            names = {n for n in names if not n.startswith("agentops_tag")}
            assert names <= EXPORTED, f"{panel['title']}: {names - EXPORTED}"


def test_the_seed_metrics_each_have_a_panel() -> None:
    titles = {panel["title"] for panel in dashboard_panels()}
    for wanted in (
        "Calls per second by provider and model",
        "Error rate per model",
        "Errors by error.type",
        "Latency distribution",
        "Latency p50 / p95 / p99 per model",
        "Time to first chunk p50 / p95 (streams)",
        "Input and output tokens per second",
        "Token compression ratio (output / input)",
        "Cache hit share (cache-read / input tokens)",
        "Saved by caching (USD per hour)",
        "Cost per model (USD per hour)",
        "Cost per tag (USD per hour)",
        "Running cost against each limit",
        "ROI per model",
    ):
        assert wanted in titles


def test_grafana_provisioning_points_at_the_dashboard_and_the_stack_services() -> None:
    sources = load(STACK / "grafana" / "provisioning" / "datasources" / "datasources.yaml")
    by_type = {source["type"]: source for source in sources["datasources"]}
    assert by_type["prometheus"]["url"] == "http://prometheus:9090"
    assert by_type["prometheus"]["isDefault"] is True
    assert by_type["jaeger"]["url"] == "http://jaeger:16686"
    providers = load(STACK / "grafana" / "provisioning" / "dashboards" / "dashboards.yaml")
    (provider,) = providers["providers"]
    assert provider["type"] == "file"
    mounts = compose_mounts("grafana")
    assert mounts[provider["options"]["path"]] == DASHBOARD.parent


# --- the collector ---------------------------------------------------------------------------

# The settings each component used here documents (component READMEs of
# opentelemetry-collector and -contrib: receiver/otlpreceiver, processor/batchprocessor,
# exporter/otlpexporter, exporter/debugexporter, exporter/prometheusexporter,
# extension/healthcheckextension; gRPC/HTTP server and client settings of config/configgrpc,
# confighttp, configtls), and which signals each one handles.
ENDPOINT = re.compile(r"^[\w.\-]*:\d{1,5}$")
COMPONENTS: dict[str, dict[str, Any]] = {
    "receivers/otlp": {
        "signals": {"traces", "metrics", "logs"},
        "keys": {"protocols": {"grpc": {"endpoint": ENDPOINT}, "http": {"endpoint": ENDPOINT}}},
    },
    "processors/batch": {
        "signals": {"traces", "metrics", "logs"},
        "keys": {"timeout": re.compile(r"^\d+(ms|s|m)$"), "send_batch_size": int,
                 "send_batch_max_size": int},
    },
    "exporters/otlp": {
        "signals": {"traces", "metrics", "logs"},
        "keys": {"endpoint": ENDPOINT, "tls": {"insecure": bool}, "compression": str},
    },
    "exporters/prometheus": {
        "signals": {"metrics"},
        "keys": {"endpoint": ENDPOINT, "namespace": str, "const_labels": dict,
                 "send_timestamps": bool, "metric_expiration": re.compile(r"^\d+(s|m|h)$"),
                 "resource_to_telemetry_conversion": {"enabled": bool},
                 "enable_open_metrics": bool, "add_metric_suffixes": bool},
    },
    "exporters/debug": {
        "signals": {"traces", "metrics", "logs"},
        "keys": {"verbosity": re.compile(r"^(basic|normal|detailed)$"),
                 "sampling_initial": int, "sampling_thereafter": int},
    },
    "extensions/health_check": {"signals": set(), "keys": {"endpoint": ENDPOINT}},
}  # fmt: skip


def check_settings(where: str, value: Any, schema: Any) -> None:
    if isinstance(schema, dict):
        assert isinstance(value, dict), f"{where} must be a mapping"
        unknown = set(value) - set(schema)
        assert not unknown, f"{where}: settings not in the component's documentation: {unknown}"
        for key, item in value.items():
            check_settings(f"{where}.{key}", item, schema[key])
    elif isinstance(schema, re.Pattern):
        assert isinstance(value, str) and schema.match(value), f"{where}={value!r}"
    else:
        assert isinstance(value, schema), f"{where} must be {schema.__name__}"


def test_collector_config_follows_the_documented_schema() -> None:
    config = load(COLLECTOR)
    assert set(config) <= {"receivers", "processors", "exporters", "extensions", "service"}
    defined: dict[str, str] = {}
    for section in ("receivers", "processors", "exporters", "extensions"):
        for name, settings in (config.get(section) or {}).items():
            kind = f"{section}/{name.split('/')[0]}"  # "otlp/jaeger" is an otlp exporter
            assert kind in COMPONENTS, f"{kind} is not a component this test knows"
            check_settings(f"{section}.{name}", settings or {}, COMPONENTS[kind]["keys"])
            defined[f"{section}/{name}"] = kind
    service = config["service"]
    assert set(service) <= {"extensions", "pipelines", "telemetry"}
    for extension in service.get("extensions", []):
        assert f"extensions/{extension}" in defined
    pipelines = service["pipelines"]
    assert set(pipelines) == {"traces", "metrics", "logs"}
    for pipeline_name, pipeline in pipelines.items():
        signal = pipeline_name.split("/")[0]
        assert set(pipeline) <= {"receivers", "processors", "exporters"}
        assert pipeline["receivers"] and pipeline["exporters"]
        for section in ("receivers", "processors", "exporters"):
            for name in pipeline.get(section, []):
                kind = defined.get(f"{section}/{name}")
                assert kind, f"pipeline {pipeline_name} uses undefined {section[:-1]} {name}"
                assert signal in COMPONENTS[kind]["signals"], f"{name} cannot take {signal}"
    # Inside containers the receivers must listen beyond loopback (the default since
    # collector 0.104 is localhost).
    protocols = config["receivers"]["otlp"]["protocols"]
    assert protocols["grpc"]["endpoint"] == "0.0.0.0:4317"
    assert protocols["http"]["endpoint"] == "0.0.0.0:4318"


def test_the_collector_feeds_jaeger_and_prometheus_at_their_compose_names() -> None:
    config = load(COLLECTOR)
    services = load(COMPOSE)["services"]
    jaeger_host = config["exporters"]["otlp/jaeger"]["endpoint"].split(":")[0]
    assert jaeger_host in services
    port = config["exporters"]["prometheus"]["endpoint"].split(":")[1]
    (scraped,) = [
        target
        for job in load(PROMETHEUS_DIR / "prometheus.yml")["scrape_configs"]
        if job["job_name"] == "otel-collector"
        for static in job["static_configs"]
        for target in static["targets"]
    ]
    assert scraped == f"otel-collector:{port}"
    assert "otel-collector" in services


# --- compose ---------------------------------------------------------------------------------


def compose_mounts(service: str) -> dict[str, Path]:
    """Container path -> host path of a compose service's bind mounts."""
    mounts = {}
    for volume in load(COMPOSE)["services"][service].get("volumes", []):
        source, target = volume.split(":")[:2]
        mounts[target] = (COMPOSE.parent / source).resolve()
    return mounts


def test_compose_file_mounts_existing_files_and_pins_images() -> None:
    services = load(COMPOSE)["services"]
    assert set(services) == {"otel-collector", "jaeger", "prometheus", "grafana"}
    for name, service in services.items():
        image = service["image"]
        assert re.match(r"^[\w./-]+:v?\d+\.\d+\.\d+$", image), f"{name}: pin {image}"
        for host_path in compose_mounts(name).values():
            assert host_path.exists(), f"{name} mounts {host_path}, which does not exist"
        for dependency in service.get("depends_on", []):
            assert dependency in services
    published = {
        port.split(":")[0] for service in services.values() for port in service.get("ports", [])
    }
    assert {"4317", "4318", "16686", "9090", "3000"} <= published
    command = services["otel-collector"]["command"]
    (config_flag,) = [arg for arg in command if arg.startswith("--config=")]
    assert compose_mounts("otel-collector")[config_flag.split("=", 1)[1]] == COLLECTOR.resolve()
    prometheus_mounts = compose_mounts("prometheus")
    assert prometheus_mounts["/etc/prometheus/prometheus.yml"] == PROMETHEUS_DIR / "prometheus.yml"
    assert prometheus_mounts["/etc/prometheus/rules"] == PROMETHEUS_DIR / "rules"
