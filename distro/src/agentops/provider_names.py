"""The provider names users write (the seed's) and the ``gen_ai.provider.name`` values they mean.

Users configure filters, limits and custom metrics with the seed's short names (``openai``,
``mistral``, ...); spans carry the semantic-convention values (``mistral_ai``,
``azure.ai.openai``). This module is the one place that maps one onto the other.
"""

from __future__ import annotations

import logging
from typing import Final

from agentops_semconv import PROVIDERS
from opentelemetry.semconv._incubating.attributes.gen_ai_attributes import (
    GenAiProviderNameValues,
)

__all__ = ["KNOWN_NAMES", "canonical_value", "is_known", "matching_values", "seed_name"]

_logger = logging.getLogger("agentops")

# From the provider registry: each seed name and the gen_ai.provider.name values it covers,
# its own value first (the canonical one a custom metric is labelled with).
_SEED_NAMES: Final[dict[str, tuple[str, ...]]] = {}
for _row in PROVIDERS:
    if _row.seed is not None:
        _SEED_NAMES[_row.seed] = (*_SEED_NAMES.get(_row.seed, ()), _row.name)

KNOWN_NAMES: Final[tuple[str, ...]] = tuple(_SEED_NAMES)
"""The seed's provider names, in the seed's order."""

_REGISTRY_VALUES: Final[frozenset[str]] = frozenset(
    {value.value for value in GenAiProviderNameValues} | {row.name for row in PROVIDERS}
)

_warned: set[str] = set()


def _normalize(name: str) -> str:
    return name.strip().lower()


def is_known(name: str) -> bool:
    """A seed name or a ``gen_ai.provider.name`` value this project or the registry knows."""
    key = _normalize(name)
    return key in _SEED_NAMES or key in _REGISTRY_VALUES


def matching_values(name: str) -> frozenset[str]:
    """The ``gen_ai.provider.name`` values a user-written provider name covers.

    A seed name covers its values (``openai`` also covers Azure OpenAI); any other name is
    taken as a ``gen_ai.provider.name`` value itself, with one warning if nobody knows it.
    """
    key = _normalize(name)
    values = _SEED_NAMES.get(key)
    if values is not None:
        return frozenset(values)
    if key not in _REGISTRY_VALUES and key not in _warned:
        _warned.add(key)
        _logger.warning(
            "Unknown provider %r: it will match spans whose gen_ai.provider.name is %r only. "
            "Known providers: %s.",
            name,
            key,
            ", ".join(KNOWN_NAMES),
        )
    return frozenset({key})


def canonical_value(name: str) -> str:
    """The one ``gen_ai.provider.name`` value to label a user's data point with."""
    key = _normalize(name)
    values = _SEED_NAMES.get(key)
    return values[0] if values is not None else key


def seed_name(name: str) -> str | None:
    """The seed name for a seed name or one of its values (``mistral_ai`` -> ``mistral``)."""
    key = _normalize(name)
    if key in _SEED_NAMES:
        return key
    for seed, values in _SEED_NAMES.items():
        if key in values:
            return seed
    return None
