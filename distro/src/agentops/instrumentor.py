"""``AgentOpsInstrumentor``: instrument every provider SDK this project covers, in one call.

For code that sets OpenTelemetry up itself (``Client().configure()``, tests). Under
``opentelemetry-instrument`` each provider package is loaded through its own entry point
instead, and an SDK instrumented that way is left alone here.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Collection, Iterable
from typing import Any

from opentelemetry._logs import LoggerProvider
from opentelemetry.instrumentation.dependencies import get_dependency_conflicts
from opentelemetry.instrumentation.environment_variables import (
    OTEL_PYTHON_DISABLED_INSTRUMENTATIONS,
)
from opentelemetry.instrumentation.instrumentor import BaseInstrumentor
from opentelemetry.metrics import MeterProvider
from opentelemetry.trace import TracerProvider

from agentops.providers import PROVIDERS, Provider, get_provider, load_instrumentor, sdk_installed

__all__ = ["AgentOpsInstrumentor"]

_logger = logging.getLogger(__name__)
_ALL = "*"


class AgentOpsInstrumentor(BaseInstrumentor):  # type: ignore[misc]
    """Instruments each provider whose instrumentation package and SDK are installed.

    ``instrument`` is idempotent (a second call does nothing until ``uninstrument``), and
    ``uninstrument`` undoes exactly what ``instrument`` did: SDKs instrumented by someone
    else before it (``opentelemetry-instrument``, a direct ``OpenAIInstrumentor()`` call)
    are neither touched nor counted. Providers named in
    ``OTEL_PYTHON_DISABLED_INSTRUMENTATIONS`` are skipped.
    """

    def __init__(self) -> None:
        # BaseInstrumentor makes one instance per class; keep its state across calls.
        if not hasattr(self, "_instrumented"):
            self._instrumented: list[tuple[str, BaseInstrumentor]] = []

    def instrumentation_dependencies(self) -> Collection[str]:
        # Each provider's SDK is checked on its own: a missing one skips that provider only.
        return ()

    def instrument(
        self,
        tracer_provider: TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
        logger_provider: LoggerProvider | None = None,
        providers: Iterable[str] | None = None,
        **kwargs: Any,
    ) -> None:
        """Instrument the installed providers (all, or only those named in ``providers``).

        The providers are passed to each provider instrumentor; None means the global ones.
        Raises ``ValueError`` for a name that is not one of ``agentops.providers.PROVIDERS``.
        """
        if self.is_instrumented_by_opentelemetry:
            _logger.debug("AgentOpsInstrumentor is already instrumented; nothing to do")
            return
        selected = _select(providers)
        super().instrument(
            tracer_provider=tracer_provider,
            meter_provider=meter_provider,
            logger_provider=logger_provider,
            selected=selected,
            **kwargs,
        )

    def instrumented_providers(self) -> tuple[str, ...]:
        """Names of the providers this instrumentor instrumented, in order."""
        return tuple(name for name, _ in self._instrumented)

    def _instrument(self, **kwargs: Any) -> None:
        selected: tuple[Provider, ...] = kwargs.pop("selected", PROVIDERS)
        passed = {
            key: kwargs[key]
            for key in ("tracer_provider", "meter_provider", "logger_provider")
            if kwargs.get(key) is not None
        }
        disabled = _disabled()
        self._instrumented = []
        for provider in selected:
            if _ALL in disabled or provider.name in disabled:
                _logger.debug("%s skipped: disabled by the environment", provider.name)
                continue
            instrumentor = _ready_instrumentor(provider)
            if instrumentor is None:
                continue
            instrumentor.instrument(skip_dep_check=True, **passed)
            if instrumentor.is_instrumented_by_opentelemetry:
                self._instrumented.append((provider.name, instrumentor))
                _logger.debug("Instrumented %s", provider.name)

    def _uninstrument(self, **kwargs: Any) -> None:
        for _, instrumentor in reversed(self._instrumented):
            if instrumentor.is_instrumented_by_opentelemetry:
                instrumentor.uninstrument()
        self._instrumented = []


def _select(names: Iterable[str] | None) -> tuple[Provider, ...]:
    if names is None:
        return PROVIDERS
    if isinstance(names, str):
        names = [names]  # a lone name, not its letters
    selected: list[Provider] = []
    for name in names:
        provider = get_provider(name)
        if provider is None:
            known = ", ".join(p.name for p in PROVIDERS)
            raise ValueError(f"Unknown provider {name!r}; known providers: {known}")
        if provider not in selected:
            selected.append(provider)
    return tuple(selected)


def _disabled() -> set[str]:
    raw = os.environ.get(OTEL_PYTHON_DISABLED_INSTRUMENTATIONS, "")
    return {name.strip() for name in raw.split(",") if name.strip()}


def _ready_instrumentor(provider: Provider) -> BaseInstrumentor | None:
    """The provider's instrumentor if it can and should be instrumented now."""
    if not sdk_installed(provider):
        _logger.debug("%s skipped: the %s SDK is not installed", provider.name, provider.sdk)
        return None
    instrumentor_class = load_instrumentor(provider)
    if instrumentor_class is None:
        return None
    instrumentor = instrumentor_class()
    conflict = get_dependency_conflicts(instrumentor.instrumentation_dependencies())
    if conflict is not None:
        # Installed at an unsupported version: the user should know nothing is traced.
        log = _logger.warning if conflict.found else _logger.debug
        log("%s skipped: %s", provider.name, conflict)
        return None
    if instrumentor.is_instrumented_by_opentelemetry:
        _logger.debug("%s is already instrumented elsewhere; left as it is", provider.name)
        return None
    return instrumentor
