"""The wrapt wrappers placed around SDK methods: the one path every traced call takes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from opentelemetry.instrumentation.agentops.core.guard import report_internal_error
from opentelemetry.instrumentation.agentops.core.mapper import Call, Mapper
from opentelemetry.instrumentation.agentops.core.telemetry import GenAITelemetry, Trace
from opentelemetry.instrumentation.utils import is_instrumentation_enabled

__all__ = ["TelemetrySlot", "async_wrapper", "sync_wrapper"]

WrapperFunction = Callable[[Callable[..., Any], Any, tuple[Any, ...], dict[str, Any]], Any]


class TelemetrySlot:
    """The telemetry an instrumentor currently emits with; None while uninstrumented.

    Wrappers read it at call time rather than holding a telemetry object: a method bound while
    instrumented (a saved ``create``, an SDK's cached raw-response helper) stays reachable after
    ``uninstrument()``, and must stop tracing then and trace again after ``instrument()``.
    """

    __slots__ = ("telemetry",)

    def __init__(self) -> None:
        self.telemetry: GenAITelemetry | None = None


def _begin(slot: TelemetrySlot, mapper: Mapper, call: Call) -> Trace | None:
    telemetry = slot.telemetry
    if telemetry is None or not is_instrumentation_enabled():
        return None
    try:
        request = mapper.request(call, telemetry.capture_content)
    except Exception:
        report_internal_error(f"{type(mapper).__name__}.request")
        return None
    if request is None or not telemetry.admit(request):
        return None
    # A copy, so a call that ends up untraced goes out exactly as the caller made it.
    call.kwargs = dict(call.kwargs)
    try:
        mapper.prepare(call, request)
    except Exception:
        report_internal_error(f"{type(mapper).__name__}.prepare")
    return telemetry.start(request)


def _complete(mapper: Mapper, trace: Trace, result: Any) -> Any:
    try:
        return mapper.on_result(result, trace)
    except Exception:
        report_internal_error(f"{type(mapper).__name__}.on_result")
        trace.finish(None)
        return result


def sync_wrapper(slot: TelemetrySlot, mapper: Mapper) -> WrapperFunction:
    def traced_call(
        wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        call = Call(instance, args, kwargs)
        trace = _begin(slot, mapper, call)
        if trace is None:
            return wrapped(*args, **kwargs)
        try:
            result = wrapped(*call.args, **call.kwargs)
        except BaseException as error:
            trace.fail(error)
            raise
        return _complete(mapper, trace, result)

    return traced_call


async def _traced_await(
    slot: TelemetrySlot,
    mapper: Mapper,
    wrapped: Callable[..., Awaitable[Any]],
    instance: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Any:
    call = Call(instance, args, kwargs)
    trace = _begin(slot, mapper, call)
    if trace is None:
        return await wrapped(*args, **kwargs)
    try:
        result = await wrapped(*call.args, **call.kwargs)
    except BaseException as error:
        trace.fail(error)
        raise
    return _complete(mapper, trace, result)


def async_wrapper(slot: TelemetrySlot, mapper: Mapper) -> WrapperFunction:
    def traced_call(
        wrapped: Callable[..., Awaitable[Any]],
        instance: Any,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> Awaitable[Any]:
        # The span starts when the coroutine runs, not when it is created, so its duration
        # is the call's and its parent is the context the caller awaits in.
        return _traced_await(slot, mapper, wrapped, instance, args, kwargs)

    return traced_call
