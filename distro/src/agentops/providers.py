"""The provider instrumentations of this project, and how to load one.

Each entry names an instrumentation package by its ``opentelemetry_instrumentor`` entry point
name (the name ``OTEL_PYTHON_DISABLED_INSTRUMENTATIONS`` uses), the instrumentor's import
path, the distribution of the SDK it instruments and the distribution of the package itself,
all read from the provider registry (``agentops_semconv.PROVIDERS``). Loading skips what is not
installed.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

from agentops_semconv.providers import Provider as Registered
from agentops_semconv.providers import instrumented
from opentelemetry.instrumentation.instrumentor import BaseInstrumentor

__all__ = ["PROVIDERS", "Provider", "get_provider", "load_instrumentor", "sdk_installed"]

_logger = logging.getLogger(__name__)

# Every provider package subclasses this; a module another project put at the same path
# does not.
_CORE_BASE = "opentelemetry.instrumentation.agentops.core._instrumentor.GenAIInstrumentor"


@dataclass(frozen=True, slots=True)
class Provider:
    """One provider instrumentation of this project."""

    name: str
    """Entry point name, e.g. ``openai``."""
    instrumentor: str
    """``module:Class`` of the instrumentor."""
    sdk: str
    """Distribution name of the instrumented SDK, e.g. ``openai``."""
    package: str
    """Distribution name of the instrumentation package."""

    @property
    def module(self) -> str:
        return self.instrumentor.partition(":")[0]

    @property
    def class_name(self) -> str:
        return self.instrumentor.partition(":")[2]


def _from_registry(row: Registered) -> Provider:
    # Rows with an instrumentor name their seed, SDK and package (tests/distro checks it).
    return Provider(
        name=row.seed or row.name,
        instrumentor=row.instrumentor or "",
        sdk=row.sdk or "",
        package=row.package or "",
    )


PROVIDERS: tuple[Provider, ...] = tuple(_from_registry(row) for row in instrumented())
"""One per seed provider, in the seed's order (from the provider registry). Packages not
installed are skipped when loading."""


def get_provider(name: str) -> Provider | None:
    for provider in PROVIDERS:
        if provider.name == name:
            return provider
    return None


def sdk_installed(provider: Provider) -> bool:
    try:
        version(provider.sdk)
    except PackageNotFoundError:
        return False
    return True


def load_instrumentor(provider: Provider) -> type[BaseInstrumentor] | None:
    """The provider's instrumentor class, or None when it is not installed or cannot load.

    Not installed is normal (debug log); an installed package that fails to import is a
    broken install the user must hear about (warning with the reason).
    """
    try:
        installed = importlib.util.find_spec(provider.module) is not None
    except (ImportError, ValueError):
        installed = False
    if not installed:
        _logger.debug("%s is not installed; %s is not instrumented", provider.package, provider.sdk)
        return None
    try:
        module = importlib.import_module(provider.module)
        instrumentor = getattr(module, provider.class_name)
    except Exception as error:
        _logger.warning(
            "%s is installed but cannot be loaded (%s: %s); %s calls will not be traced.",
            provider.package,
            type(error).__name__,
            error,
            provider.sdk,
        )
        return None
    if not _is_ours(instrumentor):
        _logger.info(
            "%s is not an AgentOps instrumentation (another package uses the same module "
            "name); it is left alone.",
            provider.instrumentor,
        )
        return None
    return instrumentor


def _is_ours(instrumentor: object) -> bool:
    if not isinstance(instrumentor, type) or not issubclass(instrumentor, BaseInstrumentor):
        return False
    names = (f"{base.__module__}.{base.__qualname__}" for base in instrumentor.__mro__)
    return _CORE_BASE in names
