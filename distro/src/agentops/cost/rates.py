"""Token prices as plain floats and the arithmetic that turns token counts into USD.

Prices are resolved once per model (from genai-prices or the user's price file) into
:class:`TokenRates`; pricing a span is then a handful of float operations, which keeps the
per-span cost within the processor's time budget. The arithmetic mirrors genai-prices'
``calc_unit_price``: ``price_per_mtok * tokens / 1_000_000``, and a threshold tier applies its
price to *all* tokens once the request's total input tokens exceed the tier's start.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

_PER_MTOK = 1_000_000


@dataclass(frozen=True, slots=True)
class Rate:
    """A price in USD per million tokens, optionally stepped by the request's input size."""

    base: float
    """USD per million tokens below the first tier."""
    tiers: tuple[tuple[int, float], ...] = ()
    """``(start, usd_per_mtok)`` in ascending ``start``; applies when total input > start."""

    def per_mtok(self, total_input_tokens: float) -> float:
        for start, price in reversed(self.tiers):
            if total_input_tokens > start:
                return price
        return self.base


class CostBreakdown(NamedTuple):
    """The USD cost of one call, split the way the ``agentops.cost.*`` attributes are."""

    input_usd: float
    """Input tokens that were neither read from nor written to a prompt cache."""
    output_usd: float
    cache_read_usd: float
    cache_write_usd: float
    request_usd: float
    """A flat per-request fee, where the provider charges one (e.g. Perplexity)."""
    total_usd: float


@dataclass(frozen=True, slots=True)
class TokenRates:
    """Everything needed to price token usage for one model at one point in time.

    A missing cache price means cached tokens cost the same as other input tokens, which is
    how genai-prices treats a model that lists no cache price.
    """

    input: Rate | None
    output: Rate | None
    cache_read: Rate | None = None
    cache_write: Rate | None = None
    per_request_usd: float = 0.0
    per_search_unit_usd: float | None = None
    """USD per billed search unit of a rerank call (Cohere's unit: one query over up to 100
    documents); ``None`` when the model has no search price."""
    _flat: tuple[float, float, float, float] | None = field(
        init=False, repr=False, compare=False, default=None
    )

    def __post_init__(self) -> None:
        # Without tiers every price is one number: keep the four ready for the common path.
        rates = (
            self.input,
            self.output,
            self.cache_read or self.input,
            self.cache_write or self.input,
        )
        if all(rate is None or not rate.tiers for rate in rates):
            flat = tuple(rate.base if rate is not None else 0.0 for rate in rates)
            object.__setattr__(self, "_flat", flat)

    def cost(
        self,
        input_tokens: float,
        output_tokens: float,
        cache_read_tokens: float = 0,
        cache_write_tokens: float = 0,
    ) -> CostBreakdown:
        """Price one call. ``input_tokens`` includes the cached tokens (semantic conventions).

        If the cache counts exceed ``input_tokens`` the instrumentation evidently reported
        input *without* cached tokens (as Anthropic's API does), so ``input_tokens`` is taken
        as the uncached part rather than clamped, which would under-price the call.
        """
        uncached = input_tokens - cache_read_tokens - cache_write_tokens
        if uncached < 0:
            uncached = input_tokens
        flat = self._flat
        if flat is not None:
            input_usd = flat[0] * uncached / _PER_MTOK
            output_usd = flat[1] * output_tokens / _PER_MTOK
            cache_read_usd = flat[2] * cache_read_tokens / _PER_MTOK
            cache_write_usd = flat[3] * cache_write_tokens / _PER_MTOK
        else:
            total_input = uncached + cache_read_tokens + cache_write_tokens
            input_rate = self.input
            input_usd = _usd(input_rate, uncached, total_input)
            output_usd = _usd(self.output, output_tokens, total_input)
            cache_read_usd = _usd(self.cache_read or input_rate, cache_read_tokens, total_input)
            cache_write_usd = _usd(self.cache_write or input_rate, cache_write_tokens, total_input)
        request_usd = self.per_request_usd
        total = input_usd + output_usd + cache_read_usd + cache_write_usd + request_usd
        return CostBreakdown(
            input_usd, output_usd, cache_read_usd, cache_write_usd, request_usd, total
        )

    def cache_read_savings(
        self, input_tokens: float, cache_read_tokens: float, cache_write_tokens: float = 0
    ) -> float:
        """USD the cache reads saved: their price at the input rate minus what they cost.

        Never negative (a counter only goes up); 0 for a model without a cache-read price,
        whose cache reads cost the input price. Same token accounting as :meth:`cost`.
        """
        if not cache_read_tokens:
            return 0.0
        flat = self._flat
        if flat is not None:
            saved = (flat[0] - flat[2]) * cache_read_tokens / _PER_MTOK
        else:
            uncached = input_tokens - cache_read_tokens - cache_write_tokens
            if uncached < 0:
                uncached = input_tokens
            total_input = uncached + cache_read_tokens + cache_write_tokens
            input_rate = self.input
            saved = _usd(input_rate, cache_read_tokens, total_input) - _usd(
                self.cache_read or input_rate, cache_read_tokens, total_input
            )
        return saved if saved > 0 else 0.0

    @property
    def prices_tokens(self) -> bool:
        """Whether these rates price text tokens at all (a reranker priced only per search
        unit does not: its token-priced calls are of an unknown price, not free)."""
        return self.input is not None or self.output is not None


FREE = TokenRates(input=Rate(0.0), output=Rate(0.0))
"""Rates of a model that costs nothing per token (a local model)."""


def _usd(rate: Rate | None, tokens: float, total_input_tokens: float) -> float:
    if rate is None:
        return 0.0
    return rate.per_mtok(total_input_tokens) * tokens / _PER_MTOK
