"""The core's one use of private OpenTelemetry SDK names, feature-checked.

SDKs that trace themselves (anthropic >= 1.14, mistralai 1.10 to 2.4) would add a second GenAI
span to every call we trace. The OpenTelemetry SDK can switch a tracer scope off: its tracer
configurator (``TracerProvider._set_tracer_configurator`` with ``_TracerConfig``, the
specification's TracerConfigurator, still "Development" and so private in opentelemetry-sdk
1.43 to 1.45). A switched-off scope's tracer returns non-recording spans that carry the current
span's context, so the SDK's own span disappears while its HTTP requests and ``traceparent``
stay children of ours.

If the provider is not an SDK provider, or an SDK upgrade removes these names, nothing is
switched off here (the instrumentor still sets the SDK's documented environment switch) and
``tests/instrumentation/core/test_compat.py`` fails loudly.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any

__all__ = ["scope_switch_supported", "switch_off_scopes", "switch_on_scopes"]

_lock = threading.Lock()
# Per tracer provider: the scopes switched off, and the configurator found there before.
_switched: weakref.WeakKeyDictionary[Any, _ScopeSwitch] = weakref.WeakKeyDictionary()


def _tracer_config_class() -> Any:
    try:
        from opentelemetry.sdk.trace import _TracerConfig
    except ImportError:
        return None
    return _TracerConfig


def scope_switch_supported(tracer_provider: Any) -> bool:
    return (
        _tracer_config_class() is not None
        and callable(getattr(tracer_provider, "_set_tracer_configurator", None))
        and callable(getattr(tracer_provider, "_tracer_configurator", None))
    )


class _ScopeSwitch:
    """The configurator installed on one provider: off for our scopes, else the previous."""

    def __init__(self, previous: Callable[[Any], Any], config_class: Any) -> None:
        self.previous = previous
        self.config_class = config_class
        self.off: dict[str, int] = {}  # scope name -> how many instrumentors want it off

    def __call__(self, scope: Any) -> Any:
        if self.off.get(getattr(scope, "name", None) or "", 0) > 0:
            return self.config_class(is_enabled=False)
        return self.previous(scope)


def switch_off_scopes(tracer_provider: Any, scopes: tuple[str, ...]) -> bool:
    """Switch the tracers of ``scopes`` off on ``tracer_provider``; False if unsupported."""
    if not scopes or not scope_switch_supported(tracer_provider):
        return False
    with _lock:
        switch = _switched.get(tracer_provider)
        if switch is None:
            switch = _ScopeSwitch(tracer_provider._tracer_configurator, _tracer_config_class())
            _switched[tracer_provider] = switch
        for scope in scopes:
            switch.off[scope] = switch.off.get(scope, 0) + 1
        # Setting it re-applies the configurator to tracers made earlier, too.
        tracer_provider._set_tracer_configurator(tracer_configurator=switch)
    return True


def switch_on_scopes(tracer_provider: Any, scopes: tuple[str, ...]) -> None:
    """Undo ``switch_off_scopes`` for ``scopes``."""
    with _lock:
        switch = _switched.get(tracer_provider)
        if switch is None:
            return
        for scope in scopes:
            count = switch.off.get(scope, 0) - 1
            if count > 0:
                switch.off[scope] = count
            else:
                switch.off.pop(scope, None)
        if switch.off:
            tracer_provider._set_tracer_configurator(tracer_configurator=switch)
        else:
            del _switched[tracer_provider]
            tracer_provider._set_tracer_configurator(tracer_configurator=switch.previous)
