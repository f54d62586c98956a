"""Cost limits shared by a fleet through a real Redis server (Debian's ``redis-server`` on
loopback): several processes on one budget, alerts once for the fleet, the bound on
overshoot, windows rolling over, the store killed, frozen, flushed and back, fail open and
closed, streams, the fleet gauge, and the settings."""

from __future__ import annotations

import json
import logging
import math
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import agentops.limits
import pytest
import test_client_helpers as helpers
from agentops import BudgetStoreUnreachable, CostLimit, CostLimitExceeded
from agentops.budget_store import LocalBudgetStore, budget_store_from
from agentops.limits import CostTracker
from agentops.redis_budget_store import GRACE_SECONDS, RedisBudgetStore
from opentelemetry.instrumentation.agentops.core import Request
from redis_server import RedisServer, redis_server
from test_client_helpers import configure, genai_spans, openai_client

_isolated_hooks = helpers._isolated_hooks
agentops_client = helpers.agentops_client
logs = helpers.logs
redis_server = redis_server  # the fixture, found by name here

WORKER = Path(__file__).parent / "apps" / "budget_worker.py"
REQUEST = Request(provider="openai", operation="chat", model="gpt-4o-mini")
UNREACHABLE = "unreachable"


def run_fleet(mode: str, settings: list[dict], timeout: float = 120) -> list[dict]:
    """Start one worker process per settings dict at once; their JSON results and stderr."""
    start_at = time.time() + 3  # after every worker has imported and connected
    processes = [
        subprocess.Popen(
            [sys.executable, str(WORKER), mode, json.dumps({**one, "start_at": start_at})],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for one in settings
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=timeout)
        assert process.returncode == 0, err
        results.append({**json.loads(out.strip().splitlines()[-1]), "stderr": err})
    return results


def budget_keys(server: RedisServer, name: str) -> list[bytes]:
    """The hashes of the limit ``name`` (one per window), not its alert markers."""
    return [key for key in server.client().keys(f"*:{name}:*") if b":alerted:" not in key]


def fleet_total(server: RedisServer, name: str) -> float:
    """The running cost Redis holds for the limit ``name``, read with redis-py directly."""
    keys = budget_keys(server, name)
    assert keys, f"no key for {name}"
    return sum(float(server.client().hget(key, "_total")) for key in keys)


def store_warnings(caplog) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and UNREACHABLE in r.getMessage()
    ]


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


# -- several processes, one budget ---------------------------------------------------------------


def test_processes_share_one_budget_and_alert_once(redis_server):
    # 4 processes x 250 charges of 1 cent at once: every cent counted, no lost update, and
    # the soft limit's crossing alerts in exactly one process.
    limit = {"name": "fleet", "limit_usd": 6.0, "window_seconds": 86400}
    results = run_fleet(
        "charge",
        [{"url": redis_server.url, "limit": limit, "amount": 0.01, "count": 250}] * 4,
    )
    assert fleet_total(redis_server, "fleet") == pytest.approx(10.0, abs=1e-9)
    alerts = [spent for result in results for spent in result["alerts"]]
    assert len(alerts) == 1
    # The alert came from the charge that reached the budget first.
    assert 6.0 <= alerts[0] < 6.0 + 0.01 + 1e-9
    assert all(UNREACHABLE not in result["stderr"] for result in results)


def test_hard_limit_holds_for_the_fleet_with_real_calls(redis_server, emulator, telemetry):
    # What one call costs, measured on a span of this process.
    client = agentops.Client()
    try:
        configure(client, telemetry)
        openai_client(emulator).chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]
        )
        (span,) = genai_spans(telemetry)
        per_call = span.attributes["agentops.cost.total_usd"]
    finally:
        client.uninstrument()
    emulator.clear_requests()
    assert per_call > 0

    processes, threads = 3, 2
    callers = processes * threads
    limit_usd = 10.5 * per_call
    limit = {"name": "shared-cap", "limit_usd": limit_usd}
    results = run_fleet(
        "calls",
        [
            {
                "url": redis_server.url,
                "base_url": emulator.openai_base_url,
                "limit": limit,
                "threads": threads,
                "latency_ms": 30,
            }
        ]
        * processes,
    )
    sent = sum(result["sent"] for result in results)
    assert sent == len(emulator.requests)
    # Every caller was stopped, and the fleet spent at least the budget...
    assert sum(result["refused"] for result in results) == callers
    total = fleet_total(redis_server, "shared-cap")
    assert total == pytest.approx(sent * per_call)
    assert total >= limit_usd
    # ...but never more than the calls in flight when it was crossed: at most one per caller
    # (the crossing call included).
    assert sent <= math.ceil(limit_usd / per_call) + callers - 1
    # Without the shared store each process would have had the whole budget:
    assert sent < processes * math.ceil(limit_usd / per_call)
    # One alert for the fleet.
    assert sum(len(result["alerts"]) for result in results) == 1
    # Each process read the fleet's running cost (others' calls in flight may have ended
    # after it did).
    for result in results:
        assert limit_usd <= result["running"] <= total + 1e-12


def test_concurrent_streams_cross_the_limit_and_chunks_never_touch_redis(
    redis_server, emulator, telemetry, agentops_client
):
    configure(agentops_client, telemetry, budget_store=RedisBudgetStore(redis_server.url))
    sdk = openai_client(emulator)
    messages = [{"role": "user", "content": "hi"}]

    def stream_once(chunks: int) -> int:
        stream = sdk.chat.completions.create(
            model="gpt-4o-mini",
            messages=messages,
            stream=True,
            extra_headers={"x-emulator-chunks": str(chunks), "x-emulator-latency-ms": "20"},
        )
        return sum(1 for _ in stream)

    def commands_of_one_stream(chunks: int) -> dict[str, int]:
        before = redis_server.command_calls()
        assert stream_once(chunks) >= chunks
        after = redis_server.command_calls()
        used = {name: after[name] - before.get(name, 0) for name in after}
        return {name: calls for name, calls in used.items() if calls and name != "info"}

    agentops_client.add_cost_limit(name="probe", limit_usd=100.0, hard=True)
    stream_once(3)  # loads the script into Redis
    short, long = commands_of_one_stream(3), commands_of_one_stream(60)
    # One read before the call, one script when it ends (the commands inside the script are
    # counted too); nothing more for 60 chunks than for 3.
    assert short["hmget"] == 1 and short["evalsha"] == 1
    assert long == short
    stream_once(20)  # what each stream below costs
    per_call = genai_spans(telemetry)[-1].attributes["agentops.cost.total_usd"]
    assert per_call > 0
    agentops_client.remove_cost_limit("probe")

    limit_usd = 8.5 * per_call
    agentops_client.add_cost_limit(name="streams", limit_usd=limit_usd, hard=True)
    emulator.clear_requests()
    callers = 6
    refused = []

    def until_refused() -> None:
        while True:
            try:
                stream_once(20)
            except CostLimitExceeded:
                refused.append(True)
                return

    workers = [threading.Thread(target=until_refused) for _ in range(callers)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    sent = len(emulator.requests)
    assert len(refused) == callers
    assert agentops_client.running_cost("streams") == pytest.approx(sent * per_call)
    assert sent * per_call >= limit_usd
    assert sent <= math.ceil(limit_usd / per_call) + callers - 1


# -- windows ---------------------------------------------------------------------------------


def test_window_rolls_over_for_the_fleet(redis_server, monkeypatch):
    # Aligned to a real minute so the keys' expiry (Unix time) lies in the future.
    clock = Clock(math.floor(time.time() / 60) * 60 + 1.0)
    monkeypatch.setattr(agentops.limits, "_now", clock)
    alerts = []
    first, second = (CostTracker(RedisBudgetStore(redis_server.url)) for _ in range(2))
    for tracker in (first, second):
        tracker.add(CostLimit("minute", 1.0, window_seconds=60, hard=True))
    alerts += first.add_cost(0.6, "openai", "gpt-4o-mini", None)
    alerts += second.add_cost(0.6, "openai", "gpt-4o-mini", None)
    assert len(alerts) == 1 and alerts[0].window_start == clock.now - 1
    for tracker in (first, second):
        with pytest.raises(CostLimitExceeded) as caught:
            tracker.check(REQUEST)
        assert caught.value.resets_at == clock.now - 1 + 60
    (key,) = budget_keys(redis_server, "minute")
    # The window's key expires a grace period after the window ends.
    assert redis_server.client().expiretime(key) == clock.now - 1 + 60 + GRACE_SECONDS

    clock.now += 60  # the next minute: a new budget and a new alert, for both
    for tracker in (first, second):
        tracker.check(REQUEST)
        assert tracker.spent("minute") == 0
    alerts += second.add_cost(1.0, "openai", "gpt-4o-mini", None)
    assert len(alerts) == 2 and alerts[1].window_start == clock.now - 1
    with pytest.raises(CostLimitExceeded):
        first.check(REQUEST)


def test_fleet_alert_says_it_is_the_fleets(
    redis_server, emulator, telemetry, agentops_client, caplog
):
    configure(agentops_client, telemetry, budget_store=redis_server.url)
    agentops_client.add_cost_limit(name="tiny", limit_usd=1e-9)
    with caplog.at_level(logging.WARNING, logger="agentops"):
        helpers.chat(openai_client(emulator))
    (warning,) = [r.getMessage() for r in caplog.records if "crossed" in r.getMessage()]
    assert "Cost limit 'tiny' crossed" in warning
    assert f"by every process sharing Redis at {redis_server.url}" in warning


# -- the store failing -----------------------------------------------------------------------


def test_store_killed_and_restarted_mid_run(redis_server):
    # Two processes count 1 cent every 10 ms for about 3 s; Redis is killed once they have
    # counted 80 cents and started again (empty: no persistence) 1 s later.
    limit = {"name": "outage", "limit_usd": 1000.0, "window_seconds": 86400}
    settings = {
        "url": redis_server.url,
        "limit": limit,
        "amount": 0.01,
        "count": 300,
        "pause": 0.01,
        "retry_interval": 0.2,
    }
    fleet: list[dict] = []
    runner = threading.Thread(target=lambda: fleet.extend(run_fleet("charge", [settings] * 2)))
    runner.start()
    # Kill it once both are counting (start-up takes longer on a busy machine).
    deadline = time.monotonic() + 60
    while not (budget_keys(redis_server, "outage") and fleet_total(redis_server, "outage") > 0.8):
        assert time.monotonic() < deadline, "the workers did not start counting"
        time.sleep(0.02)
    redis_server.kill()
    time.sleep(1)
    redis_server.start()
    runner.join(60)
    assert len(fleet) == 2
    # Each process gave its whole share back to the empty server, then kept counting.
    assert fleet_total(redis_server, "outage") == pytest.approx(6.0, abs=1e-6)
    for result in fleet:
        lines = [line for line in result["stderr"].splitlines() if UNREACHABLE in line]
        assert len(lines) == 1, result["stderr"]
        assert lines[0].startswith("WARNING Budget store Redis at redis://127.0.0.1:")
        assert "answers again" in result["stderr"]
        assert result["slowest"] < 0.5


def test_frozen_store_costs_one_timeout_per_retry_interval(redis_server, caplog):
    store = RedisBudgetStore(redis_server.url, timeout=0.05, retry_interval=0.4)
    tracker = CostTracker(store)
    tracker.add(CostLimit("cap", 1e9, hard=True))
    tracker.add_cost(1.0, "openai", "gpt-4o-mini", None)
    redis_server.freeze()  # connections hang: every reply would time out
    durations = []
    started = time.monotonic()
    try:
        with caplog.at_level(logging.INFO, logger="agentops"):
            while time.monotonic() - started < 1.5:
                began = time.perf_counter()
                tracker.check(REQUEST)
                tracker.add_cost(0.5, "openai", "gpt-4o-mini", None)
                durations.append(time.perf_counter() - began)
    finally:
        redis_server.thaw()
    slow = [d for d in durations if d > 0.04]
    # Only the first call and one probe per retry interval waited (1.5 s / 0.4 s), each at
    # most a connect and a reply timeout, never a retry; the margin of one is for a busy
    # machine's scheduling.
    assert len(durations) > 100
    assert 1 <= len(slow) <= 2 + math.ceil(1.5 / 0.4)
    assert max(durations) < 0.05 * 2 + 0.1
    assert len(store_warnings(caplog)) == 1
    counted = 1.0 + 0.5 * len(durations)
    assert tracker.spent("cap") == pytest.approx(counted)  # estimated here meanwhile

    time.sleep(0.4)
    tracker.add_cost(0.5, "openai", "gpt-4o-mini", None)  # catches up
    assert store.reachable
    assert fleet_total(redis_server, "cap") == pytest.approx(counted + 0.5)


def test_store_down_at_start_then_up(redis_server, caplog):
    redis_server.kill()
    store = RedisBudgetStore(redis_server.url, retry_interval=0.2)
    tracker = CostTracker(store)
    tracker.add(CostLimit("late", 10.0))
    with caplog.at_level(logging.WARNING, logger="agentops"):
        for _ in range(20):
            assert tracker.add_cost(0.1, "openai", "gpt-4o-mini", None) == []
    assert len(store_warnings(caplog)) == 1
    assert "hard limits fail open" in store_warnings(caplog)[0]
    redis_server.start()
    time.sleep(0.2)
    tracker.add_cost(0.1, "openai", "gpt-4o-mini", None)
    assert fleet_total(redis_server, "late") == pytest.approx(2.1)


def test_flushed_store_gets_every_share_back(redis_server):
    first, second = (CostTracker(RedisBudgetStore(redis_server.url)) for _ in range(2))
    for tracker in (first, second):
        tracker.add(CostLimit("daily", 10.0, window_seconds=86400))
    first.add_cost(1.0, "openai", "gpt-4o-mini", None)
    second.add_cost(2.0, "openai", "gpt-4o-mini", None)
    redis_server.client().flushall()
    # Reading sees that Redis lost this process's share: it is still counted.
    assert first.spent("daily") == pytest.approx(1.0)
    first.add_cost(0.5, "openai", "gpt-4o-mini", None)
    second.add_cost(0.5, "openai", "gpt-4o-mini", None)
    assert fleet_total(redis_server, "daily") == pytest.approx(4.0)
    assert first.spent("daily") == second.spent("daily") == pytest.approx(4.0)


def test_fail_closed_refuses_hard_limit_calls_while_unreachable(redis_server, caplog):
    store = RedisBudgetStore(redis_server.url, retry_interval=0.2, when_unreachable="closed")
    tracker = CostTracker(store)
    tracker.add(CostLimit("cap", 10.0, hard=True))
    tracker.add(CostLimit("anthropic", 10.0, provider="anthropic", hard=True))
    tracker.add_cost(1.0, "openai", "gpt-4o-mini", None)
    tracker.check(REQUEST)
    redis_server.kill()
    with (
        caplog.at_level(logging.WARNING, logger="agentops"),
        pytest.raises(BudgetStoreUnreachable) as caught,
    ):
        tracker.check(REQUEST)
    assert isinstance(caught.value, CostLimitExceeded)
    assert caught.value.name == "cap" and caught.value.spent_usd == pytest.approx(1.0)
    assert "unreachable" in str(caught.value) and "not sent" in str(caught.value)
    assert "hard limits fail closed" in store_warnings(caplog)[0]
    # Calls no hard limit covers are not refused.
    tracker.remove("cap")
    tracker.check(REQUEST)
    tracker.add(CostLimit("cap", 10.0, hard=True))
    redis_server.start()
    time.sleep(0.2)
    tracker.check(REQUEST)  # the store answers: checked again


def test_fail_open_checks_this_process_estimate(redis_server):
    store = RedisBudgetStore(redis_server.url, retry_interval=30)
    tracker = CostTracker(store)
    other = CostTracker(RedisBudgetStore(redis_server.url))
    for one in (tracker, other):
        one.add(CostLimit("cap", 10.0, hard=True))
    other.add_cost(8.0, "openai", "gpt-4o-mini", None)
    tracker.check(REQUEST)  # reads 8.0
    redis_server.kill()
    tracker.add_cost(1.5, "openai", "gpt-4o-mini", None)
    tracker.check(REQUEST)  # 9.5 of 10 by its estimate: allowed
    crossed = tracker.add_cost(1.0, "openai", "gpt-4o-mini", None)
    assert [alert.spent_usd for alert in crossed] == [pytest.approx(10.5)]
    with pytest.raises(CostLimitExceeded) as caught:
        tracker.check(REQUEST)
    assert not isinstance(caught.value, BudgetStoreUnreachable)
    assert caught.value.spent_usd == pytest.approx(10.5)


def test_catch_up_alerts_a_crossing_made_while_unreachable(redis_server):
    # A limit the outage's costs crossed but no later call charges: the catch-up, pushed
    # with another limit's charge, alerts it once.
    store = RedisBudgetStore(redis_server.url, retry_interval=0.2)
    tracker = CostTracker(store)
    tracker.add(CostLimit("gpt", 1.0, model="gpt-4o"))
    tracker.add(CostLimit("claude", 100.0, provider="anthropic"))
    other = CostTracker(RedisBudgetStore(redis_server.url))
    other.add(CostLimit("gpt", 1.0, model="gpt-4o"))
    tracker.add_cost(0.1, "openai", "gpt-4o", None)
    redis_server.kill()
    tracker.add_cost(0.5, "openai", "gpt-4o", None)
    redis_server.start()
    other.add_cost(0.6, "openai", "gpt-4o", None)  # 0.6 in the empty store: below 1.0
    time.sleep(0.2)
    crossed = tracker.add_cost(1.0, "anthropic", "claude-3-5-haiku", None)
    assert [(alert.name, alert.spent_usd) for alert in crossed] == [("gpt", pytest.approx(1.2))]
    assert other.add_cost(0.1, "openai", "gpt-4o", None) == []


# -- the client: settings and the fleet gauge ------------------------------------------------


def test_fleet_gauge_is_the_same_in_every_process(redis_server, emulator, telemetry):
    # Two clients in one process stand for two processes: each exports its own share as
    # agentops.client.cost.running, and both the same fleet total.
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader

    first = agentops.Client()
    second_reader = InMemoryMetricReader()
    second = agentops.Client()
    try:
        configure(first, telemetry, budget_store=redis_server.url)
        first.add_cost_limit(name="all", limit_usd=10.0)
        helpers.chat(openai_client(emulator))
        cost = genai_spans(telemetry)[0].attributes["agentops.cost.total_usd"]
        second.configure(
            tracer_provider=telemetry.tracer_provider,
            meter_provider=MeterProvider(metric_readers=[second_reader]),
            budget_store=redis_server.url,
        )
        second.add_cost_limit(name="all", limit_usd=10.0)
        second._tracker.add_cost(2.0, "openai", "gpt-4o-mini", None)

        fleet = telemetry.metrics()["agentops.client.cost.fleet_running"]
        assert [(p.attributes, p.value) for p in fleet] == [
            ({"agentops.cost_limit.name": "all"}, pytest.approx(cost + 2.0))
        ]
        own = telemetry.metrics()["agentops.client.cost.running"]
        assert sum(p.value for p in own) == pytest.approx(cost)
        assert telemetry.metric_units()["agentops.client.cost.fleet_running"] == "USD"
        data = second_reader.get_metrics_data()
        points = {
            m.name: [p.value for p in m.data.data_points]
            for rm in data.resource_metrics
            for sm in rm.scope_metrics
            for m in sm.metrics
        }
        assert points["agentops.client.cost.fleet_running"] == [pytest.approx(cost + 2.0)]
        assert first.running_cost("all") == second.running_cost("all")
    finally:
        first.uninstrument()
        second.uninstrument()


def test_no_fleet_gauge_with_the_in_process_store(emulator, telemetry, agentops_client):
    configure(agentops_client, telemetry)
    agentops_client.add_cost_limit(name="all", limit_usd=10.0)
    helpers.chat(openai_client(emulator))
    metrics = telemetry.metrics()
    assert metrics.get("agentops.client.cost.fleet_running", []) == []
    assert len(metrics["agentops.client.cost.running"]) == 1
    assert isinstance(agentops_client.budget_store, LocalBudgetStore)


def test_store_from_the_environment(redis_server, monkeypatch, caplog):
    monkeypatch.setenv("AGENTOPS_BUDGET_STORE", redis_server.url)
    monkeypatch.setenv("AGENTOPS_BUDGET_STORE_PREFIX", "fleet-a")
    monkeypatch.setenv("AGENTOPS_BUDGET_STORE_WHEN_UNREACHABLE", "closed")
    monkeypatch.setenv("AGENTOPS_BUDGET_STORE_TIMEOUT", "0.2")
    monkeypatch.setenv("AGENTOPS_BUDGET_STORE_RETRY_INTERVAL", "2")
    client = agentops.Client()
    store = client.budget_store
    assert isinstance(store, RedisBudgetStore)
    assert store.when_unreachable == "closed"
    assert store._retry_interval == 2.0
    client.add_cost_limit(name="env", limit_usd=5.0)
    client._tracker.add_cost(1.0, "openai", "gpt-4o-mini", None)
    assert [key.decode().split(":")[0] for key in redis_server.client().keys("*")] == ["fleet-a"]

    for bad in ("http://example.com", "redis://", "mongodb://x"):
        monkeypatch.setenv("AGENTOPS_BUDGET_STORE", bad)
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="agentops"):
            store = agentops.Client().budget_store
        if bad == "redis://":
            assert isinstance(store, RedisBudgetStore)  # localhost, as redis-py reads it
            continue
        assert isinstance(store, LocalBudgetStore)
        (warning,) = caplog.records
        assert "AGENTOPS_BUDGET_STORE" in warning.getMessage()
        assert "this process only" in warning.getMessage()


def test_configure_budget_store_argument(redis_server, telemetry, agentops_client):
    configure(agentops_client, telemetry, budget_store="memory")
    assert isinstance(agentops_client.budget_store, LocalBudgetStore)
    configure(agentops_client, telemetry, budget_store=redis_server.url)
    assert isinstance(agentops_client.budget_store, RedisBudgetStore)
    with pytest.raises(TypeError):
        configure(agentops_client, telemetry, budget_store=42)
    with pytest.raises(ValueError, match="neither 'memory' nor"):
        configure(agentops_client, telemetry, budget_store="postgres://secret@db")
    # A rejected call changed nothing.
    assert isinstance(agentops_client.budget_store, RedisBudgetStore)


def test_passwords_stay_out_of_log_lines(caplog):
    store = budget_store_from("redis://user:hunter2@127.0.0.1:1/0")
    assert "hunter2" not in repr(store) and "hunter2" not in store.describe()
    with caplog.at_level(logging.DEBUG, logger="agentops"):
        tracker = CostTracker(store)
        tracker.add(CostLimit("x", 1.0))
        tracker.add_cost(0.1, "openai", "gpt-4o-mini", None)
    assert store_warnings(caplog)
    assert all("hunter2" not in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"timeout": 0},
        {"timeout": float("nan")},
        {"retry_interval": -1},
        {"when_unreachable": "maybe"},
        {"key_prefix": ""},
    ],
)
def test_bad_store_settings_are_rejected(kwargs):
    with pytest.raises(ValueError):
        RedisBudgetStore("redis://127.0.0.1:1/0", **kwargs)


def test_fleet_gauge_name_in_prometheus(redis_server, telemetry, agentops_client):
    # The name the alert rules and the dashboard use, as the Prometheus exporter writes it.
    from opentelemetry.exporter.prometheus import PrometheusMetricReader
    from opentelemetry.sdk.metrics import MeterProvider
    from prometheus_client import CollectorRegistry, generate_latest

    registry = CollectorRegistry()
    meter_provider = MeterProvider(metric_readers=[PrometheusMetricReader(registry=registry)])
    try:
        agentops_client.configure(
            tracer_provider=telemetry.tracer_provider,
            meter_provider=meter_provider,
            budget_store=redis_server.url,
        )
        agentops_client.add_cost_limit(name="team", limit_usd=10.0)
        agentops_client._tracker.add_cost(2.5, "openai", "gpt-4o-mini", None)
        text = generate_latest(registry).decode()
    finally:
        meter_provider.shutdown()
    fleet = re.compile(
        r'^agentops_client_cost_fleet_running_USD\{[^}]*agentops_cost_limit_name="team"[^}]*\} '
        r"2\.5$",
        re.MULTILINE,
    )
    assert fleet.search(text), text
