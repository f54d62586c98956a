"""The seed's ``record_llm_metric`` and ``record_llm_error``, read back from real SDK
exporters and readers."""

from __future__ import annotations

import logging
import math

import agentops
import openai
import pytest
import test_client_helpers as helpers
from opentelemetry._logs import SeverityNumber
from test_client_helpers import (
    chat,
    configure,
    openai_client,
)

# Fixtures shared through the helpers module (pytest finds them by name here).
_isolated_hooks = helpers._isolated_hooks
agentops_client = helpers.agentops_client
logs = helpers.logs

EXCEPTION_EVENT = "gen_ai.client.operation.exception"


def metric_points(telemetry, name: str) -> list:
    return telemetry.metrics().get(name, [])


# -- record_llm_metric -------------------------------------------------------------------------


def test_seed_example_metric(telemetry, agentops_client):
    configure(agentops_client, telemetry)
    agentops_client.record_llm_metric(
        provider="openai", metric_name="business_value", value=100, tags={"use_case": "support"}
    )
    agentops_client.record_llm_metric(
        provider="openai", metric_name="business_value", value=50.5, tags={"use_case": "support"}
    )

    (point,) = metric_points(telemetry, "agentops.llm.business_value")
    assert point.value == 150.5
    assert dict(point.attributes) == {
        "gen_ai.provider.name": "openai",
        "agentops.metric.name": "business_value",
        "agentops.tag.use_case": "support",
    }
    assert telemetry.metric_units().get("agentops.llm.business_value") == ""


def test_metric_per_model_for_roi(telemetry, agentops_client):
    configure(agentops_client, telemetry)
    record = agentops_client.record_llm_metric
    record(provider="openai", metric_name="revenue_usd", value=3.0, model="gpt-4o")
    record(provider="openai", metric_name="revenue_usd", value=1.0, tags={"model": "gpt-4o-mini"})
    record(provider="mistral", metric_name="revenue_usd", value=2.0, model="mistral-large")

    by_model = {
        (p.attributes["gen_ai.provider.name"], p.attributes["gen_ai.request.model"]): p.value
        for p in metric_points(telemetry, "agentops.llm.revenue_usd")
    }
    assert by_model == {
        ("openai", "gpt-4o"): 3.0,
        ("openai", "gpt-4o-mini"): 1.0,
        ("mistral_ai", "mistral-large"): 2.0,
    }
    # tags["model"] is the model, not a tag as well.
    for point in metric_points(telemetry, "agentops.llm.revenue_usd"):
        assert "agentops.tag.model" not in point.attributes


def test_metric_carries_the_tags_in_force(telemetry, agentops_client):
    configure(agentops_client, telemetry)
    with agentops.tags(team="search", use_case="default"):
        agentops_client.record_llm_metric(
            provider="openai", metric_name="clicks", value=1, tags={"use_case": "support"}
        )
    (point,) = metric_points(telemetry, "agentops.llm.clicks")
    assert point.attributes["agentops.tag.team"] == "search"
    assert point.attributes["agentops.tag.use_case"] == "support"


@pytest.mark.parametrize(
    ("given", "exported"),
    [
        ("Business Value", "agentops.llm.business_value"),
        ("agentops.llm.resolved_tickets", "agentops.llm.resolved_tickets"),
        ("csat/score (1-5)", "agentops.llm.csat_score_1-5"),
    ],
)
def test_metric_names_are_sanitized(telemetry, agentops_client, given, exported):
    configure(agentops_client, telemetry)
    agentops_client.record_llm_metric(provider="openai", metric_name=given, value=1)
    (point,) = metric_points(telemetry, exported)
    assert point.attributes["agentops.metric.name"] == given


@pytest.mark.parametrize(
    ("name", "value"),
    [("ok", -1), ("ok", math.nan), ("ok", "12"), ("ok", True), ("   ", 1), ("!!!", 1)],
)
def test_bad_metric_input_is_dropped_with_a_warning(
    telemetry, agentops_client, caplog, name, value
):
    configure(agentops_client, telemetry)
    with caplog.at_level(logging.WARNING, logger="agentops"):
        agentops_client.record_llm_metric(provider="openai", metric_name=name, value=value)
    assert not [n for n in telemetry.metrics() if n.startswith("agentops.llm.")]
    assert any("record_llm_metric" in r.getMessage() for r in caplog.records)


def test_metric_before_configure_does_not_raise():
    agentops.Client().record_llm_metric(provider="openai", metric_name="x", value=1)


# -- record_llm_error --------------------------------------------------------------------------


def failing_call(emulator) -> openai.APIStatusError:
    client = openai_client(emulator)
    with pytest.raises(openai.RateLimitError) as caught:
        chat(client, extra_headers={"x-emulator-fault": "http-429"})
    return caught.value


def test_error_log_record(emulator, telemetry, logs, agentops_client):
    configure(agentops_client, telemetry, logs)
    error = failing_call(emulator)
    agentops_client.record_llm_error(provider="openai", error=error, context={"step": "chat"})

    (record,) = [
        r.log_record
        for r in logs.events(EXCEPTION_EVENT)
        if r.log_record.attributes.get("agentops.tag.step") == "chat"
    ]
    assert record.severity_number == SeverityNumber.WARN
    assert record.severity_number.value == 13
    attributes = record.attributes
    assert attributes["exception.type"] == "openai.RateLimitError"
    assert attributes["error.type"] == "openai.RateLimitError"
    assert attributes["gen_ai.provider.name"] == "openai"
    assert attributes["exception.message"].startswith("Error code: 429")
    assert "Traceback" in attributes["exception.stacktrace"]
    assert "RateLimitError" in attributes["exception.stacktrace"]


def test_error_is_tied_to_the_current_span(telemetry, logs, agentops_client):
    configure(agentops_client, telemetry, logs)
    tracer = telemetry.tracer_provider.get_tracer("app")
    with tracer.start_as_current_span("handle request") as span:
        try:
            raise TimeoutError("the model took too long")
        except TimeoutError as error:
            agentops_client.record_llm_error(
                provider="anthropic", error=error, context={"step": "summarize", "attempt": 3}
            )

    (record,) = logs.events(EXCEPTION_EVENT)
    context = span.get_span_context()
    assert record.log_record.trace_id == context.trace_id
    assert record.log_record.span_id == context.span_id
    assert record.log_record.attributes["agentops.tag.attempt"] == "3"

    (exported,) = telemetry.spans()
    (event,) = exported.events
    assert event.name == "exception"
    assert event.attributes["exception.type"] == "TimeoutError"
    assert event.attributes["exception.message"] == "the model took too long"
    assert event.attributes["gen_ai.provider.name"] == "anthropic"
    assert event.attributes["agentops.tag.step"] == "summarize"


def test_error_counter(telemetry, logs, agentops_client):
    configure(agentops_client, telemetry, logs)
    with agentops.tags(team="search"):
        for _ in range(2):
            agentops_client.record_llm_error(provider="openai", error=ValueError("bad"))
    agentops_client.record_llm_error(provider="mistral", error=KeyError("k"), context={"a": "b"})

    counted = {
        (p.attributes["gen_ai.provider.name"], p.attributes["error.type"]): p
        for p in metric_points(telemetry, "agentops.client.errors")
    }
    assert counted[("openai", "ValueError")].value == 2
    assert counted[("openai", "ValueError")].attributes["agentops.tag.team"] == "search"
    assert counted[("mistral_ai", "KeyError")].value == 1
    # The per-call context stays off the counter (unbounded values).
    assert "agentops.tag.a" not in counted[("mistral_ai", "KeyError")].attributes
    assert telemetry.metric_units()["agentops.client.errors"] == "{error}"


def test_no_span_no_span_event_but_still_a_record(telemetry, logs, agentops_client):
    configure(agentops_client, telemetry, logs)
    agentops_client.record_llm_error(provider="openai", error=RuntimeError("x"))
    (record,) = logs.events(EXCEPTION_EVENT)
    assert record.log_record.trace_id == 0
    assert telemetry.spans() == []


def test_secrets_in_messages_are_redacted(telemetry, logs, agentops_client):
    configure(agentops_client, telemetry, logs)
    secret = "sk-proj-abcdefghijklmnop"
    try:
        raise PermissionError(f"Incorrect API key provided: {secret}")
    except PermissionError as error:
        agentops_client.record_llm_error(provider="openai", error=error, context={"key": secret})
    (record,) = logs.events(EXCEPTION_EVENT)
    assert secret not in str(dict(record.log_record.attributes))


@pytest.mark.parametrize(
    "context",
    [None, {}, {"": "empty key", "ok": "kept"}, {"obj": object()}, {1: "x"}],
)
def test_record_llm_error_never_raises(telemetry, logs, agentops_client, context):
    configure(agentops_client, telemetry, logs)
    agentops_client.record_llm_error(provider="openai", error=ValueError("x"), context=context)
    agentops_client.record_llm_error(provider="openai", error="a plain message", context=context)
    agentops_client.record_llm_error(provider=None, error=None, context=context)  # type: ignore[arg-type]
    assert logs.events(EXCEPTION_EVENT)


def test_plain_string_error(telemetry, logs, agentops_client):
    configure(agentops_client, telemetry, logs)
    agentops_client.record_llm_error(provider="openai", error="quota nearly used")
    (record,) = logs.events(EXCEPTION_EVENT)
    assert record.log_record.attributes["error.type"] == "_OTHER"
    assert record.log_record.attributes["exception.message"] == "quota nearly used"


def test_error_before_configure_does_not_raise():
    agentops.Client().record_llm_error(provider="openai", error=ValueError("x"))
