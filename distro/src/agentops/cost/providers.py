"""Which genai-prices provider prices a span, given its ``gen_ai.provider.name``.

Provider names are the semantic-convention values (plus this project's ``ollama``, ``ai21``
and ``litellm``); genai-prices uses its own ids. Older instrumentations report
``gen_ai.system`` instead, so its values are accepted too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from agentops_semconv import PROVIDERS, ProviderName

GENAI_PRICES_PROVIDER: Final[dict[str, str]] = {
    name: row.prices
    for row in PROVIDERS
    if row.prices is not None
    for name in (row.name, *row.aliases)
}
"""``gen_ai.provider.name`` (or ``gen_ai.system``) value → genai-prices provider id, from the
provider registry."""

MODEL_MATCH: Final = frozenset(
    row.name for row in PROVIDERS if row.prices is None and not row.local and row.seed
) - {ProviderName.LITELLM}
"""Providers genai-prices does not list: the model name alone picks the provider, if any."""

LOCAL_PROVIDERS: Final = frozenset(row.name for row in PROVIDERS if row.local)
"""Providers whose models run on the user's machine: free unless the user prices them."""

LITELLM_PREFIX: Final[dict[str, str]] = {
    prefix: row.prices
    for row in PROVIDERS
    if row.prices is not None
    for prefix in row.litellm_prefixes
}
"""LiteLLM's ``provider/`` model prefix → genai-prices provider id."""

LITELLM_LOCAL_PREFIXES: Final = frozenset(
    prefix for row in PROVIDERS if row.local for prefix in row.litellm_prefixes
)


@dataclass(frozen=True, slots=True)
class PriceTarget:
    """Where to look a span's model up."""

    provider_id: str | None
    """genai-prices provider id; ``None`` to let the model name pick the provider."""
    model: str
    local: bool = False
    """The model runs locally (Ollama): free unless the user's price file says otherwise."""
    fallback_to_model_match: bool = False
    """If ``provider_id`` is unknown to genai-prices, try matching the model name alone."""


def price_target(provider_name: str | None, model: str) -> PriceTarget:
    """The lookup for ``(provider_name, model)``.

    A provider name not in the tables is passed to genai-prices as a provider id (it knows
    aliases such as ``together_ai``), never replaced by a guess from the model name: a
    self-hosted server serving a model under a well-known name must not be charged the
    hosted price. A span with no provider name at all is matched by model name.
    """
    if provider_name is None:
        return PriceTarget(None, model)
    if provider_name in LOCAL_PROVIDERS:
        return PriceTarget(None, model, local=True)
    if provider_name == ProviderName.LITELLM:
        return _litellm_target(model)
    provider_id = GENAI_PRICES_PROVIDER.get(provider_name)
    if provider_id is not None:
        return PriceTarget(provider_id, model)
    if provider_name in MODEL_MATCH:
        return PriceTarget(None, model)
    return PriceTarget(provider_name, model)


def _litellm_target(model: str) -> PriceTarget:
    # LiteLLM names models "provider/model" or, for OpenAI and a few others, just "model".
    prefix, slash, rest = model.partition("/")
    if not slash:
        return PriceTarget(None, model)
    prefix = prefix.lower()
    if prefix in LITELLM_LOCAL_PREFIXES:
        return PriceTarget(None, rest, local=True)
    provider_id = LITELLM_PREFIX.get(prefix, prefix)
    return PriceTarget(provider_id, rest, fallback_to_model_match=True)
