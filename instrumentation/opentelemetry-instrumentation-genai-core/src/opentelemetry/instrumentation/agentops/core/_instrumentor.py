"""The instrumentor base every provider package subclasses.

A provider instrumentor lists ``Patch`` entries: which SDK function, which mapper, and (where
the function cannot tell) its call shape. Entries are resolved against the installed SDK, so
one package covers SDK versions that moved or renamed modules: a target the installed version
lacks is skipped (debug log); an instrumentor that can patch nothing says so at warning level.

Instrumenting never imports an SDK the application has not imported: the patches of an SDK
are applied when the application imports it (a post-import hook, namespace packages included:
see ``_import_hooks``), or at once if it already has. Each function is traced in place where
it is a Python function (see ``_inplace``: every reference to it is traced, including bound
methods and names imported earlier), and through a ``wrapt`` wrapper on its attribute
otherwise.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import logging
import os
import sys
import threading
import types
from abc import abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from opentelemetry import trace
from opentelemetry.instrumentation.agentops.core import _compat, hooks
from opentelemetry.instrumentation.agentops.core._import_hooks import when_imported
from opentelemetry.instrumentation.agentops.core._inplace import InPlacePatch, can_patch_in_place
from opentelemetry.instrumentation.agentops.core._patch import Patch, shape_of
from opentelemetry.instrumentation.agentops.core._telemetry import GenAITelemetry
from opentelemetry.instrumentation.agentops.core._wrappers import Dispatch, TelemetrySlot
from opentelemetry.instrumentation.agentops.core.settings import Settings

# The module opts out of type checking (``# type: ignore`` at its top).
from opentelemetry.instrumentation.instrumentor import BaseInstrumentor  # type: ignore[attr-defined]
from wrapt import register_post_import_hook, wrap_function_wrapper

__all__ = ["GenAIInstrumentor", "NativeTracing"]

_logger = logging.getLogger(__name__)
# Set on what we patched (wrapt keeps ``_self_`` attributes on the proxy itself), so the
# same function reached through two paths is patched once.
_MARK = "_self_agentops_patch"


@dataclass(frozen=True, slots=True)
class NativeTracing:
    """How an SDK that traces itself is kept from adding a second span to each call.

    While instrumented, the SDK's tracer ``scopes`` are switched off on the tracer provider
    this instrumentation emits to and on the global one, which such SDKs use by default (their
    HTTP requests and ``traceparent`` then belong to our span), and each ``env`` variable
    the user has not set is set, so clients made later, or on a provider that cannot switch
    scopes, start with the SDK's own tracing off. Both are undone by ``uninstrument()``.
    """

    scopes: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class _Applied:
    """One patch in force, and how to undo it."""

    in_place: InPlacePatch | None = None
    parent: Any = None
    attribute: str = ""
    original: Any = None
    owned: bool = False

    def undo(self) -> None:
        if self.in_place is not None:
            self.in_place.restore()
            vars(self.in_place.function).pop(_MARK, None)
        elif self.owned:
            setattr(self.parent, self.attribute, self.original)
        else:
            # The method was inherited: remove the override instead of copying it down.
            delattr(self.parent, self.attribute)


class GenAIInstrumentor(BaseInstrumentor):  # type: ignore[misc]
    """Patches the SDK functions a provider package lists; ``uninstrument`` restores them."""

    scope_name: ClassVar[str]
    scope_version: ClassVar[str]
    sdk_name: ClassVar[str]
    native_tracing: ClassVar[NativeTracing | None] = None
    """Set for SDKs that emit their own spans when a tracer provider exists."""

    @abstractmethod
    def patches(self) -> Iterable[Patch]:
        """The SDK functions to trace, across every supported SDK version."""

    # -- instrument / uninstrument -------------------------------------------------------

    def _instrument(self, **kwargs: Any) -> None:
        state = self._state()
        with state.lock:
            try:
                settings = Settings.from_env().with_signals(
                    tokens=hooks.signals.tokens, latency=hooks.signals.latency
                )
                state.slot.telemetry = GenAITelemetry(
                    self.scope_name,
                    self.scope_version,
                    settings=settings,
                    tracer_provider=kwargs.get("tracer_provider"),
                    meter_provider=kwargs.get("meter_provider"),
                    logger_provider=kwargs.get("logger_provider"),
                )
                self._native_tracing_off(state, kwargs.get("tracer_provider"))
                state.pending = {}
                for patch in self.patches():
                    root = patch.module if patch.on_demand else patch.module.partition(".")[0]
                    state.pending.setdefault(root, []).append(patch)
            except Exception:
                _logger.warning(
                    "Could not instrument %s: its calls will not be traced.",
                    self.sdk_name,
                    exc_info=True,
                )
                self._undo(state)
                return
            roots = list(state.pending)
        for root in roots:
            if root in sys.modules:
                self._apply_root(root)
            elif root not in state.hooked:
                state.hooked.add(root)
                when_imported(root, self._on_import)

    def _uninstrument(self, **kwargs: Any) -> None:
        state = self._state()
        with state.lock:
            self._undo(state)

    def _undo(self, state: _State) -> None:
        state.slot.telemetry = None
        state.pending = {}
        state.deferred = {}
        # Put back the exact objects found at instrumentation time, newest first, so a
        # target patched twice through two paths unwinds cleanly.
        for applied in reversed(state.applied):
            try:
                applied.undo()
            except Exception:
                _logger.warning("Could not restore a patched %s function", self.sdk_name)
        state.applied = []
        self._native_tracing_on(state)

    # -- applying patches ----------------------------------------------------------------

    def _on_import(self, module: types.ModuleType) -> None:
        self._apply_root(module.__name__)

    def _on_submodule_import(self, module: types.ModuleType) -> None:
        state = self._state()
        with state.lock:
            patches = state.deferred.pop(module.__name__, None)
            if not patches or state.slot.telemetry is None:
                return
            try:
                for patch in patches:
                    self._apply(state, patch)
            except Exception:
                _logger.warning(
                    "Could not instrument %s: its calls will not be traced.",
                    self.sdk_name,
                    exc_info=True,
                )
                self._undo(state)

    def _apply_root(self, root: str) -> None:
        state = self._state()
        with state.lock:
            patches = state.pending.pop(root, None)
            if not patches or state.slot.telemetry is None:
                return
            try:
                found = 0
                for patch in patches:
                    if self._defer(state, patch):
                        found += 1
                    else:
                        found += self._apply(state, patch)
            except Exception:
                _logger.warning(
                    "Could not instrument %s: its calls will not be traced.",
                    self.sdk_name,
                    exc_info=True,
                )
                self._undo(state)
                return
        if not found:
            _logger.warning(
                "Instrumenting %s found none of the methods it knows in the installed "
                "version: its calls will not be traced.",
                self.sdk_name,
            )

    def _defer(self, state: _State, patch: Patch) -> bool:
        """Leave a patch of a submodule the application has not imported until it does.

        SDKs that load their resources lazily (openai 2.x and later, a module per API) would
        otherwise import every API the instrumentation knows at start-up, used or not.
        True when deferred; False when the module is to be patched now (already imported, a
        namespace package, which post-import hooks cannot see, or not found at all).
        """
        name = patch.module
        if name in sys.modules or "." not in name:
            return False
        try:
            spec = importlib.util.find_spec(name)  # imports the parent packages only
        except (ImportError, ValueError):
            return False
        if spec is None or spec.loader is None or name in sys.modules:
            return False
        state.deferred.setdefault(name, []).append(patch)
        if name not in state.hooked:
            state.hooked.add(name)
            register_post_import_hook(self._on_submodule_import, name)
        return True

    def _apply(self, state: _State, patch: Patch) -> bool:
        """Patch one target; False when the installed SDK does not have it."""
        try:
            module = importlib.import_module(patch.module)
            parent, attribute, current = _resolve(module, patch.target)
        except (ImportError, AttributeError):
            _logger.debug(
                "%s.%s is not in this %s version", patch.module, patch.target, self.sdk_name
            )
            return False
        function, method = _function_of(parent, attribute, current)
        if getattr(function, _MARK, False) or getattr(current, _MARK, False):
            return True  # the same function reached through another path
        shape = patch.shape or shape_of(function)
        dispatch = Dispatch(state.slot, patch.mapper, shape, function, method=method)
        owned = not isinstance(parent, type) or attribute in vars(parent)
        # In place only where the target owns the function: an inherited method is traced for
        # the class named, through an override, not for every class that shares it.
        if owned and can_patch_in_place(function):
            in_place = InPlacePatch(function, dispatch.in_place)
            # The function object now runs the trampoline: calls go to its original code.
            dispatch.original = in_place.original
            setattr(function, _MARK, True)
            state.applied.append(_Applied(in_place=in_place))
            return True
        proxy = wrap_function_wrapper(module, patch.target, dispatch)
        setattr(proxy, _MARK, True)
        state.applied.append(
            _Applied(parent=parent, attribute=attribute, original=current, owned=owned)
        )
        return True

    # -- SDKs that trace themselves -------------------------------------------------------

    def _native_tracing_off(self, state: _State, tracer_provider: Any) -> None:
        native = self.native_tracing
        if native is None:
            return
        # SDKs trace to the global provider unless told otherwise: switch their scopes off
        # there too when this instrumentation was given a provider of its own.
        providers = [trace.get_tracer_provider()]
        if tracer_provider is not None and tracer_provider is not providers[0]:
            providers.insert(0, tracer_provider)
        for provider in providers:
            if _compat.switch_off_scopes(provider, native.scopes):
                state.native_providers.append(provider)
        for name, value in native.env.items():
            if name not in os.environ:
                os.environ[name] = value
                state.native_env.append(name)
            elif os.environ[name] != value:
                _logger.info(
                    "%s=%s is set: %s's own spans stay on, beside this instrumentation's.",
                    name,
                    os.environ[name],
                    self.sdk_name,
                )

    def _native_tracing_on(self, state: _State) -> None:
        native = self.native_tracing
        if native is not None:
            for provider in state.native_providers:
                _compat.switch_on_scopes(provider, native.scopes)
        state.native_providers = []
        for name in state.native_env:
            os.environ.pop(name, None)
        state.native_env = []

    # -- state kept across instrument/uninstrument cycles ---------------------------------

    def _state(self) -> _State:
        # One per instrumentor (BaseInstrumentor makes it a singleton), created on first use.
        state: _State | None = self.__dict__.get("_agentops_state")
        if state is None:
            state = self.__dict__.setdefault("_agentops_state", _State())
        return state

    def _slot(self) -> TelemetrySlot:
        return self._state().slot


@dataclass(slots=True)
class _State:
    slot: TelemetrySlot = field(default_factory=TelemetrySlot)
    lock: threading.RLock = field(default_factory=threading.RLock)
    pending: dict[str, list[Patch]] = field(default_factory=dict)
    """Patches by top-level module, waiting for the application to import it."""
    deferred: dict[str, list[Patch]] = field(default_factory=dict)
    """Patches by submodule, the top-level module imported, waiting for the submodule."""
    hooked: set[str] = field(default_factory=set)
    applied: list[_Applied] = field(default_factory=list)
    native_providers: list[Any] = field(default_factory=list)
    native_env: list[str] = field(default_factory=list)


def _resolve(module: types.ModuleType, target: str) -> tuple[Any, str, Any]:
    """The parent, attribute name and current value of ``target`` inside ``module``.

    A class member must be defined by a class of its MRO: a metaclass ``__getattr__`` that
    serves it from elsewhere is not asked (it may import or build things; LiteLLM's Router
    facade does both), so such a target is skipped like a missing one.
    """
    *path, attribute = target.split(".")
    parent: Any = module
    for name in path:
        parent = getattr(parent, name)
    if isinstance(parent, type):
        inspect.getattr_static(parent, attribute)  # AttributeError when no class defines it
    return parent, attribute, getattr(parent, attribute)


def _function_of(parent: Any, attribute: str, current: Any) -> tuple[Any, bool]:
    """The function object behind ``parent.attribute``, and whether it takes ``self``/``cls``.

    Looks through the class's MRO so ``staticmethod`` and ``classmethod`` are seen as defined,
    and through bound methods (``ollama.chat`` is a method bound at import) to their function.
    """
    if isinstance(parent, type):
        for klass in parent.__mro__:
            raw = vars(klass).get(attribute)
            if raw is None:
                continue
            if isinstance(raw, staticmethod):
                return raw.__func__, False
            if isinstance(raw, classmethod):
                return raw.__func__, True
            return raw, isinstance(raw, types.FunctionType)
        return current, False
    if isinstance(current, types.MethodType):
        return current.__func__, True
    return current, False
