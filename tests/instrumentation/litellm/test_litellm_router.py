"""LiteLLM's Router: one ``route`` span per call, one inference span per attempt.

A fallback from a failing OpenAI deployment to a working Anthropic one, load balancing
across two deployments, a retry, a stream and embeddings; the exact attributes of every span
and the metric points (attempts measured once each, the route never).
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import litellm
import pytest
from conformance.case import uninstrumented
from conformance.metrics import metric_attributes
from litellm_support import API_KEY, ASYNC_LOOP, MESSAGES, ROUTES, Route, dump, points, read
from opentelemetry.trace import SpanKind, StatusCode

pytestmark = ASYNC_LOOP

FAULT = {"x-emulator-fault": "http-500"}


def deployment(group: str, route: Route, ident: str, **params: Any) -> dict[str, Any]:
    return {
        "model_name": group,
        "litellm_params": {
            "model": route.model,
            "api_base": route.api_base,
            "api_key": API_KEY,
            "max_retries": 0,
            **params,
        },
        "model_info": {"id": ident},
    }


@pytest.fixture
def routes(emulator) -> dict[str, Route]:
    return {name: route.at(emulator) for name, route in ROUTES.items()}


@pytest.fixture
def fallback_router(routes) -> litellm.Router:
    """``primary`` always fails (HTTP 500); ``backup`` answers, through another provider."""
    return litellm.Router(
        model_list=[
            deployment("primary", routes["openai"], "openai-down", extra_headers=FAULT),
            deployment("backup", routes["anthropic"], "anthropic-up"),
        ],
        fallbacks=[{"primary": ["backup"]}],
        num_retries=0,
    )


async def route_call(router: litellm.Router, asynchronous: bool, **kwargs: Any) -> Any:
    if asynchronous:
        return await router.acompletion(messages=MESSAGES, **kwargs)
    return await sync_call(router.completion, messages=MESSAGES, **kwargs)


async def sync_call(method: Any, **kwargs: Any) -> Any:
    """A sync Router call as a sync program makes it: outside the test's event loop (inside a
    running loop, LiteLLM before 1.110 runs it on a thread of its own, without the caller's
    context, so its attempts would not be children of the route span)."""
    return await asyncio.to_thread(functools.partial(method, **kwargs))


def spans_of(telemetry) -> tuple[list[Any], Any]:
    """The attempts, in order, and the route span they belong to."""
    spans = telemetry.spans()
    (route,) = [s for s in spans if s.name.startswith("route ")]
    attempts = sorted(
        (s for s in spans if s is not route), key=lambda s: s.attributes["agentops.route.attempt"]
    )
    assert len(spans) == len(attempts) + 1
    for attempt in attempts:
        assert attempt.parent.span_id == route.context.span_id
        assert attempt.context.trace_id == route.context.trace_id
        assert attempt.kind is SpanKind.CLIENT
    assert route.kind is SpanKind.INTERNAL
    assert route.instrumentation_scope.name == "opentelemetry.instrumentation.agentops.litellm"
    return attempts, route


def route_attributes(route: Any, model: str, **summary: Any) -> dict[str, Any]:
    latency = route.attributes["agentops.route.latency"]
    assert 0 < latency <= (route.end_time - route.start_time) / 1e9
    return {
        "gen_ai.operation.name": "route",
        "gen_ai.provider.name": "litellm",
        "gen_ai.request.model": model,
        "agentops.route.latency": latency,
        **summary,
    }


async def test_a_fallback_to_another_provider(
    fallback_router, routes, asynchronous, telemetry, instrument
):
    with uninstrumented(instrument, telemetry):
        baseline = await route_call(fallback_router, asynchronous, model="primary")

    result = await route_call(fallback_router, asynchronous, model="primary")

    assert type(result) is type(baseline)
    assert dump(result) == dump(baseline)
    (failed, answered), route = spans_of(telemetry)
    assert route.name == "route primary"
    assert route.status.status_code is StatusCode.UNSET
    assert dict(route.attributes) == route_attributes(
        route,
        "primary",
        **{
            "agentops.route.attempts": 2,
            "agentops.route.fallbacks": 1,
            "agentops.route.deployment": "anthropic-up",
            "agentops.route.model_group": "backup",
        },
    )
    error_type = failed.attributes["error.type"]
    assert error_type in ("litellm.InternalServerError", "litellm.APIError")  # by release
    assert failed.status.status_code is StatusCode.ERROR
    assert dict(failed.attributes) == {
        **routes["openai"].start(),
        "agentops.route.attempt": 1,
        "agentops.route.deployment": "openai-down",
        "agentops.route.model_group": "primary",
        "error.type": error_type,
    }
    anthropic = routes["anthropic"]
    assert dict(answered.attributes) == {
        **anthropic.start(),
        "agentops.route.attempt": 2,
        "agentops.route.deployment": "anthropic-up",
        "agentops.route.model_group": "backup",
        "gen_ai.response.id": result.id,
        "gen_ai.response.model": anthropic.provider_model,
        "gen_ai.response.finish_reasons": ("stop",),
        "gen_ai.usage.input_tokens": result.usage.prompt_tokens,
        "gen_ai.usage.output_tokens": result.usage.completion_tokens,
    }

    # One duration point per attempt, none for the route; tokens of the answer only.
    durations = points(telemetry, "gen_ai.client.operation.duration")
    assert sorted((dict(p.attributes) for p in durations), key=len) == sorted(
        [
            metric_attributes(failed.attributes, error_type=error_type),
            metric_attributes(answered.attributes),
        ],
        key=len,
    )
    assert all(p.count == 1 for p in durations)
    tokens = points(telemetry, "gen_ai.client.token.usage")
    assert {
        (p.attributes["gen_ai.provider.name"], p.attributes["gen_ai.token.type"]): p.sum
        for p in tokens
    } == {
        ("anthropic", "input"): result.usage.prompt_tokens,
        ("anthropic", "output"): result.usage.completion_tokens,
    }


async def test_load_balancing_across_two_deployments(routes, asynchronous, telemetry, instrument):
    router = litellm.Router(
        model_list=[
            deployment("balanced", routes["openai"], "east"),
            deployment("balanced", routes["groq"], "west"),
        ],
        num_retries=0,
    )
    served: set[str] = set()
    for _ in range(40):  # the default strategy picks at random: both within a few calls
        telemetry.span_exporter.clear()
        await route_call(router, asynchronous, model="balanced")
        (attempt,), route = spans_of(telemetry)
        deployment_id = route.attributes["agentops.route.deployment"]
        assert attempt.attributes["agentops.route.deployment"] == deployment_id
        expected = {"east": "openai", "west": "groq"}[deployment_id]
        assert attempt.attributes["gen_ai.provider.name"] == expected
        assert route.attributes["agentops.route.attempts"] == 1
        assert route.attributes["agentops.route.fallbacks"] == 0
        served.add(deployment_id)
        if served == {"east", "west"}:
            break
    assert served == {"east", "west"}


async def test_a_retry_that_fails_again(routes, asynchronous, telemetry, instrument):
    router = litellm.Router(
        model_list=[deployment("flaky", routes["groq"], "groq-down", extra_headers=FAULT)],
        num_retries=1,
        retry_after=0,
    )
    with pytest.raises(Exception) as raised:
        await route_call(router, asynchronous, model="flaky")

    attempts, route = spans_of(telemetry)
    assert [a.attributes["agentops.route.deployment"] for a in attempts] == ["groq-down"] * 2
    assert all(a.status.status_code is StatusCode.ERROR for a in attempts)
    assert route.status.status_code is StatusCode.ERROR
    assert dict(route.attributes) == route_attributes(
        route,
        "flaky",
        **{
            "agentops.route.attempts": 2,
            "agentops.route.fallbacks": 0,
            "error.type": attempts[-1].attributes["error.type"],
        },
    )
    assert route.attributes["error.type"].startswith("litellm.")
    assert type(raised.value).__name__ in route.attributes["error.type"]
    assert points(telemetry, "gen_ai.client.token.usage") == []
    durations = points(telemetry, "gen_ai.client.operation.duration")
    assert sum(p.count for p in durations) == 2
    assert {p.attributes["gen_ai.operation.name"] for p in durations} == {"chat"}


async def test_a_streamed_fallback(fallback_router, routes, asynchronous, telemetry, instrument):
    with uninstrumented(instrument, telemetry):
        baseline = await read(
            await route_call(fallback_router, asynchronous, model="primary", stream=True),
            asynchronous,
        )

    stream = await route_call(fallback_router, asynchronous, model="primary", stream=True)
    chunks = await read(stream, asynchronous)

    assert [dump(c) for c in chunks] == [dump(c) for c in baseline]
    (failed, answered), route = spans_of(telemetry)
    assert route.end_time >= answered.end_time  # the route lasts until its answer is read
    assert route.attributes["gen_ai.request.stream"] is True
    assert route.attributes["agentops.route.deployment"] == "anthropic-up"
    assert route.attributes["agentops.route.fallbacks"] == 1
    assert "gen_ai.response.time_to_first_chunk" not in route.attributes
    assert answered.attributes["gen_ai.request.stream"] is True
    assert answered.attributes["gen_ai.response.time_to_first_chunk"] > 0
    assert "error.type" in failed.attributes
    (first_chunk,) = points(telemetry, "gen_ai.client.operation.time_to_first_chunk")
    assert first_chunk.count == 1  # the attempt's, not the route's too
    assert dict(first_chunk.attributes) == metric_attributes(answered.attributes)


async def test_router_embeddings(routes, asynchronous, telemetry, instrument):
    openai = routes["openai"]
    router = litellm.Router(
        model_list=[
            {
                "model_name": "vectors",
                "litellm_params": {
                    "model": "openai/text-embedding-3-small",
                    "api_base": openai.api_base,
                    "api_key": API_KEY,
                },
                "model_info": {"id": "vectors-1"},
            }
        ],
        num_retries=0,
    )
    if asynchronous:
        result = await router.aembedding(model="vectors", input=["one text"])
    else:
        result = await sync_call(router.embedding, model="vectors", input=["one text"])

    (attempt,), route = spans_of(telemetry)
    assert route.name == "route vectors"
    assert route.attributes["agentops.route.deployment"] == "vectors-1"
    assert attempt.name == "embeddings text-embedding-3-small"
    assert attempt.attributes["gen_ai.usage.input_tokens"] == result.usage.prompt_tokens
    assert attempt.attributes["agentops.route.model_group"] == "vectors"
