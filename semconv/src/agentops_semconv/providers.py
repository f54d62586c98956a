"""Values of ``gen_ai.provider.name``.

Registry values are re-exported from ``opentelemetry-semantic-conventions`` so provider
packages import every provider name from one place. The registry has no value for Ollama,
AI21 or LiteLLM; for those this project uses the lowercase product name.
"""

from typing import Final

from opentelemetry.semconv._incubating.attributes.gen_ai_attributes import (
    GenAiProviderNameValues,
)


class ProviderName:
    OPENAI: Final = GenAiProviderNameValues.OPENAI.value
    AZURE_OPENAI: Final = GenAiProviderNameValues.AZURE_AI_OPENAI.value
    ANTHROPIC: Final = GenAiProviderNameValues.ANTHROPIC.value
    COHERE: Final = GenAiProviderNameValues.COHERE.value
    MISTRAL: Final = GenAiProviderNameValues.MISTRAL_AI.value
    GROQ: Final = GenAiProviderNameValues.GROQ.value
    DEEPSEEK: Final = GenAiProviderNameValues.DEEPSEEK.value
    X_AI: Final = GenAiProviderNameValues.X_AI.value
    PERPLEXITY: Final = GenAiProviderNameValues.PERPLEXITY.value
    # Not in the registry: the lowercase product name.
    OLLAMA: Final = "ollama"
    AI21: Final = "ai21"
    LITELLM: Final = "litellm"
