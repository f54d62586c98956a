"""Cost limits: running cost from finished spans, alerts once per crossing, hard limits that
stop the next call before it is sent, tumbling windows, the running-cost gauge."""

from __future__ import annotations

import logging
import threading

import agentops.limits
import openai
import pytest
import test_client_helpers as helpers
from agentops import CostLimit, CostLimitExceeded
from agentops.limits import CostTracker
from opentelemetry.instrumentation.agentops.core import Request, hooks
from test_client_helpers import (
    async_openai_client,
    chat,
    configure,
    genai_spans,
    openai_client,
)

# Fixtures shared through the helpers module (pytest finds them by name here).
_isolated_hooks = helpers._isolated_hooks
agentops_client = helpers.agentops_client
logs = helpers.logs

CROSSED = "agentops.cost_limit.crossed"
TINY = 1e-9  # below the price of any call the emulator answers


class Clock:
    """Stands in for ``time.time`` in ``agentops.limits``."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock(1_700_000_000.0)
    monkeypatch.setattr(agentops.limits, "_now", fake)
    return fake


def cost_of(span) -> float:
    return span.attributes["agentops.cost.total_usd"]


def test_soft_limit_alerts_once_per_crossing(emulator, telemetry, logs, agentops_client, caplog):
    alerts = []
    configure(
        agentops_client,
        telemetry,
        logs,
        cost_limits=[{"name": "daily", "limit_usd": TINY, "on_exceed": alerts.append}],
    )
    client = openai_client(emulator)
    with caplog.at_level(logging.WARNING, logger="agentops"):
        chat(client)
        chat(client)
        chat(client)

    first, second, third = genai_spans(telemetry)
    # One warning, one log record, one span event, one callback: all for the first call.
    warnings = [r for r in caplog.records if "Cost limit 'daily' crossed" in r.getMessage()]
    assert len(warnings) == 1
    (record,) = logs.events(CROSSED)
    attributes = record.log_record.attributes
    assert attributes["agentops.cost_limit.name"] == "daily"
    assert attributes["agentops.cost_limit.limit_usd"] == TINY
    assert attributes["agentops.cost_limit.spent_usd"] == pytest.approx(cost_of(first))
    assert record.log_record.trace_id == first.context.trace_id
    assert record.log_record.span_id == first.context.span_id
    assert record.log_record.severity_number.value == 13

    (event,) = first.events
    assert event.name == CROSSED
    assert event.attributes["agentops.cost_limit.name"] == "daily"
    assert not second.events and not third.events

    (alert,) = alerts
    assert alert.name == "daily"
    assert alert.limit_usd == TINY
    assert alert.spent_usd == pytest.approx(cost_of(first))
    assert alert.span_id == first.context.span_id
    assert alert.window_start is None and alert.window_end is None
    # Soft: every call was sent.
    assert len(emulator.requests) == 3
    assert agentops_client.running_cost("daily") == pytest.approx(
        cost_of(first) + cost_of(second) + cost_of(third)
    )


def test_limit_not_reached_does_not_alert(emulator, telemetry, logs, agentops_client):
    alerts = []
    configure(agentops_client, telemetry, logs)
    agentops_client.add_cost_limit(name="roomy", limit_usd=10.0, on_exceed=alerts.append)
    chat(openai_client(emulator))
    assert alerts == [] and logs.events(CROSSED) == []
    assert 0 < agentops_client.running_cost("roomy") < 10


def test_hard_limit_stops_the_next_call_before_sending(emulator, telemetry, agentops_client):
    configure(agentops_client, telemetry)
    agentops_client.add_cost_limit(name="cap", limit_usd=TINY, hard=True)
    client = openai_client(emulator)
    chat(client)  # crosses the limit; it was already sent, so it completes
    assert len(emulator.requests) == 1

    with pytest.raises(CostLimitExceeded) as caught:
        chat(client)
    assert len(emulator.requests) == 1  # nothing was sent
    error = caught.value
    assert error.name == "cap"
    assert error.limit_usd == TINY
    assert error.spent_usd > TINY
    assert "cap" in str(error) and "not sent" in str(error)
    # Streams and other operations in scope are stopped too.
    with pytest.raises(CostLimitExceeded):
        client.embeddings.create(model="text-embedding-3-small", input="x")
    assert len(emulator.requests) == 1
    assert len(genai_spans(telemetry)) == 1


async def test_hard_limit_stops_async_calls(emulator, telemetry, agentops_client):
    configure(agentops_client, telemetry, cost_limits=[CostLimit("cap", TINY, hard=True)])
    client = async_openai_client(emulator)
    messages = [{"role": "user", "content": "hi"}]
    await client.chat.completions.create(model="gpt-4o-mini", messages=messages)
    with pytest.raises(CostLimitExceeded):
        await client.chat.completions.create(model="gpt-4o-mini", messages=messages)
    assert len(emulator.requests) == 1
    await client.close()


def test_hard_limit_scope_by_provider_and_model(emulator, telemetry, agentops_client):
    configure(agentops_client, telemetry)
    agentops_client.add_cost_limit(
        name="gpt-4o", limit_usd=TINY, provider="openai", model="gpt-4o", hard=True
    )
    agentops_client.add_cost_limit(
        name="anthropic", limit_usd=TINY, provider="anthropic", hard=True
    )
    client = openai_client(emulator)
    chat(client, model="gpt-4o-mini")  # "gpt-4o" covers gpt-4o-mini: crossed

    with pytest.raises(CostLimitExceeded):
        chat(client, model="gpt-4o")
    chat(client, model="gpt-4.1-mini")  # out of the model scope: allowed
    assert agentops_client.running_cost("anthropic") == 0
    assert len(emulator.requests) == 2


def test_window_reset(emulator, telemetry, logs, agentops_client, clock):
    alerts = []
    configure(agentops_client, telemetry, logs)
    agentops_client.add_cost_limit(
        name="hourly", limit_usd=TINY, window_seconds=3600, hard=True, on_exceed=alerts.append
    )
    client = openai_client(emulator)
    clock.now = 3600 * 500_000 + 10  # 10 s into an hour
    chat(client)
    with pytest.raises(CostLimitExceeded) as caught:
        chat(client)
    assert caught.value.resets_at == 3600 * 500_001
    assert alerts[0].window_start == 3600 * 500_000
    assert alerts[0].window_end == 3600 * 500_001

    clock.now = 3600 * 500_001 + 1  # the next hour: running cost and alert start again
    assert agentops_client.running_cost("hourly") == 0
    chat(client)
    with pytest.raises(CostLimitExceeded):
        chat(client)
    assert len(alerts) == 2
    assert len(logs.events(CROSSED)) == 2
    assert len(emulator.requests) == 2


def test_callback_errors_are_logged_and_the_call_is_unaffected(
    emulator, telemetry, agentops_client, caplog
):
    def broken(alert) -> None:
        raise RuntimeError("pager is down")

    configure(agentops_client, telemetry)
    agentops_client.add_cost_limit(name="noisy", limit_usd=TINY, on_exceed=broken)
    with caplog.at_level(logging.WARNING, logger="agentops"):
        response = chat(openai_client(emulator))

    assert response.choices[0].message.content.startswith("Emulated reply")
    (record,) = [r for r in caplog.records if "on_exceed" in r.getMessage()]
    assert "noisy" in record.getMessage()
    assert record.exc_info is not None


def test_running_cost_gauge(emulator, telemetry, agentops_client):
    configure(agentops_client, telemetry)
    agentops_client.add_cost_limit(name="all", limit_usd=5.0)
    agentops_client.add_cost_limit(name="anthropic", limit_usd=5.0, provider="anthropic")
    chat(openai_client(emulator))

    (span,) = genai_spans(telemetry)
    gauge = {
        p.attributes["agentops.cost_limit.name"]: p.value
        for p in telemetry.metrics()["agentops.client.cost.running"]
    }
    assert gauge == {"all": pytest.approx(cost_of(span)), "anthropic": 0.0}
    assert telemetry.metric_units()["agentops.client.cost.running"] == "USD"


def test_limit_processor_runs_after_the_cost_processor(telemetry, agentops_client):
    configure(agentops_client, telemetry)
    kinds = [
        type(processor).__name__
        for processor in telemetry.tracer_provider._active_span_processor._span_processors
    ]
    assert kinds.index("CostSpanProcessor") < kinds.index("CostLimitProcessor")


def test_limit_added_before_configure_counts(emulator, telemetry, agentops_client):
    agentops_client.add_cost_limit(name="early", limit_usd=TINY, hard=True)
    configure(agentops_client, telemetry)
    client = openai_client(emulator)
    chat(client)
    with pytest.raises(CostLimitExceeded):
        chat(client)


def test_replacing_a_limit_keeps_what_was_spent(emulator, telemetry, agentops_client):
    configure(agentops_client, telemetry)
    agentops_client.add_cost_limit(name="budget", limit_usd=10.0)
    chat(openai_client(emulator))
    spent = agentops_client.running_cost("budget")
    agentops_client.add_cost_limit(name="budget", limit_usd=20.0)
    assert agentops_client.running_cost("budget") == spent
    agentops_client.add_cost_limit(name="budget", limit_usd=20.0, provider="anthropic")
    assert agentops_client.running_cost("budget") == 0
    assert agentops_client.remove_cost_limit("budget")
    assert agentops_client.cost_limits == []


def test_raising_a_hard_limit_lets_calls_through(emulator, telemetry, agentops_client):
    configure(agentops_client, telemetry)
    agentops_client.add_cost_limit(name="cap", limit_usd=TINY, hard=True)
    client = openai_client(emulator)
    chat(client)
    with pytest.raises(CostLimitExceeded):
        chat(client)
    agentops_client.add_cost_limit(name="cap", limit_usd=100.0, hard=True)
    chat(client)
    assert len(emulator.requests) == 2


def test_uninstrument_removes_the_check(emulator, telemetry):
    client = agentops.Client()
    configure(client, telemetry)
    client.add_cost_limit(name="cap", limit_usd=0.0, hard=True)
    assert client._check in hooks.pre_call_checks
    client.uninstrument()
    assert client._check not in hooks.pre_call_checks
    chat(openai_client(emulator))  # not instrumented, not checked


def test_cost_limit_exceeded_is_picklable():
    import pickle

    error = pickle.loads(pickle.dumps(CostLimitExceeded("cap", 1.0, 1.5, 3600.0)))
    assert (error.name, error.limit_usd, error.spent_usd, error.resets_at) == (
        "cap",
        1.0,
        1.5,
        3600.0,
    )


def test_a_caught_limit_error_can_be_reported(telemetry, logs, agentops_client):
    configure(agentops_client, telemetry, logs)
    agentops_client.record_llm_error(
        provider="openai", error=CostLimitExceeded("cap", 1.0, 1.5), context={"step": "chat"}
    )
    (record,) = logs.events("gen_ai.client.operation.exception")
    # The path users import it by (``from agentops import CostLimitExceeded``).
    assert record.log_record.attributes["error.type"] == "agentops.CostLimitExceeded"


# -- the tracker on its own --------------------------------------------------------------------


def test_concurrent_costs_add_up_and_alert_once(clock):
    tracker = CostTracker()
    alerts = []
    tracker.add(CostLimit("shared", 50.0))
    barrier = threading.Barrier(8)

    def spend() -> None:
        barrier.wait()
        for _ in range(1000):
            alerts.extend(tracker.add_cost(0.01, "openai", "gpt-4o", "gpt-4o-2024-08-06"))

    threads = [threading.Thread(target=spend) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert tracker.spent("shared") == pytest.approx(80.0)
    assert len(alerts) == 1


def test_response_model_counts_for_the_model_scope(clock):
    tracker = CostTracker()
    tracker.add(CostLimit("4o", 1.0, model="gpt-4o"))
    tracker.add_cost(0.5, "openai", "my-deployment", "gpt-4o-2024-08-06")
    assert tracker.spent("4o") == 0.5


def test_azure_counts_as_openai(clock):
    tracker = CostTracker()
    tracker.add(CostLimit("openai", 1.0, provider="openai", hard=True))
    tracker.add_cost(2.0, "azure.ai.openai", "gpt-4o", None)
    with pytest.raises(CostLimitExceeded):
        tracker.check(Request(provider="openai", operation="chat", model="gpt-4o"))


def test_zero_hard_limit_is_a_kill_switch(clock):
    tracker = CostTracker()
    tracker.add(CostLimit("off", 0.0, hard=True))
    with pytest.raises(CostLimitExceeded):
        tracker.check(Request(provider="groq", operation="chat", model="llama"))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"name": "", "limit_usd": 1.0},
        {"name": "x", "limit_usd": -1.0},
        {"name": "x", "limit_usd": float("inf")},
        {"name": "x", "limit_usd": "5"},
        {"name": "x", "limit_usd": 1.0, "window_seconds": 0},
        {"name": "x", "limit_usd": 1.0, "on_exceed": "not callable"},
    ],
)
def test_malformed_limits_are_rejected(kwargs):
    with pytest.raises((ValueError, TypeError)):
        CostLimit(**kwargs)


def test_limits_without_costs_warn(telemetry, agentops_client, caplog):
    with caplog.at_level(logging.WARNING, logger="agentops"):
        configure(
            agentops_client,
            telemetry,
            llm_config={"track_costs": False},
            cost_limits=[CostLimit("x", 1.0)],
        )
    assert any("track_costs is False" in r.getMessage() for r in caplog.records)


def test_openai_error_is_not_a_limit_error(emulator, telemetry, agentops_client):
    configure(agentops_client, telemetry)
    agentops_client.add_cost_limit(name="cap", limit_usd=TINY, hard=True)
    with pytest.raises(openai.RateLimitError):
        chat(openai_client(emulator), extra_headers={"x-emulator-fault": "http-429"})
    # A failed call costs nothing: the next one is sent.
    chat(openai_client(emulator))
    assert len(emulator.requests) == 2
