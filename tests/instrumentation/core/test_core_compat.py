"""Contract tests of the private names the core relies on: they fail loudly when an upgrade of
the OpenTelemetry SDK or of the interpreter removes what the core uses."""

from __future__ import annotations

import asyncio
import inspect

from opentelemetry.instrumentation.agentops.core import _compat
from opentelemetry.instrumentation.agentops.core._inplace import InPlacePatch, can_patch_in_place
from opentelemetry.sdk.trace import TracerProvider


def test_the_sdk_can_switch_a_tracer_scope_off():
    provider = TracerProvider()
    assert _compat.scope_switch_supported(provider)
    own = provider.get_tracer("some.sdk")
    other = provider.get_tracer("other")
    assert _compat.switch_off_scopes(provider, ("some.sdk",))
    assert not own.start_span("x").is_recording()  # a tracer made before is switched too
    assert other.start_span("y").is_recording()
    _compat.switch_on_scopes(provider, ("some.sdk",))
    assert own.start_span("x").is_recording()


def test_switches_of_several_instrumentors_compose():
    provider = TracerProvider()
    tracer = provider.get_tracer("shared")
    _compat.switch_off_scopes(provider, ("shared",))
    _compat.switch_off_scopes(provider, ("shared",))
    _compat.switch_on_scopes(provider, ("shared",))
    assert not tracer.start_span("x").is_recording()
    _compat.switch_on_scopes(provider, ("shared",))
    assert tracer.start_span("x").is_recording()


def _closure_factory():
    captured = {"calls": 0}

    class Base:
        def hello(self) -> str:
            return "base"

    class Owner(Base):
        def method(self, a: int, b: int = 2, *, c: int = 3) -> tuple[str, int]:
            captured["calls"] += 1
            return super().hello(), a + b + c

        async def coroutine(self, a: int) -> int:
            await asyncio.sleep(0)
            return a * 2

    return Owner, captured


def test_a_function_traced_in_place_keeps_what_callers_see():
    owner, captured = _closure_factory()
    method = owner.__dict__["method"]
    assert can_patch_in_place(method)
    bound_before = owner().method
    seen = []
    holder = {}

    def dispatch(args, kwargs):
        seen.append((args[1:], kwargs))
        return holder["patch"].original(*args, **kwargs)

    signature = inspect.signature(method)
    holder["patch"] = InPlacePatch(method, dispatch)
    assert inspect.signature(method) == signature
    assert bound_before(1, c=10) == ("base", 13)  # closure cells and super() still work
    assert owner.method is method
    assert seen == [((1,), {"c": 10})]
    holder["patch"].restore()
    assert bound_before(1) == ("base", 6)
    assert len(seen) == 1
    assert captured["calls"] == 2


def test_a_coroutine_function_stays_one():
    owner, _ = _closure_factory()
    function = owner.__dict__["coroutine"]
    holder = {}
    holder["patch"] = InPlacePatch(function, lambda a, k: holder["patch"].original(*a, **k))
    try:
        assert inspect.iscoroutinefunction(function)
        assert asyncio.run(owner().coroutine(4)) == 8
    finally:
        holder["patch"].restore()
