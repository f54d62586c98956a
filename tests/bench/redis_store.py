"""What the Redis budget store costs per call: `make bench` runs it when redis-server exists.

Run: ``uv run --no-sync python tests/bench/redis_store.py``. It starts its own
``redis-server`` (``$REDIS_SERVER_BIN``, ``PATH`` or ``/usr/bin/redis-server``) on a free
loopback port, without persistence, and measures, for a tracker with three limits (all
calls, one provider, one model) of which one is hard:

- the wall time of counting one call's cost (``add_cost``) and of the pre-call check, with
  the in-process store and with Redis, beside one redis-py ``PING`` (one round trip);
- the Redis commands each call sends (``INFO commandstats``, top-level commands only);
- the same with Redis killed (the circuit breaker open: no socket is touched), which must
  take less than half a ``PING``;
- real instrumented openai streams through the provider emulator, 5 and 100 chunks: the
  commands per stream must not depend on the number of chunks.

Figures are medians over batches of the mean per call. Like the other benchmarks it prints
PASS/FAIL and always exits 0: it is a report. Without redis-server it says so and exits 0.
"""

from __future__ import annotations

import gc
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

CALLS_PER_BATCH = 2000
BATCHES = 7
SCRIPT_COMMANDS = frozenset({"hget", "hset", "hincrbyfloat", "expireat", "set"})
"""Commands the charge script runs inside Redis (counted by commandstats, not round trips)."""


def redis_server_binary() -> str | None:
    configured = os.environ.get("REDIS_SERVER_BIN")
    if configured:
        return configured
    return shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").is_file() else None
    )


def start_redis(binary: str, directory: str) -> tuple[subprocess.Popen[bytes], str]:
    import redis

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if redis.Redis.from_url(url).ping():
                return process, url
        except redis.ConnectionError:
            time.sleep(0.02)
    process.kill()
    raise RuntimeError("redis-server did not start")


def per_call_us(operation: Callable[[], object]) -> tuple[float, float]:
    """Median and best of the mean µs per call over the batches."""
    for _ in range(200):
        operation()
    means = []
    for _ in range(BATCHES):
        gc.disable()
        try:
            start = time.perf_counter_ns()
            for _ in range(CALLS_PER_BATCH):
                operation()
            means.append((time.perf_counter_ns() - start) / CALLS_PER_BATCH / 1000)
        finally:
            gc.enable()
    return statistics.median(means), min(means)


_STATS_CLIENTS: dict[str, object] = {}


def round_trips(url: str) -> dict[str, int]:
    """Top-level commands Redis has run, but for this function's own ``INFO`` (one
    connection kept, so its handshake is not counted either)."""
    import redis

    client = _STATS_CLIENTS.get(url)
    if client is None:
        client = _STATS_CLIENTS[url] = redis.Redis.from_url(url)
        client.ping()  # type: ignore[attr-defined]
    stats = client.info("commandstats")  # type: ignore[attr-defined]
    calls = {name.removeprefix("cmdstat_"): int(v["calls"]) for name, v in stats.items()}
    return {n: c for n, c in calls.items() if n not in SCRIPT_COMMANDS and n != "info"}


def commands_during(url: str, operation: Callable[[], object], times: int) -> dict[str, float]:
    before = round_trips(url)
    for _ in range(times):
        operation()
    after = round_trips(url)
    return {
        name: (after[name] - before.get(name, 0)) / times
        for name in after
        if after[name] != before.get(name, 0)
    }


def tracker_with_limits(store: object) -> object:
    from agentops.limits import CostLimit, CostTracker

    tracker = CostTracker(store)  # type: ignore[arg-type]
    tracker.add(CostLimit("all", 1e12, window_seconds=86400))
    tracker.add(CostLimit("openai", 1e12, provider="openai", window_seconds=86400, hard=True))
    tracker.add(CostLimit("gpt-4o", 1e12, model="gpt-4o", window_seconds=86400))
    return tracker


def stream_commands(url: str) -> dict[int, dict[str, float]]:
    """Commands per instrumented openai stream of 5 and of 100 chunks."""
    import openai
    from agentops import Client
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.trace import TracerProvider
    from provider_emulator.server import EmulatorServer

    result = {}
    with EmulatorServer() as emulator:
        client = Client().configure(
            tracer_provider=TracerProvider(),
            meter_provider=MeterProvider(),
            budget_store=url,
            cost_limits=[{"name": "cap", "limit_usd": 1e12, "hard": True}],
        )
        sdk = openai.OpenAI(api_key="sk-bench", base_url=emulator.openai_base_url, max_retries=0)
        try:
            for chunks in (5, 100):

                def stream(chunks: int = chunks) -> None:
                    for _ in sdk.chat.completions.create(
                        model="gpt-4o-mini",
                        messages=[{"role": "user", "content": "hi"}],
                        stream=True,
                        extra_headers={"x-emulator-chunks": str(chunks)},
                    ):
                        pass

                stream()  # loads the script
                result[chunks] = commands_during(url, stream, 20)
        finally:
            client.uninstrument()
    return result


def main() -> None:
    binary = redis_server_binary()
    if binary is None:
        print(
            "Redis budget store: SKIPPED (redis-server not installed: apt-get install redis-server)"
        )
        return
    import redis
    from agentops.budget_store import LocalBudgetStore
    from agentops.redis_budget_store import RedisBudgetStore
    from opentelemetry.instrumentation.agentops.core import Request

    request = Request(provider="openai", operation="chat", model="gpt-4o-mini")
    failed = False

    def verdict(ok: bool) -> str:
        nonlocal failed
        failed |= not ok
        return "PASS" if ok else "FAIL"

    with tempfile.TemporaryDirectory() as directory:
        process, url = start_redis(binary, directory)
        try:
            version = redis.Redis.from_url(url).info("server")["redis_version"]
            print(
                f"Redis budget store: redis-server {version} on loopback, redis-py "
                f"{redis.__version__}; µs per call, median (best) of {BATCHES} x "
                f"{CALLS_PER_BATCH}; 3 limits, 1 hard"
            )
            ping_client = redis.Redis.from_url(url, socket_timeout=0.1)
            ping = per_call_us(ping_client.ping)
            print(f"  {'redis-py PING (one round trip)':<44} {ping[0]:7.1f} ({ping[1]:.1f})")

            local = tracker_with_limits(LocalBudgetStore())
            shared = tracker_with_limits(RedisBudgetStore(url))
            rows = []
            for label, tracker in (("in-process", local), ("Redis", shared)):

                def charge(tracker: object = tracker) -> None:
                    tracker.add_cost(1e-6, "openai", "gpt-4o-mini", None)  # type: ignore[attr-defined]

                def check(tracker: object = tracker) -> None:
                    tracker.check(request)  # type: ignore[attr-defined]

                rows.append((f"{label}: add_cost (call ends)", per_call_us(charge)))
                rows.append((f"{label}: check (hard limit, before the call)", per_call_us(check)))
            for label, (median, best) in rows:
                print(f"  {label:<44} {median:7.1f} ({best:.1f})")

            def a_call() -> None:
                shared.check(request)  # type: ignore[attr-defined]
                shared.add_cost(1e-6, "openai", "gpt-4o-mini", None)  # type: ignore[attr-defined]

            per_call = commands_during(url, a_call, 500)
            total = sum(per_call.values())
            print(
                f"  round trips per call in the scope of a hard limit: {total:g} "
                f"({', '.join(f'{n} {c:g}' for n, c in sorted(per_call.items()))}); "
                f"target <= 2 (check + count)  {verdict(total <= 2)}"
            )
            soft = tracker_with_limits(RedisBudgetStore(url))
            soft.remove("openai")  # type: ignore[attr-defined]
            soft.add_cost(1e-6, "openai", "gpt-4o-mini", None)  # type: ignore[attr-defined]
            soft_calls = commands_during(
                url,
                lambda: soft.add_cost(1e-6, "openai", "gpt-4o-mini", None),  # type: ignore[attr-defined]
                500,
            )
            soft_total = sum(soft_calls.values())
            print(
                f"  round trips per call with soft limits only: {soft_total:g}; target <= 1  "
                f"{verdict(soft_total <= 1)}"
            )

            streams = stream_commands(url)
            same = streams[5] == streams[100]
            print(
                f"  commands per instrumented stream: 5 chunks {streams[5]}, 100 chunks "
                f"{streams[100]}; none per chunk  {verdict(same)}"
            )
        finally:
            process.kill()
            process.wait(10)
        # Redis gone: the first operation fails (connection refused) and opens the breaker.
        down = tracker_with_limits(RedisBudgetStore(url, retry_interval=3600))

        def down_call() -> None:
            down.check(request)  # type: ignore[attr-defined]
            down.add_cost(1e-6, "openai", "gpt-4o-mini", None)  # type: ignore[attr-defined]

        import logging

        logging.getLogger("agentops").setLevel(logging.ERROR)  # the one WARNING, expected
        unreachable = per_call_us(down_call)
        print(
            f"  {'Redis down: check + add_cost (breaker open)':<44} {unreachable[0]:7.1f} "
            f"({unreachable[1]:.1f}); target < half a PING (no socket)  "
            f"{verdict(unreachable[0] < ping[0] / 2)}"
        )
    print(f"Redis budget store: {'FAIL' if failed else 'PASS'}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
