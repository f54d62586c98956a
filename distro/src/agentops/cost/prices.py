"""Price resolution: which rates apply to a span's provider and model, resolved once.

Sources, first match wins, for the response model and then the request model:

1. the user's price file (``source = "user"``);
2. a local provider (Ollama) the user did not price: free (``source = "default_local"``);
3. genai-prices' bundled snapshot (``source = "genai-prices"``).

Results, misses included, are cached per ``(provider, response model, request model)``,
and genai-prices lookups per ``(provider id, model)``, so each model is looked up once.
Lookups run under a lock; cache hits do not take it.
"""

from __future__ import annotations

import logging
import threading
from typing import Final, Protocol

from agentops.cost import catalog
from agentops.cost._errors import OnceWarning
from agentops.cost.providers import PriceTarget, price_target
from agentops.cost.rates import FREE, TokenRates
from agentops.cost.user_prices import UserPrices

LOCAL_SOURCE: Final = "default_local"
"""``agentops.cost.price_source`` of a local model priced at 0 by default."""

_logger = logging.getLogger(__name__)
_MISSING: Final = object()


class ModelPricing(Protocol):
    """The price of one model; :meth:`rates` gives the rates that apply to one call."""

    source: str
    """``agentops.cost.price_source``: ``genai-prices``, ``user`` or ``default_local``."""
    uses_service_tier: bool
    """Whether :meth:`rates` depends on the call's service tier (worth reading it)."""

    def rates(
        self, start_time_ns: int | None, service_tier: str | None = None
    ) -> TokenRates | None: ...


class FixedPricing:
    """Rates that do not change with time or request (user prices, local models)."""

    __slots__ = ("_rates", "source")
    uses_service_tier = False

    def __init__(self, rates: TokenRates, source: str) -> None:
        self._rates = rates
        self.source = source

    def rates(
        self, start_time_ns: int | None = None, service_tier: str | None = None
    ) -> TokenRates | None:
        return self._rates


class PriceResolver:
    """Finds and caches the pricing of each ``(provider, model)``; safe across threads."""

    def __init__(self, user_prices: UserPrices | None = None, *, max_cached: int = 10_000) -> None:
        self._user = user_prices
        # Model names come from spans; the bound keeps a stream of unique names (a
        # fine-tune per request) from growing memory without limit.
        self._max_cached = max_cached
        self._resolved: dict[tuple[str | None, str | None, str | None], ModelPricing | None] = {}
        self._catalog: dict[tuple[str | None, str, bool], catalog.CatalogPricing | None] = {}
        self._lock = threading.Lock()
        self._lookup_failed = OnceWarning(
            _logger, "genai-prices lookup failed; model left unpriced"
        )

    def resolve(
        self,
        provider_name: str | None,
        response_model: str | None,
        request_model: str | None = None,
    ) -> ModelPricing | None:
        """Pricing for the response model, else the request model; ``None`` if unknown."""
        key = (provider_name, response_model, request_model)
        cached = self._resolved.get(key, _MISSING)
        if cached is not _MISSING:
            return cached  # type: ignore[return-value]
        with self._lock:
            cached = self._resolved.get(key, _MISSING)
            if cached is not _MISSING:
                return cached  # type: ignore[return-value]
            pricing = self._lookup(provider_name, response_model, request_model)
            if len(self._resolved) >= self._max_cached:
                self._resolved.clear()
            self._resolved[key] = pricing
            return pricing

    def _lookup(
        self, provider_name: str | None, response_model: str | None, request_model: str | None
    ) -> ModelPricing | None:
        models = [m for m in (response_model, request_model) if m]
        if len(models) == 2 and models[0] == models[1]:
            models.pop()
        # The user's file wins over genai-prices for either model name: an Azure deployment
        # priced by name must not lose to the catalogue price of the response model.
        if self._user is not None:
            for model in models:
                rates = self._user.find(provider_name, model)
                if rates is not None:
                    return FixedPricing(rates, self._user.source)
        for model in models:
            target = price_target(provider_name, model)
            if target.local:
                return FixedPricing(FREE, LOCAL_SOURCE)
            pricing = self._catalog_pricing(target)
            if pricing is not None:
                return pricing
        return None

    def _catalog_pricing(self, target: PriceTarget) -> catalog.CatalogPricing | None:
        key = (target.provider_id, target.model, target.fallback_to_model_match)
        if key in self._catalog:
            return self._catalog[key]
        try:
            pricing = catalog.find(
                target.provider_id,
                target.model,
                fallback_to_model_match=target.fallback_to_model_match,
            )
        except Exception:
            self._lookup_failed.report(f"provider={target.provider_id!r} model={target.model!r}")
            pricing = None
        if len(self._catalog) >= self._max_cached:
            self._catalog.clear()
        self._catalog[key] = pricing
        return pricing
