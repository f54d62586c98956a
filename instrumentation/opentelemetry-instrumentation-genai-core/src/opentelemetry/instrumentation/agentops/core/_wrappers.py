"""The path every traced call takes, one function per call shape.

A ``Dispatch`` is made per patched function. It is called either by a ``wrapt`` wrapper
(``wrapped, instance, args, kwargs``) or by an in-place trampoline (``args, kwargs``, see
``_inplace``), and runs the shape's path: map the call to a request, admit it (filters and
pre-call checks), let the mapper prepare it, start the span, call the SDK, and turn the result
into what the caller receives (a plain result, a stream proxy, a raw-response proxy, a
stream-manager proxy). Nothing here ever raises into the caller except the SDK's own
exceptions and a pre-call check's deliberate stop.
"""

from __future__ import annotations

import inspect
import io
import types
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from opentelemetry.instrumentation.agentops.core._deferred import (
    AsyncDeferredResult,
    DeferredResult,
    raw_response_kind,
)
from opentelemetry.instrumentation.agentops.core._guard import report_internal_error
from opentelemetry.instrumentation.agentops.core._mapper import (
    Alteration,
    Call,
    Mapper,
    StreamAccumulator,
)
from opentelemetry.instrumentation.agentops.core._patch import CallShape
from opentelemetry.instrumentation.agentops.core._records import Request, Response
from opentelemetry.instrumentation.agentops.core._streams import end_followed, follow_stream
from opentelemetry.instrumentation.agentops.core._telemetry import (
    GenAITelemetry,
    Trace,
    in_routed_call,
    in_traced_call,
)
from opentelemetry.instrumentation.utils import is_instrumentation_enabled
from wrapt import ObjectProxy

__all__ = ["Dispatch", "TelemetrySlot"]


class TelemetrySlot:
    """The telemetry an instrumentor currently emits with; None while uninstrumented.

    Wrappers read it at call time rather than holding a telemetry object: a function kept
    while instrumented (a saved ``create``, an SDK's cached raw-response helper) stays
    reachable after ``uninstrument()``, and must stop tracing then and trace again after
    ``instrument()``.
    """

    __slots__ = ("telemetry",)

    def __init__(self) -> None:
        self.telemetry: GenAITelemetry | None = None


class _Binder:
    """Binds positional arguments to the original function's parameter names."""

    __slots__ = ("_signature",)

    def __init__(self, function: Any, skip_first: bool) -> None:
        try:
            signature = inspect.signature(function)
        except (TypeError, ValueError):
            self._signature = None
            return
        if skip_first:
            parameters = list(signature.parameters.values())[1:]
            signature = signature.replace(parameters=parameters)
        self._signature = signature

    def arguments(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Mapping[str, Any]:
        signature = self._signature
        if not args or signature is None:
            return kwargs
        try:
            bound = signature.bind_partial(*args, **kwargs).arguments
        except TypeError:
            return kwargs  # the SDK will reject the call itself
        arguments: dict[str, Any] = {}
        for name, value in bound.items():
            kind = signature.parameters[name].kind
            if kind is inspect.Parameter.VAR_KEYWORD:
                arguments.update(value)
            else:
                arguments[name] = value
        return arguments


class Dispatch:
    """Traces calls of one patched function."""

    __slots__ = ("_binder", "_run", "mapper", "method", "original", "shape", "slot")

    def __init__(
        self,
        slot: TelemetrySlot,
        mapper: Mapper[Any],
        shape: CallShape,
        original: Callable[..., Any],
        *,
        method: bool,
    ) -> None:
        self.slot = slot
        self.mapper = mapper
        self.shape = shape
        self.method = method
        self.original = original
        """What an in-place trampoline calls: the function's original code."""
        self._binder = _Binder(original, skip_first=method)
        self._run = _RUNS[shape]

    def __call__(
        self, wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: Any
    ) -> Any:
        """The ``wrapt`` wrapper signature."""
        return self._run(self, wrapped, instance, args, kwargs)

    def in_place(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """The in-place trampoline's entry: the call's own arguments, self included."""
        original = self.original
        if not self.method:
            return self._run(self, original, None, args, kwargs)
        if not args:
            return original(*args, **kwargs)  # the SDK's own TypeError
        instance = args[0]
        return self._run(self, original.__get__(instance), instance, args[1:], kwargs)


# -- beginning a call ---------------------------------------------------------------------------


def _one_shot(value: Any) -> bool:
    return isinstance(value, Iterator) and not isinstance(value, io.IOBase)


def _materialized(
    args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Arguments with one-shot iterables (a generator of messages) turned into lists, so
    reading them for content capture does not leave the SDK an exhausted iterator."""
    if any(_one_shot(value) for value in kwargs.values()):
        kwargs = {k: list(v) if _one_shot(v) else v for k, v in kwargs.items()}
    if any(_one_shot(value) for value in args):
        args = tuple(list(v) if _one_shot(v) else v for v in args)
    return args, kwargs


def _credentials(mapper: Mapper[Any], instance: Any) -> Callable[[], Any]:
    return lambda: mapper.credentials(instance)


def _map(
    dispatch: Dispatch,
    telemetry: GenAITelemetry,
    instance: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> tuple[Request[Any], Call, dict[str, Any]] | None:
    """The call's request and call, and the keyword arguments as the caller gave them (one-shot
    iterables made lists); None when the call is not one to trace (or mapping failed)."""
    capture = telemetry.capture_content
    if capture:
        args, kwargs = _materialized(args, kwargs)
    # A copy, so a call that ends up untraced goes out exactly as the caller made it.
    call = Call(
        instance, args, dict(kwargs), dispatch._binder.arguments(args, kwargs), telemetry.settings
    )
    mapper = dispatch.mapper
    try:
        request = mapper.request(call, capture)
    except Exception:
        report_internal_error(f"{type(mapper).__name__}.request")
        return None
    if request is None:
        return None
    return request, call, kwargs


def _prepare(mapper: Mapper[Any], call: Call, request: Request[Any]) -> Alteration | None:
    try:
        return mapper.prepare(call, request)
    except Exception:
        report_internal_error(f"{type(mapper).__name__}.prepare")
        return None


Begun = tuple[Trace, Call, Alteration | None, dict[str, Any]]


def _begin(
    dispatch: Dispatch, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Begun | None:
    telemetry = dispatch.slot.telemetry
    if telemetry is None or not is_instrumentation_enabled() or in_traced_call():
        return None
    mapped = _map(dispatch, telemetry, instance, args, kwargs)
    if mapped is None:
        return None
    request, call, unaltered = mapped
    if request.groups_attempts and in_routed_call():
        return None  # a router's own entry points calling each other: one routed call
    if not telemetry.admit(request):
        return None
    alteration = _prepare(dispatch.mapper, call, request)
    trace = telemetry.start(request, _credentials(dispatch.mapper, instance))
    if trace is None:
        call.kwargs = unaltered
        return None
    return trace, call, alteration, unaltered


def _rejected(alteration: Alteration | None, error: BaseException) -> bool:
    if alteration is None or not isinstance(error, Exception):
        return False
    try:
        return alteration.rejected_by(error)
    except Exception:
        report_internal_error("checking a rejected request change")
        return False


def _accept_rejection(alteration: Alteration, trace: Trace) -> None:
    try:
        alteration.on_rejected()
        trace.span.set_attributes(trace.request.attributes)
    except Exception:
        report_internal_error("recording a rejected request change")


# -- the end of a call --------------------------------------------------------------------------


class _Opaque(StreamAccumulator):
    """For a lazy stream, or a routed call's, whose mapper keeps no state: chunks pass, the
    span follows."""

    __slots__ = ()

    def add(self, chunk: Any) -> bool:
        return True

    def response(self) -> Response:
        return Response()


def _complete(mapper: Mapper[Any], trace: Trace, result: Any, *, lazy: bool = False) -> Any:
    """What the caller receives for ``result``; the span ends now or follows the result."""
    try:
        kind = raw_response_kind(result)
        if kind is not None:
            # The caller's work until parse() must not be parented under this span.
            trace.suspend()
            proxy = AsyncDeferredResult if kind == "async" else DeferredResult
            return proxy(result, lambda parsed: _complete(mapper, trace, parsed), trace)
        request = trace.request
        accumulator = mapper.accumulator(result, request, trace.capture_content)
        if accumulator is None and (lazy or (request.groups_attempts and request.stream)):
            # A routed stream lasts as long as its answer is read: the attempt's stream ends
            # first, so the route's summary knows which deployment answered.
            accumulator = _Opaque()
        if accumulator is not None:
            # A generator handed back by a plain call or a coroutine (Ollama's streams) sends
            # its request on the first read, like a generator function's: in the span's context.
            lazy = lazy or isinstance(result, types.GeneratorType | types.AsyncGeneratorType)
            return follow_stream(result, trace, accumulator, mapper.stream_helpers, lazy=lazy)
        trace.finish(mapper.response(result, request, trace.capture_content))
        return result
    except Exception:
        report_internal_error(f"{type(mapper).__name__} result")
        trace.finish(None)
        return result


# -- one path per call shape --------------------------------------------------------------------


class _Sending:
    """Sending one admitted call: with the mapper's change, and once more without it if the
    server refuses the change. Failures end the span and reach the caller untouched."""

    __slots__ = ("alteration", "call", "trace", "unaltered", "wrapped")

    def __init__(self, begun: Begun, wrapped: Callable[..., Any]) -> None:
        self.trace, self.call, self.alteration, self.unaltered = begun
        self.wrapped = wrapped

    def send(self) -> Any:
        try:
            return self.wrapped(*self.call.args, **self.call.kwargs)
        except BaseException as error:
            self._refused_or_raise(error)
        try:
            result = self.wrapped(*self.call.args, **self.unaltered)
        except BaseException as second:
            self.trace.fail(second)
            raise
        self._accept_refusal()
        return result

    async def send_async(self, first: Any = None) -> Any:
        """Await the call (``first``: its awaitable when already created)."""
        try:
            result = (
                first if first is not None else self.wrapped(*self.call.args, **self.call.kwargs)
            )
            return (await result) if inspect.isawaitable(result) else result
        except BaseException as error:
            self._refused_or_raise(error)
        try:
            result = self.wrapped(*self.call.args, **self.unaltered)
            result = (await result) if inspect.isawaitable(result) else result
        except BaseException as second:
            self.trace.fail(second)
            raise
        self._accept_refusal()
        return result

    def _refused_or_raise(self, error: BaseException) -> None:
        """Return if the server refused the change (the caller will not see this error);
        otherwise end the span with it and re-raise it."""
        if not _rejected(self.alteration, error):
            self.trace.fail(error)
            raise error

    def _accept_refusal(self) -> None:
        if self.alteration is not None:
            _accept_rejection(self.alteration, self.trace)


def _run_value(
    dispatch: Dispatch, wrapped: Callable[..., Any], instance: Any, args: Any, kwargs: Any
) -> Any:
    begun = _begin(dispatch, instance, args, kwargs)
    if begun is None:
        return wrapped(*args, **kwargs)
    sending = _Sending(begun, wrapped)
    result = sending.send()
    if inspect.isawaitable(result) and raw_response_kind(result) is None:
        # A plain ``def`` that returned a coroutine (a decorator around an ``async def``):
        # await it inside the span, in the caller's task.
        sending.trace.suspend()
        return _await_in_span(dispatch, sending, result)
    return _complete(dispatch.mapper, sending.trace, result)


async def _await_in_span(dispatch: Dispatch, sending: _Sending, awaitable: Any) -> Any:
    with sending.trace.activate():
        result = await sending.send_async(awaitable)
    return _complete(dispatch.mapper, sending.trace, result)


def _run_coroutine(
    dispatch: Dispatch, wrapped: Callable[..., Any], instance: Any, args: Any, kwargs: Any
) -> Any:
    # The span starts when the coroutine runs, not when it is created, so its duration is
    # the call's and its parent is the context the caller awaits in.
    return _traced_await(dispatch, wrapped, instance, args, kwargs)


async def _traced_await(
    dispatch: Dispatch, wrapped: Callable[..., Any], instance: Any, args: Any, kwargs: Any
) -> Any:
    begun = _begin(dispatch, instance, args, kwargs)
    if begun is None:
        result = wrapped(*args, **kwargs)
        return (await result) if inspect.isawaitable(result) else result
    sending = _Sending(begun, wrapped)
    result = await sending.send_async()
    return _complete(dispatch.mapper, sending.trace, result)


def _run_lazy(
    dispatch: Dispatch, wrapped: Callable[..., Any], instance: Any, args: Any, kwargs: Any
) -> Any:
    # Calling a generator function sends nothing: the request goes out on the first read,
    # which the stream proxy runs in the span's context. A change prepare() made cannot be
    # retried here (the caller is already reading), so lazy streams are sent as prepared.
    begun = _begin(dispatch, instance, args, kwargs)
    if begun is None:
        return wrapped(*args, **kwargs)
    trace, call, _, _ = begun
    try:
        result = wrapped(*call.args, **call.kwargs)
    except BaseException as error:
        trace.fail(error)
        raise
    return _complete(dispatch.mapper, trace, result, lazy=True)


def _run_manager(
    dispatch: Dispatch, wrapped: Callable[..., Any], instance: Any, args: Any, kwargs: Any
) -> Any:
    telemetry = dispatch.slot.telemetry
    if telemetry is None or not is_instrumentation_enabled() or in_traced_call():
        return wrapped(*args, **kwargs)
    mapped = _map(dispatch, telemetry, instance, args, kwargs)
    if mapped is None:
        return wrapped(*args, **kwargs)
    request, call, _ = mapped
    # The request goes out on enter, too late to retry without a change: sent as prepared.
    _prepare(dispatch.mapper, call, request)
    manager = wrapped(*call.args, **call.kwargs)
    try:
        return _ManagerProxy(manager, dispatch, telemetry, request, instance)
    except Exception:
        report_internal_error("wrapping a stream manager")
        return manager


class _ManagerProxy(ObjectProxy[Any]):
    """A stream manager: the span starts when it is entered (that is when the request is
    sent) and ends with the stream it yields; a manager never entered opens no span."""

    def __init__(
        self,
        manager: Any,
        dispatch: Dispatch,
        telemetry: GenAITelemetry,
        request: Request[Any],
        instance: Any,
    ) -> None:
        super().__init__(manager)
        self._self_dispatch = dispatch
        self._self_telemetry = telemetry
        self._self_request = request
        self._self_instance = instance
        self._self_trace: Trace | None = None
        self._self_stream: Any = None

    def _start(self) -> Trace | None:
        if in_traced_call() or self._self_dispatch.slot.telemetry is None:
            return None
        telemetry = self._self_telemetry
        if not telemetry.admit(self._self_request):
            return None
        mapper = self._self_dispatch.mapper
        trace = telemetry.start(self._self_request, _credentials(mapper, self._self_instance))
        self._self_trace = trace
        return trace

    def _entered(self, trace: Trace, stream: Any) -> Any:
        self._self_stream = _complete(self._self_dispatch.mapper, trace, stream)
        return self._self_stream

    def _exited(self) -> None:
        trace, self._self_trace = self._self_trace, None
        if trace is None:
            return
        stream = self._self_stream
        if getattr(stream, "_self_trace", None) is trace:
            end_followed(stream)
        elif not trace.done:
            trace.finish(None)

    def __enter__(self) -> Any:
        trace = self._start()
        if trace is None:
            return self.__wrapped__.__enter__()
        try:
            stream = self.__wrapped__.__enter__()
        except BaseException as error:
            self._self_trace = None
            trace.fail(error)
            raise
        return self._entered(trace, stream)

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> Any:
        try:
            return self.__wrapped__.__exit__(exc_type, exc, tb)
        finally:
            self._exited()

    async def __aenter__(self) -> Any:
        trace = self._start()
        if trace is None:
            return await self.__wrapped__.__aenter__()
        try:
            stream = await self.__wrapped__.__aenter__()
        except BaseException as error:
            self._self_trace = None
            trace.fail(error)
            raise
        return self._entered(trace, stream)

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> Any:
        try:
            return await self.__wrapped__.__aexit__(exc_type, exc, tb)
        finally:
            self._exited()


_RUNS: dict[CallShape, Callable[..., Any]] = {
    CallShape.VALUE: _run_value,
    CallShape.COROUTINE: _run_coroutine,
    CallShape.GENERATOR: _run_lazy,
    CallShape.ASYNC_GENERATOR: _run_lazy,
    CallShape.STREAM_MANAGER: _run_manager,
}
