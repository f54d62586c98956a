"""Prices from genai-prices' bundled snapshot, imported only when first needed.

genai-prices ships its price data inside the package (``genai_prices.data``); this module
reads that snapshot and never starts genai-prices' ``UpdatePrices`` fetcher, so no price is
fetched at runtime. If the application itself runs ``UpdatePrices``, the snapshot current
at a model's first lookup is used for that model from then on.

A model's prices can change with time (a new price from a date, off-peak hours) and with
the request (OpenAI's service tier). :class:`CatalogPricing` keeps genai-prices' model
object and converts the price that applies into :class:`TokenRates`, caching one conversion
per distinct combination of active conditions; a span costs a few dictionary lookups.
"""

from __future__ import annotations

import importlib
import threading
import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from agentops.cost.rates import Rate, TokenRates

if TYPE_CHECKING:
    from genai_prices.types import ModelInfo, ModelPrice, Provider

SOURCE: Final = "genai-prices"
_MISSING: Final = object()


class CatalogPricing:
    """The price of one genai-prices model, resolved for each call's time and service tier."""

    source: Final = SOURCE

    def __init__(self, provider: Provider, model: ModelInfo) -> None:
        from genai_prices.types import ModelPrice

        self.provider_id = provider.id
        self.model_id = model.id
        self._model = model
        self._conditional = None if isinstance(model.prices, ModelPrice) else model.prices
        # genai-prices applies request variants only to the provider's own models, not to a
        # model borrowed through a fallback provider (ModelInfo.calc_price); so do we.
        own_model = any(candidate is model for candidate in provider.models)
        self._variants = tuple(model.price_variants or ()) if own_model else ()
        self.uses_service_tier = any("service_tier" in v.when for v in self._variants)
        # Without time conditions the standard price never changes: convert it once.
        self._base: TokenRates | None = None
        if isinstance(model.prices, ModelPrice):
            self._base = to_token_rates(model.prices)
        # Service tiers whose price does not depend on time either.
        self._by_tier: dict[str, TokenRates | None] = {}
        # The rates of the last (second, tier) priced: spans arrive in time order, so a
        # time-dependent price is worked out about once a second.
        self._last: tuple[int, str | None, TokenRates | None] = (-1, None, None)
        self._by_condition: dict[tuple[int, tuple[int, ...]], TokenRates | None] = {}

    def rates(
        self, start_time_ns: int | None, service_tier: str | None = None
    ) -> TokenRates | None:
        """Rates for a call started at ``start_time_ns``; ``None`` if tokens are not priced."""
        if self._conditional is None:
            if not service_tier or not self._variants:
                return self._base
            fixed = self._by_tier.get(service_tier, _MISSING)
            if fixed is not _MISSING:
                return fixed  # type: ignore[return-value]
        # Price boundaries in the data are whole minutes (off-peak hours) or days (new
        # prices), so one result per second of start time is exact.
        second = start_time_ns // 1_000_000_000 if start_time_ns else int(time.time())
        last = self._last
        if last[0] == second and last[1] == service_tier:
            return last[2]
        rates = self._rates_at(second, service_tier)
        self._last = (second, service_tier, rates)
        return rates

    def _rates_at(self, second: int, service_tier: str | None) -> TokenRates | None:
        timestamp = datetime.fromtimestamp(second, tz=UTC)
        context = {"service_tier": service_tier} if service_tier else None
        matching = [
            (index, variant)
            for index, variant in enumerate(self._variants)
            if context is not None
            and all(context.get(key) == value for key, value in variant.when.items())
        ]
        time_dependent = self._conditional is not None or any(v.constraint for _, v in matching)
        key = (
            self._conditional_index(timestamp),
            tuple(
                index
                for index, variant in matching
                if variant.constraint is None or variant.constraint.active(timestamp)
            ),
        )
        rates = self._by_condition.get(key, _MISSING)
        if rates is _MISSING:
            # Same selection as ModelInfo.get_prices; the key encodes its outcome.
            rates = to_token_rates(self._model.get_prices(timestamp, context))
            self._by_condition[key] = rates
        # Tier values come from responses: bound the table.
        if not time_dependent and service_tier and len(self._by_tier) < 64:
            self._by_tier[service_tier] = rates  # type: ignore[assignment]
        return rates  # type: ignore[return-value]

    def _conditional_index(self, timestamp: datetime) -> int:
        # The last active conditional price wins; the first one if none is active.
        conditional = self._conditional
        if conditional is None:
            return -1
        for index in range(len(conditional) - 1, -1, -1):
            constraint = conditional[index].constraint
            if constraint is None or constraint.active(timestamp):
                return index
        return 0


def to_token_rates(model_price: ModelPrice) -> TokenRates | None:
    """Token rates from a genai-prices price, or ``None`` if it prices no text tokens.

    Only the units a span reports are kept: input, output, cache read, cache write, the
    per-request fee genai-prices adds to every call, and rerank search units. A model priced
    only by other units (audio seconds, pages, characters) gets ``None``, so its spans say
    ``unknown_model`` rather than a false 0.
    """
    input_rate = _rate(model_price.input_mtok)
    output_rate = _rate(model_price.output_mtok)
    searches_kcount = getattr(model_price, "rerank_searches_kcount", None)
    per_search = float(searches_kcount) / 1000 if isinstance(searches_kcount, Decimal) else None
    if input_rate is None and output_rate is None and per_search is None:
        return None
    requests_kcount = model_price.requests_kcount
    return TokenRates(
        input=input_rate,
        output=output_rate,
        cache_read=_rate(model_price.cache_read_mtok),
        cache_write=_rate(model_price.cache_write_mtok),
        per_request_usd=float(requests_kcount) / 1000 if requests_kcount is not None else 0.0,
        per_search_unit_usd=per_search,
    )


def _rate(value: Any) -> Rate | None:
    from genai_prices.types import TieredPrices

    if value is None:
        return None
    if isinstance(value, TieredPrices):
        tiers = tuple((tier.start, float(tier.price)) for tier in value.tiers)
        return Rate(float(value.base), tiers)
    return Rate(float(value))


def find(
    provider_id: str | None, model: str, *, fallback_to_model_match: bool = False
) -> CatalogPricing | None:
    """genai-prices' price for ``model`` at ``provider_id`` (or by model name if ``None``)."""
    from genai_prices import data_snapshot

    snapshot = data_snapshot.get_snapshot()
    try:
        provider, model_info = snapshot.find_provider_model(model, None, provider_id, None)
    except LookupError:
        if not (fallback_to_model_match and provider_id is not None):
            return None
        try:
            provider, model_info = snapshot.find_provider_model(model, None, None, None)
        except LookupError:
            return None
    return CatalogPricing(provider, model_info)


def preload() -> None:
    """Import genai-prices on this thread; build its bundled prices on a background one.

    genai-prices imports httpx2 and pydantic, modules the application may be importing or
    looking up at the same moment; a module another thread is still initialising is
    visible half-built (openai 2.x then fails with "partially initialized module
    'httpx2'"). So every import that could race happens here, on the caller's thread (about
    25 ms when the application already imported openai, 0.3 s otherwise). What is left for
    the background thread is ``genai_prices.data``, the price table itself (0.3 to 0.5 s),
    a module only genai-prices uses and whose own imports are all loaded by then: it cannot
    race with the application.
    """
    from genai_prices import data_snapshot, data_units  # noqa: F401  (imports, here)

    for name in _DATA_IMPORTS:
        importlib.import_module(name)
    threading.Thread(target=_build_snapshot, name="agentops-cost-prices", daemon=True).start()


# What ``genai_prices.data`` imports (checked by tests/distro/test_import_race.py).
_DATA_IMPORTS: Final = ("datetime", "decimal", "genai_prices.types")


def _build_snapshot() -> None:
    from genai_prices import data_snapshot

    try:
        data_snapshot.get_snapshot()
    except Exception:
        # It is built again on first use, and fails there with the reason.
        return
