"""The provider registry: every fact about a provider, one row each.

``gen_ai.provider.name`` values come from the semantic-convention registry where it has one
(re-exported by ``ProviderName``); for the others this project uses a lowercase name. Each
``Provider`` row says, for one such value: which of the seed's providers it belongs to, the
SDK and instrumentation package that trace it (for the seed's eight), how genai-prices calls
it, whether its models run locally, the hosts of its OpenAI-compatible endpoint and LiteLLM's
model prefixes for it. The distro's provider loading, the seed-name mapping, cost lookup, the
OpenAI-compatible endpoint detection and the distro's extras all derive from ``PROVIDERS``:
adding a provider is one row plus its package.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final, TypedDict

from opentelemetry.semconv._incubating.attributes.gen_ai_attributes import (
    GenAiProviderNameValues,
)

__all__ = [
    "PROVIDERS",
    "Provider",
    "ProviderName",
    "by_name",
    "by_seed",
    "instrumented",
    "sdk_requirement",
]


class ProviderName:
    """``gen_ai.provider.name`` values: the registry's, and this project's for the rest."""

    OPENAI: Final = GenAiProviderNameValues.OPENAI.value
    AZURE_OPENAI: Final = GenAiProviderNameValues.AZURE_AI_OPENAI.value
    ANTHROPIC: Final = GenAiProviderNameValues.ANTHROPIC.value
    COHERE: Final = GenAiProviderNameValues.COHERE.value
    MISTRAL: Final = GenAiProviderNameValues.MISTRAL_AI.value
    GROQ: Final = GenAiProviderNameValues.GROQ.value
    DEEPSEEK: Final = GenAiProviderNameValues.DEEPSEEK.value
    X_AI: Final = GenAiProviderNameValues.X_AI.value
    PERPLEXITY: Final = GenAiProviderNameValues.PERPLEXITY.value
    GEMINI: Final = GenAiProviderNameValues.GCP_GEMINI.value
    # Not in the registry: the lowercase product name.
    OLLAMA: Final = "ollama"
    AI21: Final = "ai21"
    LITELLM: Final = "litellm"
    OPENROUTER: Final = "openrouter"
    TOGETHER_AI: Final = "together_ai"
    FIREWORKS_AI: Final = "fireworks_ai"


@dataclass(frozen=True, slots=True)
class Provider:
    """One ``gen_ai.provider.name`` value and what this project knows about it."""

    name: str
    """The ``gen_ai.provider.name`` value."""
    seed: str | None = None
    """The seed's provider name this value belongs to (``openai`` also covers Azure OpenAI);
    what users write in filters, limits and ``llm_config["providers"]``."""
    sdk: str | None = None
    """Distribution of the SDK our instrumentation traces (seed providers only)."""
    sdk_versions: str | None = None
    """The SDK versions the instrumentation supports and the test suite runs, as a
    requirement specifier (``>=1.0.0,<4``)."""
    package: str | None = None
    """Distribution of our instrumentation package."""
    instrumentor: str | None = None
    """``module:Class`` of the instrumentor; its entry point is named ``seed``."""
    prices: str | None = None
    """genai-prices provider id; None: the model name alone picks the price."""
    local: bool = False
    """Its models run on the user's machine: free unless the user prices them."""
    hosts: tuple[str, ...] = ()
    """Host names (or ``.suffixes``) of its OpenAI-compatible endpoint."""
    port: int | None = None
    """The port its server listens on by default, when that alone identifies it (Ollama)."""
    litellm_prefixes: tuple[str, ...] = ()
    """LiteLLM's ``prefix/`` model-name prefixes that route to it."""
    aliases: tuple[str, ...] = ()
    """Other values that name it (deprecated ``gen_ai.system`` values of older
    instrumentations), so their spans are priced too."""

    @property
    def requirement(self) -> str | None:
        """The SDK requirement, e.g. ``openai >=1.0.0,<4`` (the package's ``_instruments``)."""
        if self.sdk is None or self.sdk_versions is None:
            return None
        return f"{self.sdk} {self.sdk_versions}"

    @property
    def in_registry(self) -> bool:
        """Whether the semantic-convention registry lists this value."""
        return self.name in _REGISTRY_VALUES


_REGISTRY_VALUES: Final = frozenset(value.value for value in GenAiProviderNameValues)


class _Package(TypedDict):
    package: str
    instrumentor: str


def _package(seed: str, class_name: str) -> _Package:
    return {
        "package": f"agentops-instrumentation-{seed}",
        "instrumentor": f"opentelemetry.instrumentation.agentops.{seed}:{class_name}",
    }


PROVIDERS: Final[tuple[Provider, ...]] = (
    # The seed's eight, in the seed's order; the first row of each seed name is its own.
    Provider(
        ProviderName.OPENAI,
        seed="openai",
        sdk="openai",
        sdk_versions=">=1.0.0,<4",
        prices="openai",
        hosts=("api.openai.com",),
        litellm_prefixes=("openai", "text-completion-openai"),
        **_package("openai", "OpenAIInstrumentor"),
    ),
    Provider(
        ProviderName.ANTHROPIC,
        seed="anthropic",
        sdk="anthropic",
        sdk_versions=">=0.32.0,<3",
        prices="anthropic",
        litellm_prefixes=("anthropic",),
        **_package("anthropic", "AnthropicInstrumentor"),
    ),
    Provider(
        ProviderName.COHERE,
        seed="cohere",
        sdk="cohere",
        sdk_versions=">=5.4.0,<8",
        prices="cohere",
        hosts=("api.cohere.ai", "api.cohere.com"),
        litellm_prefixes=("cohere", "cohere_chat"),
        **_package("cohere", "CohereInstrumentor"),
    ),
    Provider(
        ProviderName.MISTRAL,
        seed="mistral",
        sdk="mistralai",
        sdk_versions=">=1.0.1,<4",
        prices="mistral",
        hosts=("api.mistral.ai",),
        litellm_prefixes=("mistral",),
        **_package("mistral", "MistralInstrumentor"),
    ),
    Provider(
        ProviderName.AI21,
        seed="ai21",
        sdk="ai21",
        sdk_versions=">=2.0.0,<5",
        litellm_prefixes=("ai21", "ai21_chat"),
        **_package("ai21", "AI21Instrumentor"),
    ),
    Provider(
        ProviderName.GROQ,
        seed="groq",
        sdk="groq",
        sdk_versions=">=0.9.0,<2",
        prices="groq",
        hosts=("api.groq.com",),
        litellm_prefixes=("groq",),
        **_package("groq", "GroqInstrumentor"),
    ),
    Provider(
        ProviderName.OLLAMA,
        seed="ollama",
        sdk="ollama",
        sdk_versions=">=0.0.1,<1",
        local=True,
        port=11434,
        litellm_prefixes=("ollama", "ollama_chat"),
        **_package("ollama", "OllamaInstrumentor"),
    ),
    Provider(
        ProviderName.LITELLM,
        seed="litellm",
        sdk="litellm",
        sdk_versions=">=1.53.4,<2",
        **_package("litellm", "LiteLLMInstrumentor"),
    ),
    # Reached through the OpenAI SDK (the seed's "openai" covers Azure OpenAI).
    Provider(
        ProviderName.AZURE_OPENAI,
        seed="openai",
        prices="azure",
        # Azure OpenAI resources, AI Foundry, and API Management gateways in front of them.
        hosts=(".openai.azure.com", ".cognitiveservices.azure.com", ".services.ai.azure.com"),
        litellm_prefixes=("azure", "azure_ai"),
        aliases=("az.ai.openai",),
    ),
    # OpenAI-compatible endpoints an OpenAI client may be pointed at.
    Provider(
        ProviderName.DEEPSEEK,
        prices="deepseek",
        hosts=("api.deepseek.com",),
        litellm_prefixes=("deepseek",),
    ),
    Provider(
        ProviderName.X_AI,
        prices="x-ai",
        hosts=("api.x.ai",),
        litellm_prefixes=("xai",),
        aliases=("xai",),
    ),
    Provider(
        ProviderName.PERPLEXITY,
        prices="perplexity",
        hosts=("api.perplexity.ai",),
        litellm_prefixes=("perplexity",),
    ),
    Provider(
        ProviderName.GEMINI,
        prices="google",
        hosts=("generativelanguage.googleapis.com",),
        litellm_prefixes=("gemini",),
        aliases=("gemini",),
    ),
    Provider(
        ProviderName.OPENROUTER,
        prices="openrouter",
        hosts=("openrouter.ai",),
        litellm_prefixes=("openrouter",),
    ),
    Provider(
        ProviderName.TOGETHER_AI,
        prices="together",
        hosts=("api.together.xyz", "api.together.ai"),
        litellm_prefixes=("together_ai",),
    ),
    Provider(
        ProviderName.FIREWORKS_AI,
        prices="fireworks",
        hosts=("api.fireworks.ai",),
        litellm_prefixes=("fireworks_ai",),
    ),
    # Registry values of providers this project does not instrument, so spans other
    # instrumentations make are priced too.
    Provider("azure.ai.inference", prices="azure", aliases=("az.ai.inference",)),
    Provider("gcp.gen_ai", prices="google"),
    Provider(
        "gcp.vertex_ai", prices="google", litellm_prefixes=("vertex_ai",), aliases=("vertex_ai",)
    ),
    Provider("aws.bedrock", prices="aws", litellm_prefixes=("bedrock",)),
)
"""Every provider this project knows; the seed's eight first, in the seed's order."""

_BY_NAME: Final[dict[str, Provider]] = {
    **{alias: row for row in PROVIDERS for alias in row.aliases},
    **{row.name: row for row in PROVIDERS},
}


def by_name(name: str) -> Provider | None:
    """The row of a ``gen_ai.provider.name`` value (or of a deprecated alias of one)."""
    return _BY_NAME.get(name)


def by_seed(seed: str) -> tuple[Provider, ...]:
    """The rows a seed provider name covers, its own first (``openai``: OpenAI, Azure)."""
    return tuple(row for row in PROVIDERS if row.seed == seed)


def instrumented() -> Iterator[Provider]:
    """The rows that have an instrumentation package: one per seed provider."""
    return (row for row in PROVIDERS if row.instrumentor is not None)


def sdk_requirement(seed: str) -> str:
    """The SDK requirement of a seed provider's instrumentation (its ``_instruments``)."""
    for row in by_seed(seed):
        if row.requirement is not None:
            return row.requirement
    raise KeyError(f"no instrumented provider named {seed!r}")
