"""The provider instrumentations of this project, and how to load one.

Each entry names an instrumentation package by its ``opentelemetry_instrumentor`` entry point
name (the name ``OTEL_PYTHON_DISABLED_INSTRUMENTATIONS`` uses), the instrumentor's import
path, the distribution of the SDK it instruments and the distribution of the package itself.
Entries for packages not written yet are listed already: loading skips what is not installed.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

from opentelemetry.instrumentation.instrumentor import BaseInstrumentor

__all__ = ["PROVIDERS", "Provider", "get_provider", "load_instrumentor", "sdk_installed"]

_logger = logging.getLogger(__name__)

# Every provider package subclasses this; a package elsewhere with the same module name (the
# PyPI names opentelemetry-instrumentation-<provider> belong to other projects) does not.
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


def _provider(name: str, class_name: str, sdk: str) -> Provider:
    return Provider(
        name=name,
        instrumentor=f"opentelemetry.instrumentation.agentops.{name}:{class_name}",
        sdk=sdk,
        package=f"agentops-instrumentation-{name}",
    )


PROVIDERS: tuple[Provider, ...] = (
    _provider("openai", "OpenAIInstrumentor", "openai"),
    # Not written yet; the paths are the ones the packages will use.
    _provider("anthropic", "AnthropicInstrumentor", "anthropic"),
    _provider("cohere", "CohereInstrumentor", "cohere"),
    _provider("mistral", "MistralInstrumentor", "mistralai"),
    _provider("ai21", "AI21Instrumentor", "ai21"),
    _provider("groq", "GroqInstrumentor", "groq"),
    _provider("ollama", "OllamaInstrumentor", "ollama"),
    _provider("litellm", "LiteLLMInstrumentor", "litellm"),
)


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
