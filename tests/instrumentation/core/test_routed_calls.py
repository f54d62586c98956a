"""Wrapper libraries and routers on the fake SDK: one inference span per model call, ever.

A gateway library (LiteLLM's shape) makes each model call through a provider SDK that is
instrumented too: the gateway's span is the attempt's one span, the SDK call joins it. A
router (LiteLLM's ``Router``) makes a routed call of attempts through the gateway: its span
groups one inference span per attempt (retries, fallbacks), says which deployment answered,
and is neither measured nor priced, so tokens, durations and cost are counted once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Iterable
from typing import Any, ClassVar

import fake_sdk
import pytest
from fake_instrumentation import FakeInstrumentor
from opentelemetry.instrumentation.agentops.core import (
    Call,
    GenAIInstrumentor,
    Mapper,
    Patch,
    Request,
    Response,
    StreamAccumulator,
    Usage,
    hooks,
)
from opentelemetry.instrumentation.agentops.core.values import as_str
from opentelemetry.trace import SpanKind, StatusCode

MESSAGES = [{"role": "user", "content": "tell me a story"}]
DEPLOYMENTS = {
    "primary": [{"id": "p-1", "model": "fake-a", "fail": "overloaded"}],
    "backup": [{"id": "b-1", "model": "fake-b"}],
}


class Gateway:
    """One model call per ``call``, made through the fake SDK (as LiteLLM calls the openai SDK)."""

    def __init__(self) -> None:
        self.client = fake_sdk.Client()

    def call(self, *, deployment: dict[str, Any], group: str, stream: bool = False) -> Any:
        extra = {"fail": deployment["fail"]} if "fail" in deployment else {}
        return self.client.chat.create(
            model=deployment["model"], messages=MESSAGES, stream=stream, **extra
        )

    async def acall(self, *, deployment: dict[str, Any], group: str) -> Any:
        await asyncio.sleep(0)
        return self.call(deployment=deployment, group=group)


class Router:
    """Tries a group's deployments, retrying each ``retries`` times, then the fallback group."""

    def __init__(self, gateway: Gateway, fallbacks: dict[str, str], retries: int = 0) -> None:
        self.gateway = gateway
        self.fallbacks = fallbacks
        self.retries = retries

    def route(self, *, model: str, stream: bool = False) -> Any:
        error: Exception | None = None
        group: str | None = model
        while group is not None:
            for deployment in DEPLOYMENTS[group]:
                for _ in range(self.retries + 1):
                    try:
                        return self.gateway.call(deployment=deployment, group=group, stream=stream)
                    except fake_sdk.FakeError as failed:
                        error = failed
            group = self.fallbacks.get(group)
        assert error is not None
        raise error

    def completion(self, *, model: str) -> Any:
        """Another entry point of the router, calling the first (LiteLLM's facade and core)."""
        return self.route(model=model)

    async def aroute(self, *, model: str) -> Any:
        error: Exception | None = None
        group: str | None = model
        while group is not None:
            for deployment in DEPLOYMENTS[group]:
                try:
                    return await self.gateway.acall(deployment=deployment, group=group)
                except fake_sdk.FakeError as failed:
                    error = failed
            group = self.fallbacks.get(group)
        assert error is not None
        raise error


class GatewayMapper(Mapper[None]):
    def request(self, call: Call, capture_content: bool) -> Request[None] | None:
        deployment = call.get("deployment")
        request: Request[None] = Request(
            provider="fake",
            operation="chat",
            model=deployment["model"],
            server_address="fake.example.com",
            server_port=443,
            stream=call.get("stream") is True,
        )
        request.attributes["agentops.route.deployment"] = deployment["id"]
        request.attributes["agentops.route.model_group"] = call.get("group")
        return request

    def response(self, result: Any, request: Request[None], capture_content: bool) -> Response:
        usage = result["usage"]
        return Response(
            model=result["model"],
            usage=Usage(input_tokens=usage["input"], output_tokens=usage["output"]),
        )

    def accumulator(
        self, result: Any, request: Request[None], capture_content: bool
    ) -> StreamAccumulator | None:
        return _Chunks() if request.stream else None


class _Chunks(StreamAccumulator):
    __slots__ = ("usage",)

    def __init__(self) -> None:
        super().__init__()
        self.usage: Usage | None = None

    def add(self, chunk: Any) -> bool:
        if "usage" in chunk:
            self.usage = Usage(chunk["usage"]["input"], chunk["usage"]["output"])
        return True

    def response(self) -> Response:
        return Response(usage=self.usage)


class RouteMapper(Mapper[None]):
    def request(self, call: Call, capture_content: bool) -> Request[None] | None:
        return Request(
            provider="fake-router",
            operation="route",
            model=as_str(call.get("model")),
            stream=call.get("stream") is True,
            groups_attempts=True,
        )


class GatewayInstrumentor(GenAIInstrumentor):
    scope_name: ClassVar[str] = "tests.gateway"
    scope_version: ClassVar[str] = "0"
    sdk_name: ClassVar[str] = "gateway"

    def instrumentation_dependencies(self) -> Collection[str]:
        return ()

    def patches(self) -> Iterable[Patch]:
        gateway, route = GatewayMapper(), RouteMapper()
        yield Patch(__name__, "Gateway.call", gateway)
        yield Patch(__name__, "Gateway.acall", gateway)
        yield Patch(__name__, "Router.route", route)
        yield Patch(__name__, "Router.aroute", route)
        yield Patch(__name__, "Router.completion", route)


@pytest.fixture
def instrumented(telemetry):
    """The gateway and the SDK it calls, both instrumented (the SDK's spans would double)."""
    instrumentors = [GatewayInstrumentor(), FakeInstrumentor()]
    for instrumentor in instrumentors:
        instrumentor.instrument(
            tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
        )
    yield
    for instrumentor in instrumentors:
        instrumentor.uninstrument()


@pytest.fixture
def observed():
    """The call observers see (what the distro prices and counts against limits)."""
    calls: list[hooks.FinishedCall] = []

    def observe(call: hooks.FinishedCall) -> None:
        calls.append(call)

    hooks.call_observers.append(observe)
    yield calls
    hooks.call_observers.remove(observe)


def _points(telemetry: Any, name: str) -> list[Any]:
    return telemetry.metrics().get(name, [])


def _tokens(telemetry: Any) -> dict[tuple[str, str], float]:
    return {
        (p.attributes["gen_ai.request.model"], p.attributes["gen_ai.token.type"]): p.sum
        for p in _points(telemetry, "gen_ai.client.token.usage")
    }


def test_a_gateway_call_through_an_instrumented_sdk_is_one_span(telemetry, instrumented, observed):
    result = Gateway().call(deployment=DEPLOYMENTS["backup"][0], group="backup")

    (span,) = telemetry.spans()
    assert span.instrumentation_scope.name == "tests.gateway"
    assert span.kind is SpanKind.CLIENT
    assert fake_sdk.SENT[-1].span.get_span_context() == span.get_span_context()
    assert span.attributes["gen_ai.usage.output_tokens"] == result["usage"]["output"]
    assert "agentops.route.attempt" not in span.attributes  # not inside a routed call
    assert _tokens(telemetry) == {
        ("fake-b", "input"): result["usage"]["input"],
        ("fake-b", "output"): result["usage"]["output"],
    }
    assert [c.request.model for c in observed] == ["fake-b"]


def test_a_routed_call_groups_one_span_per_attempt(telemetry, instrumented, observed):
    router = Router(Gateway(), fallbacks={"primary": "backup"}, retries=1)
    result = router.route(model="primary")

    first, retry, fallback, route = telemetry.spans()
    assert route.name == "route primary"
    assert route.kind is SpanKind.INTERNAL
    assert route.status.status_code is StatusCode.UNSET
    latency = route.attributes["agentops.route.latency"]
    assert 0 < latency <= (route.end_time - route.start_time) / 1e9
    assert dict(route.attributes) == {
        "gen_ai.operation.name": "route",
        "gen_ai.provider.name": "fake-router",
        "gen_ai.request.model": "primary",
        "agentops.route.attempts": 3,
        "agentops.route.fallbacks": 1,
        "agentops.route.deployment": "b-1",
        "agentops.route.model_group": "backup",
        "agentops.route.latency": latency,
    }
    for number, attempt in enumerate((first, retry, fallback), start=1):
        assert attempt.parent.span_id == route.context.span_id
        assert attempt.kind is SpanKind.CLIENT
        assert attempt.attributes["agentops.route.attempt"] == number
    assert [s.attributes.get("error.type") for s in (first, retry, fallback)] == [
        "fake_sdk.FakeError",
        "fake_sdk.FakeError",
        None,
    ]
    assert fallback.attributes["agentops.route.deployment"] == "b-1"
    assert fallback.attributes["gen_ai.usage.input_tokens"] == result["usage"]["input"]

    # Measured and priced once per attempt; the route is neither.
    durations = _points(telemetry, "gen_ai.client.operation.duration")
    assert sum(p.count for p in durations) == 3
    assert {p.attributes["gen_ai.operation.name"] for p in durations} == {"chat"}
    assert _tokens(telemetry) == {
        ("fake-b", "input"): result["usage"]["input"],
        ("fake-b", "output"): result["usage"]["output"],
    }
    assert [(c.request.model, c.error_type) for c in observed] == [
        ("fake-a", "fake_sdk.FakeError"),
        ("fake-a", "fake_sdk.FakeError"),
        ("fake-b", None),
    ]


def test_a_routed_call_that_fails_says_how_far_it_got(telemetry, instrumented, observed):
    router = Router(Gateway(), fallbacks={})
    with pytest.raises(fake_sdk.FakeError):
        router.route(model="primary")

    attempt, route = telemetry.spans()
    assert route.status.status_code is StatusCode.ERROR
    assert route.attributes["error.type"] == "fake_sdk.FakeError"
    assert route.attributes["agentops.route.attempts"] == 1
    assert route.attributes["agentops.route.fallbacks"] == 0
    assert "agentops.route.deployment" not in route.attributes
    assert attempt.attributes["agentops.route.deployment"] == "p-1"
    durations = _points(telemetry, "gen_ai.client.operation.duration")
    assert [p.attributes["gen_ai.operation.name"] for p in durations] == ["chat"]
    assert len(observed) == 1


async def test_async_attempts_belong_to_their_routed_call(telemetry, instrumented):
    router = Router(Gateway(), fallbacks={"primary": "backup"})
    await asyncio.gather(router.aroute(model="primary"), router.aroute(model="backup"))

    spans = telemetry.spans()
    routes = {s.context.span_id: s for s in spans if s.name.startswith("route")}
    attempts = [s for s in spans if s.name.startswith("chat")]
    assert len(routes) == 2 and len(attempts) == 3
    by_route: dict[str, list[Any]] = {"primary": [], "backup": []}
    for attempt in attempts:
        route = routes[attempt.parent.span_id]
        by_route[route.attributes["gen_ai.request.model"]].append(attempt)
    assert [a.attributes["agentops.route.attempt"] for a in by_route["primary"]] == [1, 2]
    assert [a.attributes["agentops.route.attempt"] for a in by_route["backup"]] == [1]
    assert {r.attributes["agentops.route.attempts"] for r in routes.values()} == {1, 2}


def test_a_streamed_routed_call_ends_with_its_stream(telemetry, instrumented):
    router = Router(Gateway(), fallbacks={"primary": "backup"})
    stream = router.route(model="primary", stream=True)
    assert [s.name for s in telemetry.spans()] == ["chat fake-a"]  # the failed attempt only
    chunks = list(stream)

    assert "usage" in chunks[-1]
    failed, answered, route = telemetry.spans()
    assert failed.attributes["error.type"] == "fake_sdk.FakeError"
    assert answered.attributes["gen_ai.usage.output_tokens"] == chunks[-1]["usage"]["output"]
    assert route.attributes["agentops.route.deployment"] == "b-1"
    assert route.end_time >= answered.end_time
    assert "gen_ai.usage.output_tokens" not in route.attributes
    assert "gen_ai.response.time_to_first_chunk" not in route.attributes
    (first_chunk,) = _points(telemetry, "gen_ai.client.operation.time_to_first_chunk")
    assert first_chunk.count == 1  # the attempt's stream, not the route's as well


def test_a_router_entry_calling_another_is_one_routed_call(telemetry, instrumented):
    Router(Gateway(), fallbacks={}).completion(model="backup")  # calls Router.route
    attempt, route = telemetry.spans()
    assert (attempt.name, route.name) == ("chat fake-b", "route backup")
    assert route.attributes["agentops.route.attempts"] == 1
