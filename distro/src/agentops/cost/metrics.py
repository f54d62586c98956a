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
from collections.abc import Iterable

from agentops_semconv import (
    AGENTOPS_CLIENT_CACHE_READ_TOKENS,
    AGENTOPS_CLIENT_CACHE_READ_TOKENS_UNIT,
    AGENTOPS_CLIENT_CACHE_SAVINGS,
    AGENTOPS_CLIENT_COST,
    AGENTOPS_CLIENT_COST_UNIT,
)
from opentelemetry.metrics import (
    CallbackOptions,
    Meter,
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


class RunningTotals:
    """Running totals per attribute set, reported by one observable counter."""

    def __init__(
        self, meter: Meter, name: str, unit: str, description: str, zero: float = 0.0
    ) -> None:
        self._totals: dict[CostKey, float] = {}
        self._zero = zero  # 0 keeps integer counts integers
        self._lock = threading.Lock()
        meter.create_observable_counter(
            name, callbacks=[self._observe], unit=unit, description=description
        )

    def add(self, amount: float, key: CostKey) -> None:
        with self._lock:
            self._totals[key] = self._totals.get(key, self._zero) + amount

    def _observe(self, options: CallbackOptions) -> Iterable[Observation]:
        with self._lock:
            totals = list(self._totals.items())
        return [Observation(total, _attributes(key)) for key, total in totals]


class CostCounter(RunningTotals):
    """``agentops.client.cost``, with the cache counters made on the same meter.

    Use :func:`cost_counter` to get one: the SDK keeps only the first instrument of a name
    per meter, so processors sharing a meter provider must share the counters too.
    """

    def __init__(self, meter_provider: MeterProvider | None = None) -> None:
        meter = get_meter(_METER_NAME, _version(), meter_provider=meter_provider)
        super().__init__(
            meter,
            AGENTOPS_CLIENT_COST,
            AGENTOPS_CLIENT_COST_UNIT,
            "Cost of GenAI client calls, in USD",
        )
        self.cache_savings = RunningTotals(
            meter,
            AGENTOPS_CLIENT_CACHE_SAVINGS,
            AGENTOPS_CLIENT_COST_UNIT,
            "What prompt-cache reads saved against the model's input price, in USD",
        )
        self.cache_read_tokens = RunningTotals(
            meter,
            AGENTOPS_CLIENT_CACHE_READ_TOKENS,
            AGENTOPS_CLIENT_CACHE_READ_TOKENS_UNIT,
            "Input tokens served from the provider's prompt cache",
            zero=0,
        )


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
