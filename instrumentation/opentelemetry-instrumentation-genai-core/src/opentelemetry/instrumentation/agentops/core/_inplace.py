"""Tracing a Python function in place, so references taken before instrumenting are traced.

Replacing an attribute (what ``wrapt.wrap_function_wrapper`` does) misses every reference to
the function made earlier: a bound method an SDK stored on an instance in ``__init__``
(Cohere's clients), module-level functions bound at import to a client the SDK made
(``ollama.chat``), a raw-response helper the SDK cached, or ``from litellm import completion``
run before ``instrument()``. All of them still call the same function object, so this swaps
that object's code for a small trampoline and keeps the original code in a copy the trampoline
calls through the core. Observability agents do the same for the same reason (bytecode-level
wrapping in place).

What the swap keeps: ``inspect.signature`` (through ``__wrapped__``), the function's name,
module, docstring, annotations and attributes, ``inspect.iscoroutinefunction`` (coroutine
functions get a coroutine trampoline), closures (the copy shares the original's cells, so
``super()`` and closed-over state work) and identity (``Class.method is f`` still holds).
What it changes: ``__code__``, ``__defaults__`` and ``__kwdefaults__`` of the original object
while instrumented (the copy has the originals); ``restore()`` puts them back. A generator
function's trampoline is a plain function returning the core's proxy of the generator (which
keeps the generator's type), so ``inspect.isgeneratorfunction`` reads False meanwhile.

CPython only checks that the new code has as many free variables as the function has closure
cells, so the trampoline is compiled with that many (unused) free variables. The contract test
``tests/instrumentation/core/test_in_place.py`` fails loudly if an interpreter stops allowing it.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Final

__all__ = ["InPlacePatch", "can_patch_in_place"]

Dispatch = Callable[[tuple[Any, ...], dict[str, Any]], Any]
"""Receives the call's positional and keyword arguments; returns what the caller gets."""

_DISPATCH: Final = "__agentops_dispatch"
_MISSING: Final = object()
_FILENAME: Final = "<agentops instrumentation>"


def can_patch_in_place(function: object) -> bool:
    """Whether ``function`` is a plain Python function whose code can be swapped."""
    return sys.implementation.name == "cpython" and type(function) is types.FunctionType


_CO_COROUTINE: Final = 0x80


@lru_cache(maxsize=64)
def _trampoline(free_variables: int, coroutine: bool) -> types.CodeType:
    """Code of ``(*args, **kwargs) -> dispatch(args, kwargs)`` with ``free_variables`` cells."""
    names = [f"_agentops_cell_{index}" for index in range(free_variables)]
    lines = ["def _factory():"]
    lines += [f"    {name} = None" for name in names]
    keyword = f"{_DISPATCH}=None"
    if coroutine:
        lines.append(f"    async def trampoline(*args, {keyword}, **kwargs):")
        call = f"        return await {_DISPATCH}(args, kwargs)"
    else:
        lines.append(f"    def trampoline(*args, {keyword}, **kwargs):")
        call = f"        return {_DISPATCH}(args, kwargs)"
    if names:
        # Never runs; it only makes the names free variables of the trampoline.
        lines.append(f"        if False: ({', '.join(names)},)")
    lines.append(call)
    lines.append("    return trampoline")
    namespace: dict[str, Any] = {}
    exec(compile("\n".join(lines), _FILENAME, "exec"), namespace)
    code: types.CodeType = namespace["_factory"]().__code__
    if len(code.co_freevars) != free_variables:  # pragma: no cover - interpreter change
        raise RuntimeError("cannot build an in-place trampoline on this interpreter")
    return code


class InPlacePatch:
    """The swap applied to one function; ``restore()`` undoes it."""

    __slots__ = ("_saved", "function", "original")

    def __init__(self, function: types.FunctionType, dispatch: Dispatch) -> None:
        original = types.FunctionType(
            function.__code__,
            function.__globals__,
            function.__name__,
            function.__defaults__,
            function.__closure__,
        )
        original.__kwdefaults__ = dict(function.__kwdefaults__) if function.__kwdefaults__ else None
        original.__dict__.update(function.__dict__)
        original.__qualname__ = function.__qualname__
        original.__module__ = function.__module__
        original.__doc__ = function.__doc__
        original.__annotations__ = function.__annotations__
        self.original = original
        """A copy of the function as it was: what the trampoline calls."""
        self.function = function
        """The function object traced in place."""
        self._saved = (
            function.__code__,
            function.__defaults__,
            function.__kwdefaults__,
            function.__dict__.get("__wrapped__", _MISSING),
        )
        code = function.__code__
        trampoline = _trampoline(
            len(code.co_freevars), bool(code.co_flags & _CO_COROUTINE)
        ).replace(co_name=code.co_name, co_qualname=code.co_qualname)
        function.__code__ = trampoline
        function.__defaults__ = None
        function.__kwdefaults__ = {_DISPATCH: dispatch}
        # inspect.signature follows __wrapped__: callers still see the real signature.
        function.__wrapped__ = original  # type: ignore[attr-defined]

    def restore(self) -> None:
        function = self.function
        code, defaults, kwdefaults, wrapped = self._saved
        function.__code__ = code
        function.__defaults__ = defaults
        function.__kwdefaults__ = kwdefaults
        if wrapped is _MISSING:
            function.__dict__.pop("__wrapped__", None)
        else:
            function.__wrapped__ = wrapped  # type: ignore[attr-defined]
