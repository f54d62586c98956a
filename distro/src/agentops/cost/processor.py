"""``CostSpanProcessor``: adds ``agentops.cost.*`` to GenAI spans as they end.

Mechanism: the specification's OnEnding (still "Development"), which opentelemetry-sdk >= 1.40
implements as a private hook, mapped to ``on_ending`` by ``agentops._compat``. The SDK runs
every processor's hook before any processor's ``on_end``, so the attributes are on the
span every exporter receives whatever the order processors were added in. If the SDK never
calls the hook (an older SDK, or a wrapping processor that does not forward it), the same
work runs in ``on_end`` instead, where only processors added *after* this one see the result.
See ``_span_write`` for how attributes reach a span the SDK has already frozen.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Any, Final, Literal, get_args

from agentops_semconv import (
    AGENTOPS_COST_CACHE_READ_USD,
    AGENTOPS_COST_CACHE_WRITE_USD,
    AGENTOPS_COST_INPUT_USD,
    AGENTOPS_COST_OUTPUT_USD,
    AGENTOPS_COST_PRICE_SOURCE,
    AGENTOPS_COST_STATUS,
    AGENTOPS_COST_TOTAL_USD,
    AGENTOPS_OPERATION_RERANK,
    AGENTOPS_OPERATION_ROUTE,
    AGENTOPS_RERANK_BILLED_SEARCH_UNITS,
    AGENTOPS_USAGE_ESTIMATED,
    AGENTOPS_USAGE_ESTIMATED_INPUT_TOKENS,
    AGENTOPS_USAGE_ESTIMATED_OUTPUT_TOKENS,
    CostStatusValues,
)
from opentelemetry.context import Context
from opentelemetry.instrumentation.agentops.core import MAX_PLAUSIBLE_TOKENS, hooks
from opentelemetry.instrumentation.agentops.core.hooks import FinishedCall, Observation
from opentelemetry.metrics import MeterProvider
from opentelemetry.sdk.trace import ReadableSpan, Span
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as GenAI
from opentelemetry.semconv._incubating.attributes import openai_attributes as OpenAI

from agentops import _tag_keys
from agentops._compat import OnEndingSpanProcessor
from agentops.cost import catalog
from agentops.cost._errors import OnceWarning
from agentops.cost._span_write import read_attributes, write_attributes
from agentops.cost.metrics import cost_counter
from agentops.cost.prices import ModelPricing, PriceResolver
from agentops.cost.user_prices import load_price_file, price_file_path

_logger = logging.getLogger("agentops.cost")

_PRICED: Final = CostStatusValues.PRICED.value
_UNKNOWN_MODEL: Final = CostStatusValues.UNKNOWN_MODEL.value
_NO_USAGE: Final = CostStatusValues.NO_USAGE.value
_ESTIMATED_STATUS: Final = CostStatusValues.ESTIMATED.value
_INVALID_USAGE: Final = CostStatusValues.INVALID_USAGE.value
_ESTIMATED: Final = AGENTOPS_USAGE_ESTIMATED
_ESTIMATED_INPUT: Final = AGENTOPS_USAGE_ESTIMATED_INPUT_TOKENS
_ESTIMATED_OUTPUT: Final = AGENTOPS_USAGE_ESTIMATED_OUTPUT_TOKENS
_STATUS: Final = AGENTOPS_COST_STATUS

_OPERATION: Final = GenAI.GEN_AI_OPERATION_NAME
_PROVIDER: Final = GenAI.GEN_AI_PROVIDER_NAME
_SYSTEM: Final = GenAI.GEN_AI_SYSTEM  # deprecated name, still set by older instrumentations
_REQUEST_MODEL: Final = GenAI.GEN_AI_REQUEST_MODEL
_RESPONSE_MODEL: Final = GenAI.GEN_AI_RESPONSE_MODEL
_INPUT_TOKENS: Final = GenAI.GEN_AI_USAGE_INPUT_TOKENS
_OUTPUT_TOKENS: Final = GenAI.GEN_AI_USAGE_OUTPUT_TOKENS
_PROMPT_TOKENS: Final = GenAI.GEN_AI_USAGE_PROMPT_TOKENS  # deprecated input name
_COMPLETION_TOKENS: Final = GenAI.GEN_AI_USAGE_COMPLETION_TOKENS  # deprecated output name
_CACHE_READ_TOKENS: Final = GenAI.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS
_CACHE_WRITE_TOKENS: Final = GenAI.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS
_RERANK: Final = AGENTOPS_OPERATION_RERANK
_SEARCH_UNITS: Final = AGENTOPS_RERANK_BILLED_SEARCH_UNITS

NOT_PRICED_OPERATIONS: Final = frozenset(
    {
        GenAI.GenAiOperationNameValues.RETRIEVAL.value,
        GenAI.GenAiOperationNameValues.CREATE_AGENT.value,
        GenAI.GenAiOperationNameValues.INVOKE_AGENT.value,
        GenAI.GenAiOperationNameValues.EXECUTE_TOOL.value,
        GenAI.GenAiOperationNameValues.INVOKE_WORKFLOW.value,
        AGENTOPS_OPERATION_ROUTE,
    }
)
"""Operations that are not a model call. Agent spans may carry their children's summed
usage, and a routed call (``route``) groups model calls priced on their own spans; pricing
them would count the same tokens twice."""

_SERVICE_TIER_ATTRIBUTES: Final = (
    OpenAI.OPENAI_RESPONSE_SERVICE_TIER,
    GenAI.GEN_AI_OPENAI_RESPONSE_SERVICE_TIER,
    OpenAI.OPENAI_REQUEST_SERVICE_TIER,
    GenAI.GEN_AI_OPENAI_REQUEST_SERVICE_TIER,
)

Preload = Literal["first_call", "startup", "off"]
"""When genai-prices loads: as the first model call starts, when the processor is created, or
on the first priced span (see ``CostSpanProcessor``)."""

PRELOAD_ENV: Final = "AGENTOPS_PRICES_PRELOAD"
"""Environment variable choosing ``Preload`` for processors created without one."""

_PRELOAD_CHOICES: Final = frozenset(get_args(Preload))

_preload_started = False
_preload_lock = threading.Lock()


class CostSpanProcessor(OnEndingSpanProcessor):
    """Prices every GenAI model-call span and records ``agentops.client.cost`` (and the
    prompt-cache counters ``agentops.client.token.cache_read`` and
    ``agentops.client.cost.cache_savings``), with the span's tags.

    Add it to any SDK ``TracerProvider``::

        provider.add_span_processor(CostSpanProcessor())

    Args:
        meter_provider: where the cost counter goes; the global meter provider if ``None``.
        prices_file: a JSON price file (see ``docs/cost.md``); if ``None``, the path in
            ``$AGENTOPS_PRICES_FILE``, if set.
        resolver: a ready price resolver; replaces ``prices_file`` (mainly for tests).
        observe_calls: also price this project's own calls before their spans end, sampled or
            not (the core's call observer, see ``observe``); the latest processor created does
            it, until it is shut down. Spans of other instrumentations are priced when they end.
        preload: when genai-prices loads (``catalog.preload``: its imports on the calling
            thread, about 40 ms of CPU once the app has imported its SDK; the price table, 0.1 to
            0.5 s of CPU, on a background thread). ``"first_call"`` (the default, or
            ``$AGENTOPS_PRICES_PRELOAD``): as this project's first model call starts, so a
            process that never calls a model pays nothing and the table builds while the
            request is on the network; ``"startup"`` (or ``True``): now, for apps whose first
            call must not wait for the table; ``"off"`` (or ``False``): on the first priced
            span, on the thread that ends it.
    """

    def __init__(
        self,
        *,
        meter_provider: MeterProvider | None = None,
        prices_file: str | os.PathLike[str] | None = None,
        resolver: PriceResolver | None = None,
        observe_calls: bool = True,
        preload: Preload | bool | None = None,
    ) -> None:
        if resolver is None:
            path = price_file_path(prices_file)
            resolver = PriceResolver(load_price_file(path) if path is not None else None)
        self._resolver = resolver
        self._counter = cost_counter(meter_provider)
        self._ending_hook_called = False
        self._failure = OnceWarning(_logger, "Cost enrichment failed; span kept without cost")
        when = _preload_choice(preload)
        if when == "startup":
            _start_preload()
        elif when == "first_call":
            _arm_first_call_trigger()
        if observe_calls:
            _install_observer(self)

    @property
    def resolver(self) -> PriceResolver:
        return self._resolver

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        pass

    def on_ending(self, span: Span) -> None:
        self._ending_hook_called = True
        try:
            self._enrich(span)
        except Exception:
            self._failure.report()

    def on_end(self, span: ReadableSpan) -> None:
        if self._ending_hook_called:
            return
        try:
            self._enrich(span)
        except Exception:
            self._failure.report()

    def shutdown(self) -> None:
        _remove_observer(self)

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True

    def _enrich(self, span: Any) -> None:
        # The hot path: runs on the thread that ends the span, within a 5 µs budget, so names
        # are module constants and token counts take an int fast path.
        attributes = read_attributes(span)
        if not attributes:
            return
        if _STATUS in attributes:
            return  # priced already (our own spans are priced before they end: observe())
        priced = self._price(attributes.get, span.start_time)
        if priced is not None:
            write_attributes(span, priced)

    def observe(self, call: FinishedCall) -> Observation | None:
        """The call observer (``hooks.call_observers``): prices our own calls before their
        span ends, whether or not the span is sampled, and counts them."""
        if call.error_type is not None or call.response is None:
            return None
        if call.usage_problem is not None:
            return Observation(attributes={_STATUS: _INVALID_USAGE})
        priced = self._price(call.attributes.get, call.start_time_ns)
        return Observation(attributes=priced) if priced is not None else None

    def _price(self, get: Callable[[str], Any], start_time: int | None) -> dict[str, Any] | None:
        """The cost attributes of a call described by ``get`` (its span attributes); the
        counters are fed as a side effect. None for calls that are not priced at all."""
        operation = get(_OPERATION)
        if operation is None or operation in NOT_PRICED_OPERATIONS:
            return None
        if operation == _RERANK:
            return self._price_searches(get, operation, start_time)

        status = _PRICED
        input_tokens = get(_INPUT_TOKENS)
        if input_tokens.__class__ is not int or input_tokens < 0:
            input_tokens = _tokens(input_tokens)
            if input_tokens is None:
                input_tokens = _tokens(get(_PROMPT_TOKENS))
        output_tokens = get(_OUTPUT_TOKENS)
        if output_tokens.__class__ is not int or output_tokens < 0:
            output_tokens = _tokens(output_tokens)
            if output_tokens is None:
                output_tokens = _tokens(get(_COMPLETION_TOKENS))
        if input_tokens is None and output_tokens is None:
            if get(_ESTIMATED) is not True:
                return {_STATUS: _NO_USAGE}
            # A stream abandoned before usage came: priced (and counted) from the estimate.
            input_tokens = _tokens(get(_ESTIMATED_INPUT))
            output_tokens = _tokens(get(_ESTIMATED_OUTPUT))
            status = _ESTIMATED_STATUS
        if _implausible(input_tokens) or _implausible(output_tokens):
            return {_STATUS: _INVALID_USAGE}

        pricing, provider, request_model, response_model = self._pricing(get)
        cache_read = get(_CACHE_READ_TOKENS)
        if cache_read.__class__ is not int or cache_read < 0:
            cache_read = _tokens(cache_read)
        # Tags: only the keys agentops.tags made (a few look-ups, not a scan of every key).
        key = (provider, request_model, operation, response_model, _tag_keys.tags_of(get))
        rates = None
        if pricing is not None:
            tier = _service_tier(get) if pricing.uses_service_tier else None
            rates = pricing.rates(start_time, tier)
        if rates is None or not rates.prices_tokens:
            if cache_read:
                self._counter.add(None, key, cache_read)
            return {_STATUS: _UNKNOWN_MODEL}

        cache_write = get(_CACHE_WRITE_TOKENS)
        if cache_write.__class__ is not int or cache_write < 0:
            cache_write = _tokens(cache_write)
        input_tokens = input_tokens or 0
        cache_write = cache_write or 0
        cost = rates.cost(input_tokens, output_tokens or 0, cache_read or 0, cache_write)
        if cache_read:
            saved = rates.cache_read_savings(input_tokens, cache_read, cache_write)
            self._counter.add(cost.total_usd, key, cache_read, saved)
        else:
            self._counter.add(cost.total_usd, key)
        return {
            AGENTOPS_COST_INPUT_USD: cost.input_usd,
            AGENTOPS_COST_OUTPUT_USD: cost.output_usd,
            AGENTOPS_COST_CACHE_READ_USD: cost.cache_read_usd,
            AGENTOPS_COST_CACHE_WRITE_USD: cost.cache_write_usd,
            AGENTOPS_COST_TOTAL_USD: cost.total_usd,
            _STATUS: status,
            AGENTOPS_COST_PRICE_SOURCE: pricing.source,  # type: ignore[union-attr]
        }

    def _pricing(
        self, get: Callable[[str], Any]
    ) -> tuple[ModelPricing | None, str | None, str | None, str | None]:
        """The span's pricing (None if unknown), provider, request and response models."""
        response_model = _text(get(_RESPONSE_MODEL))
        request_model = _text(get(_REQUEST_MODEL))
        provider = _text(get(_PROVIDER)) or _text(get(_SYSTEM))
        pricing = (
            self._resolver.resolve(provider, response_model, request_model)
            if response_model or request_model
            else None
        )
        return pricing, provider, request_model, response_model

    def _price_searches(
        self, get: Callable[[str], Any], operation: str, start_time: int | None
    ) -> dict[str, Any]:
        """A rerank call: its billed search units at the model's search price."""
        units = _tokens(get(_SEARCH_UNITS))
        if units is None:
            return {_STATUS: _NO_USAGE}
        pricing, provider, request_model, response_model = self._pricing(get)
        rates = pricing.rates(start_time) if pricing is not None else None
        per_unit = rates.per_search_unit_usd if rates is not None else None
        if pricing is None or per_unit is None:
            return {_STATUS: _UNKNOWN_MODEL}
        total = units * per_unit
        key = (provider, request_model, operation, response_model, _tag_keys.tags_of(get))
        self._counter.add(total, key)
        return {
            AGENTOPS_COST_TOTAL_USD: total,
            _STATUS: _PRICED,
            AGENTOPS_COST_PRICE_SOURCE: pricing.source,
        }


def _tokens(value: Any) -> int | float | None:
    """A usable token count, or ``None`` (absent, negative, or not a number)."""
    if value is None or value.__class__ is bool:
        return None
    if isinstance(value, int | float) and value >= 0:
        return value
    return None


def _implausible(tokens: int | float | None) -> bool:
    return tokens is not None and tokens > MAX_PLAUSIBLE_TOKENS


def _text(value: Any) -> str | None:
    return value if value.__class__ is str and value else None


def _service_tier(get: Callable[[str], Any]) -> str | None:
    for name in _SERVICE_TIER_ATTRIBUTES:
        tier = _text(get(name))
        if tier is not None:
            return tier
    return None


_observer_lock = threading.Lock()


def _install_observer(processor: CostSpanProcessor) -> None:
    """Make ``processor`` the one pricing our calls, first among the call observers (the
    cost-limit observer reads the cost it sets)."""
    with _observer_lock:
        kept = [o for o in hooks.call_observers if not _is_cost_observer(o)]
        hooks.call_observers[:] = [processor.observe, *kept]


def _remove_observer(processor: CostSpanProcessor) -> None:
    with _observer_lock:
        hooks.call_observers[:] = [
            o for o in hooks.call_observers if getattr(o, "__self__", None) is not processor
        ]


def _is_cost_observer(observer: object) -> bool:
    return isinstance(getattr(observer, "__self__", None), CostSpanProcessor)


def _preload_choice(preload: Preload | bool | None) -> Preload:
    if preload is True:
        return "startup"
    if preload is False:
        return "off"
    if preload is not None:
        if preload not in _PRELOAD_CHOICES:
            raise ValueError(
                f"preload must be one of {sorted(_PRELOAD_CHOICES)} or a bool, not {preload!r}"
            )
        return preload
    configured = os.environ.get(PRELOAD_ENV, "").strip().lower()
    if not configured:
        return "first_call"
    if configured in _PRELOAD_CHOICES:
        return configured  # type: ignore[return-value]  # checked against the Literal
    _logger.warning(
        "%s=%r is not one of %s; using first_call",
        PRELOAD_ENV,
        configured,
        ", ".join(sorted(_PRELOAD_CHOICES)),
    )
    return "first_call"


def _arm_first_call_trigger() -> None:
    """Start the preload from the first call's pre-call checks: on the caller's thread
    (so genai-prices' imports cannot race the application's), before the request is sent
    (so the price table builds in the background while the call is on the network)."""
    with _preload_lock:
        if _preload_started or _preload_on_first_call in hooks.pre_call_checks:
            return
        # Never removed: removing an entry while the core iterates the list would skip the
        # next check (a hard cost limit). Once the preload has started it is one flag read.
        hooks.pre_call_checks.append(_preload_on_first_call)


def _preload_on_first_call(request: object) -> None:
    if not _preload_started:
        _start_preload()


def _start_preload() -> None:
    """Load genai-prices once per process, without racing the application's imports."""
    global _preload_started
    with _preload_lock:
        if _preload_started:
            return
        _preload_started = True
    try:
        catalog.preload()
    except Exception:
        _logger.debug("Loading genai-prices failed; it will load on first use", exc_info=True)
