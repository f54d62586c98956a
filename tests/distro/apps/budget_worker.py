"""One process of a fleet sharing cost limits through Redis (test_budget_store_redis.py).

    python budget_worker.py charge SETTINGS_JSON   # count costs straight into the tracker
    python budget_worker.py calls SETTINGS_JSON    # real openai calls through the emulator

Every worker waits until ``start_at`` (Unix time) so the fleet starts at once, then prints
one JSON line with what it did; log lines of the ``agentops`` logger go to stderr.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from typing import Any


def wait_for_start(settings: dict[str, Any]) -> None:
    delay = settings["start_at"] - time.time()
    if delay > 0:
        time.sleep(delay)


def charge(settings: dict[str, Any]) -> dict[str, Any]:
    """``count`` costs of ``amount``, ``pause`` seconds apart, against the limit."""
    from agentops.limits import CostLimit, CostTracker
    from agentops.redis_budget_store import RedisBudgetStore

    tracker = CostTracker(
        RedisBudgetStore(
            settings["url"],
            timeout=settings.get("timeout", 0.1),
            retry_interval=settings.get("retry_interval", 5.0),
        )
    )
    tracker.add(CostLimit(**settings["limit"]))
    alerts = []
    slowest = 0.0
    counted = 0.0
    wait_for_start(settings)
    for _ in range(settings["count"]):
        started = time.perf_counter()
        alerts.extend(tracker.add_cost(settings["amount"], "openai", "gpt-4o-mini", None))
        slowest = max(slowest, time.perf_counter() - started)
        counted += settings["amount"]
        if settings.get("pause"):
            time.sleep(settings["pause"])
    return {
        "alerts": [alert.spent_usd for alert in alerts],
        "counted": counted,
        "slowest": slowest,
    }


def calls(settings: dict[str, Any]) -> dict[str, Any]:
    """``threads`` threads calling the openai SDK until a hard limit refuses them."""
    import openai
    from agentops import Client, CostLimitExceeded
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.trace import TracerProvider

    alerts = []
    client = Client().configure(
        tracer_provider=TracerProvider(),
        meter_provider=MeterProvider(),
        budget_store=settings["url"],
        cost_limits=[{**settings["limit"], "hard": True, "on_exceed": alerts.append}],
    )
    sdk = openai.OpenAI(api_key="sk-test", base_url=settings["base_url"], max_retries=0)
    headers = {"x-emulator-latency-ms": str(settings.get("latency_ms", 20))}
    sent: list[float] = []
    refused = []
    lock = threading.Lock()

    def call_until_refused() -> None:
        while True:
            try:
                if settings.get("stream"):
                    stream = sdk.chat.completions.create(
                        model="gpt-4o-mini",
                        messages=[{"role": "user", "content": "hi"}],
                        stream=True,
                        extra_headers={**headers, "x-emulator-chunks": "20"},
                    )
                    for _ in stream:
                        pass
                else:
                    sdk.chat.completions.create(
                        model="gpt-4o-mini",
                        messages=[{"role": "user", "content": "hi"}],
                        extra_headers=headers,
                    )
            except CostLimitExceeded as error:
                with lock:
                    refused.append(error.spent_usd)
                return
            with lock:
                sent.append(time.time())

    wait_for_start(settings)
    workers = [threading.Thread(target=call_until_refused) for _ in range(settings["threads"])]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return {
        "sent": len(sent),
        "refused": len(refused),
        "alerts": [alert.spent_usd for alert in alerts],
        "running": client.running_cost(settings["limit"]["name"]),
    }


def main() -> None:
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(levelname)s %(message)s")
    mode, raw = sys.argv[1], sys.argv[2]
    settings = json.loads(raw)
    result = {"charge": charge, "calls": calls}[mode](settings)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
