"""Model filters: record only the calls to the models a user listed, per provider.

``ModelFilter`` is registered in the core's ``hooks.request_filters``: a call it rejects
produces no span and no metric point at all. Matching is by prefix, case-insensitively, on
the requested model: ``"claude-3"`` covers ``"claude-3-opus-20240229"`` (and ``"gpt-4"``
covers ``"gpt-4o"``). A provider that is not listed is not filtered.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping

from opentelemetry.instrumentation.agentops.core import Request

from agentops.provider_names import matching_values

__all__ = ["ModelFilter", "compile_rules", "model_matches", "normalize_models"]

FilterSpec = Mapping[str, Iterable[str] | str]
"""``{"openai": ["gpt-4", "gpt-3.5-turbo"], "anthropic": ["claude-3"]}``."""

Rules = dict[str, tuple[str, ...]]
"""Model prefixes (matching form) by ``gen_ai.provider.name`` value."""

_SHAPE = (
    "a dict of provider name to model name prefixes, like "
    "{'openai': ['gpt-4', 'gpt-3.5-turbo'], 'anthropic': ['claude-3']}"
)


def normalize_models(models: Iterable[str] | str) -> tuple[str, ...]:
    """Model prefixes in matching form; a lone string is one model, not its letters."""
    if isinstance(models, str):
        models = [models]
    prefixes = []
    for model in models:
        if not isinstance(model, str):
            raise TypeError(f"model names must be strings, not {type(model).__name__}")
        prefix = model.strip().casefold()
        if prefix and prefix not in prefixes:
            prefixes.append(prefix)
    return tuple(prefixes)


def compile_rules(spec: object) -> Rules:
    """The rules ``spec`` stands for; ``TypeError`` (showing the expected shape) if it is
    not shaped like ``FilterSpec``. ``None`` or ``{}`` is no rules."""
    if spec is None:
        return {}
    if not isinstance(spec, Mapping):
        raise TypeError(f"llm_filters must be {_SHAPE}; got a {type(spec).__name__}: {spec!r}")
    rules: Rules = {}
    for provider, models in spec.items():
        if not isinstance(provider, str):
            raise TypeError(
                f"llm_filters must be {_SHAPE}; got the key {provider!r} "
                f"({type(provider).__name__}), provider names are strings"
            )
        if isinstance(models, Mapping) or not isinstance(models, str | Iterable):
            raise TypeError(
                f"llm_filters[{provider!r}] must be a list of model name prefixes, like "
                f"['gpt-4', 'gpt-3.5-turbo']; got a {type(models).__name__}: {models!r}"
            )
        try:
            prefixes = normalize_models(models)
        except TypeError as error:
            raise TypeError(f"llm_filters[{provider!r}]: {error}; got {models!r}") from None
        for value in matching_values(provider):
            # Two keys naming the same provider (``openai`` and ``azure.ai.openai``) add up.
            rules[value] = tuple(dict.fromkeys(rules.get(value, ()) + prefixes))
    return rules


def model_matches(model: str | None, prefixes: tuple[str, ...]) -> bool:
    """Whether ``model`` starts with one of ``prefixes`` (already normalized)."""
    return model is not None and model.casefold().startswith(prefixes)


class ModelFilter:
    """Keeps the calls to listed models of listed providers, and every call of the others.

    ``update`` replaces the whole rule set atomically, so a call running on another thread
    sees either the old rules or the new ones. A provider listed with no models records
    nothing. A call whose model is unknown (``None``) to a listed provider is not recorded.
    """

    def __init__(self, spec: FilterSpec | None = None) -> None:
        self._rules: dict[str, tuple[str, ...]] = {}
        self._lock = threading.Lock()
        if spec:
            self.update(spec)

    def update(self, spec: FilterSpec | None) -> None:
        """Replace the rules; ``None`` or ``{}`` removes them (everything is recorded).

        A malformed ``spec`` raises ``TypeError`` and leaves the rules as they were."""
        self.set_rules(compile_rules(spec))

    def set_rules(self, rules: Rules) -> None:
        """Replace the rules with ones made by ``compile_rules``."""
        with self._lock:
            self._rules = dict(rules)

    @property
    def rules(self) -> dict[str, tuple[str, ...]]:
        """The rules in force, by ``gen_ai.provider.name`` value."""
        return dict(self._rules)

    def __call__(self, request: Request) -> bool:
        # The hot path: one dict lookup for an unlisted provider. Reading the attribute once
        # is enough for consistency: the dict itself is never mutated after it is published.
        prefixes = self._rules.get(request.provider)
        if prefixes is None:
            return True
        return model_matches(request.model, prefixes)
