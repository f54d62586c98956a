"""The cost processor's counters, cheap enough to feed from every span end.

``agentops.client.cost`` (USD), ``agentops.client.cost.cache_savings`` (USD) and
``agentops.client.token.cache_read`` ({token}), each with the call's provider, models,
operation and tags.

A synchronous SDK ``Counter.add`` costs about 6 µs per call, more than the processor's whole
per-span budget. The processor instead adds each amount to an in-process running total per
attribute set (well under a microsecond) and an ``ObservableCounter`` reports those totals
when a reader collects. The exported data is the same as a Counter's: a monotonic Sum,
cumulative or converted to delta by the SDK for delta readers. What is lost is the exemplar a
synchronous add could attach.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterable
from typing import Any

from agentops_semconv import (
    AGENTOPS_CLIENT_CACHE_READ_TOKENS,
    AGENTOPS_CLIENT_CACHE_READ_TOKENS_UNIT,
    AGENTOPS_CLIENT_CACHE_SAVINGS,
    AGENTOPS_CLIENT_COST,
    AGENTOPS_CLIENT_COST_UNIT,
)
from opentelemetry.metrics import (
    CallbackOptions,
    MeterProvider,
    Observation,
    get_meter,
    get_meter_provider,
)
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as GenAI

from agentops._tag_keys import TagItems

_METER_NAME = "agentops.cost"

CostKey = tuple[str | None, str | None, str | None, str | None, TagItems]
"""``(provider name, request model, operation name, response model, tags)``."""

_KEY_ATTRIBUTES = (
    GenAI.GEN_AI_PROVIDER_NAME,
    GenAI.GEN_AI_REQUEST_MODEL,
    GenAI.GEN_AI_OPERATION_NAME,
    GenAI.GEN_AI_RESPONSE_MODEL,
)


class CostCounter:
    """Running totals per attribute set, reported as ``agentops.client.cost`` and the two
    cache counters.

    One table holds the three totals of each attribute set, so a span costs one lock and
    one hash of its key whatever it records. Use :func:`cost_counter` to get one: the SDK
    keeps only the first instrument of a name per meter, so processors sharing a meter
    provider must share the counters too.
    """

    def __init__(self, meter_provider: MeterProvider | None = None) -> None:
        # key -> [cost USD or None (never priced), cache-read tokens, cache savings USD]
        self._totals: dict[CostKey, list[Any]] = {}
        self._lock = threading.Lock()
        meter = get_meter(_METER_NAME, _version(), meter_provider=meter_provider)
        for name, unit, description, column in (
            (
                AGENTOPS_CLIENT_COST,
                AGENTOPS_CLIENT_COST_UNIT,
                "Cost of GenAI client calls, in USD",
                0,
            ),
            (
                AGENTOPS_CLIENT_CACHE_READ_TOKENS,
                AGENTOPS_CLIENT_CACHE_READ_TOKENS_UNIT,
                "Input tokens served from the provider's prompt cache",
                1,
            ),
            (
                AGENTOPS_CLIENT_CACHE_SAVINGS,
                AGENTOPS_CLIENT_COST_UNIT,
                "What prompt-cache reads saved against the model's input price, in USD",
                2,
            ),
        ):
            meter.create_observable_counter(
                name, callbacks=[self._observer(column)], unit=unit, description=description
            )

    def add(
        self,
        cost_usd: float | None,
        key: CostKey,
        cache_read_tokens: int | float = 0,
        cache_savings_usd: float = 0.0,
    ) -> None:
        """Count one call; ``cost_usd`` None for a call without a price."""
        with self._lock:
            totals = self._totals.get(key)
            if totals is None:
                totals = self._totals[key] = [None, 0, 0.0]
            if cost_usd is not None:
                totals[0] = cost_usd if totals[0] is None else totals[0] + cost_usd
            if cache_read_tokens:
                totals[1] += cache_read_tokens
            if cache_savings_usd:
                totals[2] += cache_savings_usd

    def _observer(self, column: int) -> Callable[[CallbackOptions], Iterable[Observation]]:
        def observe(options: CallbackOptions) -> Iterable[Observation]:
            with self._lock:
                totals = [(key, values[column]) for key, values in self._totals.items()]
            # No point for a set that never had this kind of amount: no cost for an
            # unpriced model (never a misleading 0), no cache points for uncached calls.
            return [
                Observation(total, _attributes(key))
                for key, total in totals
                if total is not None and (column == 0 or total)
            ]

        return observe


_counters: weakref.WeakKeyDictionary[MeterProvider, CostCounter] = weakref.WeakKeyDictionary()
_counters_lock = threading.Lock()


def cost_counter(meter_provider: MeterProvider | None = None) -> CostCounter:
    """The cost counter of ``meter_provider`` (the global one if ``None``), made once."""
    provider = meter_provider if meter_provider is not None else get_meter_provider()
    with _counters_lock:
        try:
            counter = _counters.get(provider)
        except TypeError:  # a provider that cannot be weakly referenced
            return CostCounter(provider)
        if counter is None:
            counter = _counters[provider] = CostCounter(provider)
        return counter


def _attributes(key: CostKey) -> dict[str, str]:
    attributes = {
        name: value for name, value in zip(_KEY_ATTRIBUTES, key[:4], strict=True) if value
    }
    attributes.update(key[4])
    return attributes


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("agentops-otel-distro")
    except PackageNotFoundError:
        return "0.0.0"
