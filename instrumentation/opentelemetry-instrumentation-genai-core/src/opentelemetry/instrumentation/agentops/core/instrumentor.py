"""The instrumentor base every provider package subclasses.

A provider instrumentor lists ``Patch`` entries: which SDK method, which mapper, sync or
async. Entries are resolved against the installed SDK, so one package covers SDK versions
that moved or renamed modules: a target the installed version lacks is skipped (debug log),
an instrumentor that can patch nothing says so at warning level.
"""

from __future__ import annotations

import importlib
import logging
from abc import abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from opentelemetry.instrumentation.agentops.core.mapper import Mapper
from opentelemetry.instrumentation.agentops.core.telemetry import GenAITelemetry
from opentelemetry.instrumentation.agentops.core.wrappers import (
    TelemetrySlot,
    async_wrapper,
    sync_wrapper,
)
from opentelemetry.instrumentation.instrumentor import BaseInstrumentor
from wrapt import resolve_path, wrap_function_wrapper

__all__ = ["GenAIInstrumentor", "Patch"]

_logger = logging.getLogger(__name__)
# Set on our wrappers (wrapt keeps ``_self_`` attributes on the proxy itself).
_MARK = "_self_genai_core_patch"


@dataclass(frozen=True, slots=True)
class Patch:
    """One SDK method to wrap, e.g. ``Patch("openai.resources.embeddings", "Embeddings.create",
    EmbeddingsMapper())``."""

    module: str
    target: str
    mapper: Mapper
    is_async: bool = False


class GenAIInstrumentor(BaseInstrumentor):  # type: ignore[misc]
    """Patches the SDK methods a provider package lists; ``uninstrument`` restores them."""

    scope_name: ClassVar[str]
    scope_version: ClassVar[str]
    sdk_name: ClassVar[str]

    @abstractmethod
    def patches(self) -> Iterable[Patch]:
        """The SDK methods to wrap, across every supported SDK version."""

    def _instrument(self, **kwargs: Any) -> None:
        self._applied: list[tuple[Any, str, Any, bool]] = []
        try:
            telemetry = GenAITelemetry(
                self.scope_name,
                self.scope_version,
                tracer_provider=kwargs.get("tracer_provider"),
                meter_provider=kwargs.get("meter_provider"),
                logger_provider=kwargs.get("logger_provider"),
            )
            self._slot().telemetry = telemetry
            for patch in self.patches():
                self._apply(patch)
        except Exception:
            _logger.warning(
                "Could not instrument %s: its calls will not be traced.",
                self.sdk_name,
                exc_info=True,
            )
            self._uninstrument()
            return
        if not self._applied:
            _logger.warning(
                "Instrumenting %s found none of the methods it knows in the installed "
                "version: its calls will not be traced.",
                self.sdk_name,
            )

    def _slot(self) -> TelemetrySlot:
        # One per instrumentor, kept across instrument/uninstrument cycles (see TelemetrySlot).
        slot: TelemetrySlot | None = getattr(self, "_telemetry_slot", None)
        if slot is None:
            slot = self._telemetry_slot = TelemetrySlot()
        return slot

    def _apply(self, patch: Patch) -> None:
        try:
            module = importlib.import_module(patch.module)
            parent, attribute, original = resolve_path(module, patch.target)
        except (ImportError, AttributeError):
            _logger.debug(
                "%s.%s is not in this %s version", patch.module, patch.target, self.sdk_name
            )
            return
        if getattr(getattr(parent, attribute), _MARK, False):
            return  # the same method reached through another module path
        owned = isinstance(parent, type) and attribute in vars(parent)
        wrapper = (async_wrapper if patch.is_async else sync_wrapper)(self._slot(), patch.mapper)
        proxy = wrap_function_wrapper(module, patch.target, wrapper)
        setattr(proxy, _MARK, True)
        self._applied.append((parent, attribute, original, owned or not isinstance(parent, type)))

    def _uninstrument(self, **kwargs: Any) -> None:
        self._slot().telemetry = None
        # Put back the exact objects found at instrumentation time, newest first, so a
        # target patched twice through two paths unwinds cleanly.
        for parent, attribute, original, owned in reversed(getattr(self, "_applied", [])):
            if owned:
                setattr(parent, attribute, original)
            else:
                # The method was inherited: remove the override instead of copying it down.
                delattr(parent, attribute)
        self._applied = []
