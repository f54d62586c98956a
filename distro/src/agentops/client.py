"""``Client``: the seed's API (``from agentops import Client``) on top of OpenTelemetry.

::

    client = Client()
    client.configure(
        api_key="...",
        llm_config={"providers": ["openai", "anthropic"], "track_tokens": True,
                    "track_costs": True, "track_latency": True},
    )
    client.configure(llm_filters={"openai": ["gpt-4", "gpt-3.5-turbo"]})
    client.record_llm_metric(provider="openai", metric_name="business_value", value=100,
                             tags={"use_case": "support"})
    client.record_llm_error(provider="openai", error=exc, context={"step": "chat"})

Everything the client does lands in ordinary OpenTelemetry signals: GenAI spans and metrics
from the provider instrumentations, cost attributes from the cost processor, and the
client's own counters, gauge and log records. See ``docs/client.md``.
"""

from __future__ import annotations

import difflib
import logging
import os
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Final

from agentops_semconv import (
    AGENTOPS_CLIENT_COST_FLEET_RUNNING,
    AGENTOPS_CLIENT_COST_LIMIT,
    AGENTOPS_CLIENT_COST_RUNNING,
    AGENTOPS_CLIENT_COST_UNIT,
    AGENTOPS_COST_LIMIT_NAME,
)
from opentelemetry import trace
from opentelemetry._logs import Logger, LoggerProvider, get_logger
from opentelemetry.environment_variables import OTEL_LOGS_EXPORTER
from opentelemetry.instrumentation.agentops.core import hooks
from opentelemetry.instrumentation.environment_variables import (
    OTEL_PYTHON_DISABLED_INSTRUMENTATIONS,
)
from opentelemetry.metrics import CallbackOptions, Meter, MeterProvider, Observation, get_meter
from opentelemetry.sdk.trace import TracerProvider as SDKTracerProvider

from agentops import _compat, tagging
from agentops.api_key import configured_header_variables, key_for_otlp
from agentops.budget_store import BudgetStore, budget_store_from, budget_store_from_env
from agentops.cost import CostSpanProcessor
from agentops.custom_metrics import CustomMetrics
from agentops.error_reporting import ErrorReporter
from agentops.filters import FilterSpec, ModelFilter, compile_rules
from agentops.instrumentor import AgentOpsInstrumentor
from agentops.limit_processor import CostLimitProcessor
from agentops.limits import CostLimit, CostLimitCrossed, CostTracker, as_cost_limit
from agentops.provider_names import KNOWN_NAMES, seed_name
from agentops.providers import get_provider, load_instrumentor, sdk_installed

__all__ = ["Client"]

_logger = logging.getLogger("agentops")

_SCOPE: Final = "agentops.client"
_SWITCHES: Final = {
    "track_tokens": "_tokens",
    "track_costs": "_costs",
    "track_latency": "_latency",
}
_LLM_CONFIG_KEYS: Final = frozenset({"providers", *_SWITCHES})


class Client:
    """LLM monitoring configured in one call; one per process is the intended use.

    The client's settings (filters, limits, switches) apply to every instrumented provider
    SDK in the process. ``configure`` may be called again to change them; each call changes
    only what it is given.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._filter = ModelFilter()
        # $AGENTOPS_BUDGET_STORE, for applications run by opentelemetry-instrument.
        self._tracker = CostTracker(budget_store_from_env())
        self._check = self._tracker.check
        self._providers: tuple[str, ...] | None = None
        self._tokens = True
        self._costs = True
        self._latency = True
        self._tracer_provider: trace.TracerProvider | None = None
        self._meter_provider: MeterProvider | None = None
        self._logger_provider: LoggerProvider | None = None
        self._genai_logger_provider: LoggerProvider | None = None
        self._explicit = False
        self._configured = False
        self._instrumented: tuple[Any, ...] | None = None
        self._saved_signals: tuple[bool, bool] | None = None
        self._threading: Any = None
        self._limit_processors: weakref.WeakKeyDictionary[SDKTracerProvider, CostLimitProcessor] = (
            weakref.WeakKeyDictionary()
        )
        self._gauged: list[Any] = []
        self._metrics: tuple[Any, CustomMetrics] | None = None
        self._errors: tuple[Any, ErrorReporter] | None = None

    def __repr__(self) -> str:
        # Deliberately nothing secret: the api key is never kept.
        return (
            f"Client(configured={self._configured}, providers={self._providers}, "
            f"limits={[limit.name for limit in self._tracker.limits()]})"
        )

    # -- configuration -------------------------------------------------------------------

    def configure(
        self,
        api_key: str | None = None,
        llm_config: Mapping[str, Any] | None = None,
        llm_filters: FilterSpec | None = None,
        cost_limits: Iterable[CostLimit | Mapping[str, Any]] | None = None,
        *,
        budget_store: BudgetStore | str | None = None,
        tracer_provider: trace.TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
        logger_provider: LoggerProvider | None = None,
    ) -> Client:
        """Set up (or update) LLM monitoring; returns the client.

        Args:
            api_key: sent to the OTLP endpoint as ``authorization: Bearer <key>`` when this
                call builds the pipeline and no ``OTEL_EXPORTER_OTLP_*HEADERS`` variable is
                set. Never logged, stored or exported.
            llm_config: ``providers`` (names to instrument; default all installed),
                ``track_tokens``, ``track_costs``, ``track_latency`` (default True).
            llm_filters: ``{provider: [model prefixes]}``; only calls to those models of
                those providers are recorded; other providers are not filtered. ``{}``
                removes the filters.
            cost_limits: replaces the cost limits (``CostLimit`` or dicts of its fields).
            budget_store: where the limits' running costs are kept: ``"memory"`` (this
                process, the default unless ``$AGENTOPS_BUDGET_STORE`` says otherwise), a
                ``redis://`` URL or a ``BudgetStore`` (``RedisBudgetStore(...)``) to share
                budgets between processes and hosts. See docs/client.md.
            tracer_provider, meter_provider, logger_provider: use these instead of the
                global providers (which are reused if set, else built from ``OTEL_*``).

        Raises ``TypeError`` for arguments of the wrong shape and ``ValueError`` for an
        unknown provider name in ``llm_config["providers"]``; a rejected call changes
        nothing. A listed provider whose SDK is not installed, and unknown ``llm_config``
        keys, only log a warning.
        """
        with self._lock:
            # Everything is checked before anything changes.
            settings = _parse_llm_config(llm_config) if llm_config is not None else {}
            limits = _parse_cost_limits(cost_limits) if cost_limits is not None else None
            rules = compile_rules(llm_filters) if llm_filters is not None else None
            store = budget_store_from(budget_store) if budget_store is not None else None
            for attribute, value in settings.items():
                setattr(self, attribute, value)
            if rules is not None:
                self._filter.set_rules(rules)
            if store is not None:
                self._tracker.use_store(store)
            if limits is not None:
                self._tracker.replace_all(limits)
            self._register_hooks()
            self._setup_pipeline(api_key, tracer_provider, meter_provider, logger_provider)
            self._attach_limits(warn=True)
            self._instrument()
            self._instrument_threading()
            self._configured = True
            self._warn_limits_without_cost()
        return self

    def _register_hooks(self) -> None:
        if self._filter not in hooks.request_filters:
            hooks.request_filters.append(self._filter)
        if self._check not in hooks.pre_call_checks:
            hooks.pre_call_checks.append(self._check)
        tagging.register()

    def _setup_pipeline(
        self,
        api_key: str | None,
        tracer_provider: trace.TracerProvider | None,
        meter_provider: MeterProvider | None,
        logger_provider: LoggerProvider | None,
    ) -> None:
        if tracer_provider is not None or meter_provider is not None or logger_provider is not None:
            self._explicit = True
            self._tracer_provider = tracer_provider
            self._meter_provider = meter_provider
            self._logger_provider = logger_provider
            self._genai_logger_provider = logger_provider
            if (
                self._costs
                and isinstance(tracer_provider, SDKTracerProvider)
                and _processor_of(tracer_provider, CostSpanProcessor) is None
            ):
                tracer_provider.add_span_processor(CostSpanProcessor(meter_provider=meter_provider))
            if api_key:
                _logger.info("api_key not used: OpenTelemetry providers were given explicitly.")
            return
        if self._explicit:
            return  # keep the providers an earlier call was given
        from agentops.pipeline import ensure_pipeline

        key = key_for_otlp(api_key)
        will_build = isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)
        if will_build:
            # record_llm_error and cost alerts are log records: export them by default.
            os.environ.setdefault(OTEL_LOGS_EXPORTER, "otlp")
        pipeline = ensure_pipeline(api_key=key, cost=self._costs)
        if api_key and key is None:
            _logger.info(
                "api_key not sent: %s is set, so those OTLP headers are used instead.",
                " / ".join(configured_header_variables()),
            )
        elif api_key and not pipeline.owned:
            _logger.info(
                "api_key not sent: the application configured OpenTelemetry itself; its "
                "exporters are used as they are."
            )
        self._tracer_provider = pipeline.tracer_provider
        self._meter_provider = pipeline.meter_provider
        self._logger_provider = None  # the global one, whatever it becomes
        self._genai_logger_provider = pipeline.logger_provider

    def _sdk_tracer_provider(self) -> SDKTracerProvider | None:
        provider = self._tracer_provider
        if provider is None:
            provider = trace.get_tracer_provider()
        return provider if isinstance(provider, SDKTracerProvider) else None

    def _attach_limits(self, *, warn: bool) -> None:
        """Put this client's limit processor on the tracer provider (once) and the gauge on
        the meter provider (once)."""
        provider = self._sdk_tracer_provider()
        if provider is not None and provider not in self._limit_processors:
            # Our own calls are counted by the processor's call observer, sampled or not;
            # spans of other instrumentations when they end, after the cost processor (so the
            # cost is on the span in ``on_ending``).
            processor = CostLimitProcessor(self._tracker, self._event_logger())
            provider.add_span_processor(processor)
            self._limit_processors[provider] = processor
            hooks.call_observers[:] = [
                *(o for o in hooks.call_observers if not _limit_observer_of(o, self)),
                processor.observe,
            ]
        elif provider is None and self._tracker and warn:
            _logger.warning(
                "Cost limits need an OpenTelemetry SDK TracerProvider (the global one is "
                "not one); running costs will not be counted."
            )
        meter_provider = self._meter_provider
        if not any(made is meter_provider for made in self._gauged):
            meter = self._meter()
            meter.create_observable_gauge(
                AGENTOPS_CLIENT_COST_RUNNING,
                callbacks=[self._observe_running_cost],
                unit=AGENTOPS_CLIENT_COST_UNIT,
                description="Running cost within each cost limit's scope and window",
            )
            meter.create_observable_gauge(
                AGENTOPS_CLIENT_COST_FLEET_RUNNING,
                callbacks=[self._observe_fleet_running_cost],
                unit=AGENTOPS_CLIENT_COST_UNIT,
                description="Running cost of each cost limit for every process sharing its "
                "budget store",
            )
            meter.create_observable_gauge(
                AGENTOPS_CLIENT_COST_LIMIT,
                callbacks=[self._observe_limits],
                unit=AGENTOPS_CLIENT_COST_UNIT,
                description="The budget of each cost limit",
            )
            self._gauged.append(meter_provider)

    def _observe_running_cost(self, options: CallbackOptions) -> Iterable[Observation]:
        return [
            Observation(spent, {AGENTOPS_COST_LIMIT_NAME: name, **dict(tags)})
            for name, tags, spent in self._tracker.running()
        ]

    def _observe_fleet_running_cost(self, options: CallbackOptions) -> Iterable[Observation]:
        # Nothing with the in-process store: agentops.client.cost.running is the whole story.
        return [
            Observation(spent, {AGENTOPS_COST_LIMIT_NAME: name})
            for name, spent in self._tracker.fleet_running()
        ]

    def _observe_limits(self, options: CallbackOptions) -> Iterable[Observation]:
        return [
            Observation(float(limit.limit_usd), {AGENTOPS_COST_LIMIT_NAME: limit.name})
            for limit in self._tracker.limits()
        ]

    def _instrument(self) -> None:
        settings = (
            self._providers,
            self._tokens,
            self._latency,
            self._tracer_provider,
            self._meter_provider,
            self._genai_logger_provider,
        )
        instrumentor = AgentOpsInstrumentor()
        if settings == self._instrumented and instrumentor.is_instrumented_by_opentelemetry:
            return
        if instrumentor.is_instrumented_by_opentelemetry:
            # The switches are read when instrumenting: apply new ones by doing it again.
            instrumentor.uninstrument()
        if self._saved_signals is None:
            self._saved_signals = (hooks.signals.tokens, hooks.signals.latency)
        hooks.signals.tokens = self._tokens
        hooks.signals.latency = self._latency
        instrumentor.instrument(
            tracer_provider=self._tracer_provider,
            meter_provider=self._meter_provider,
            logger_provider=self._genai_logger_provider,
            providers=self._providers,
        )
        self._instrumented = settings
        self._report_uninstrumented(instrumentor.instrumented_providers())

    def _report_uninstrumented(self, done: tuple[str, ...]) -> None:
        """Say why a provider the user asked for (or has installed) is not traced by us."""
        disabled = os.environ.get(OTEL_PYTHON_DISABLED_INSTRUMENTATIONS, "")
        for name in self._providers if self._providers is not None else KNOWN_NAMES:
            provider = get_provider(name)
            if provider is None or name in done or name in disabled:
                continue
            if not sdk_installed(provider):
                if self._providers is not None:
                    _logger.warning(
                        "llm_config['providers']: %s is listed but its SDK (%s) is not "
                        "installed; nothing to trace for it.",
                        name,
                        provider.sdk,
                    )
                continue
            instrumentor = load_instrumentor(provider)
            if instrumentor is None:
                # Asked for by name: say so loudly; found installed: just mention it.
                log = _logger.warning if self._providers is not None else _logger.info
                log(
                    "%s calls will not be traced: the %s SDK is installed but its "
                    "instrumentation (%s) is not.",
                    name,
                    provider.sdk,
                    provider.package,
                )
            elif instrumentor().is_instrumented_by_opentelemetry and not (
                self._tokens and self._latency
            ):
                _logger.warning(
                    "%s was instrumented before configure() (by opentelemetry-instrument?): "
                    "track_tokens/track_latency do not apply to it.",
                    name,
                )

    def _instrument_threading(self) -> None:
        """Make tags (and every OpenTelemetry context) follow threads, when installed."""
        try:
            from opentelemetry.instrumentation.threading import ThreadingInstrumentor
        except ImportError:
            _logger.debug(
                "opentelemetry-instrumentation-threading is not installed: tags do not "
                "follow threads started inside a tags() block."
            )
            return
        instrumentor = ThreadingInstrumentor()
        if not instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.instrument()
            self._threading = instrumentor

    def _warn_limits_without_cost(self) -> None:
        if self._tracker and not self._costs:
            _logger.warning(
                "Cost limits are set but track_costs is False: without cost attributes on "
                "the spans nothing is counted against them."
            )

    def uninstrument(self) -> None:
        """Undo ``configure``: uninstrument the SDKs, drop this client's filters, checks
        and switches. Providers (and processors already on them) are left as they are; the
        limit processor stops counting."""
        with self._lock:
            instrumentor = AgentOpsInstrumentor()
            if self._instrumented is not None and instrumentor.is_instrumented_by_opentelemetry:
                instrumentor.uninstrument()
            self._instrumented = None
            for hook_list, item in (
                (hooks.request_filters, self._filter),
                (hooks.pre_call_checks, self._check),
            ):
                while item in hook_list:
                    hook_list.remove(item)  # type: ignore[arg-type]
            if self._saved_signals is not None:
                hooks.signals.tokens, hooks.signals.latency = self._saved_signals
                self._saved_signals = None
            for processor in list(self._limit_processors.values()):
                processor.active = False
            hooks.call_observers[:] = [
                o for o in hooks.call_observers if not _limit_observer_of(o, self)
            ]
            self._limit_processors = weakref.WeakKeyDictionary()
            if self._threading is not None:
                if self._threading.is_instrumented_by_opentelemetry:
                    self._threading.uninstrument()
                self._threading = None
            self._configured = False

    # -- what the client is set to ---------------------------------------------------------

    @property
    def llm_filters(self) -> dict[str, tuple[str, ...]]:
        """The model filters in force, by ``gen_ai.provider.name`` value."""
        return self._filter.rules

    @property
    def cost_limits(self) -> list[CostLimit]:
        return self._tracker.limits()

    @property
    def budget_store(self) -> BudgetStore:
        """Where the cost limits' running costs are kept."""
        return self._tracker.store

    # -- cost limits -----------------------------------------------------------------------

    def add_cost_limit(
        self,
        name: str,
        limit_usd: float,
        provider: str | None = None,
        model: str | None = None,
        window_seconds: float | None = None,
        hard: bool = False,
        on_exceed: Callable[[CostLimitCrossed], Any] | None = None,
    ) -> CostLimit:
        """Add a cost limit (or replace the one named ``name``); see ``CostLimit``."""
        limit = CostLimit(name, limit_usd, provider, model, window_seconds, hard, on_exceed)
        with self._lock:
            self._tracker.add(limit)
            if self._check not in hooks.pre_call_checks:
                hooks.pre_call_checks.append(self._check)
            self._attach_limits(warn=self._configured)
            if self._configured:
                self._warn_limits_without_cost()
        return limit

    def remove_cost_limit(self, name: str) -> bool:
        """Remove the limit ``name``; False if there was none."""
        return self._tracker.remove(name)

    def running_cost(self, name: str) -> float:
        """USD counted against the limit ``name`` in its current window: by every process
        sharing the budget store (this process's estimate while the store is unreachable)."""
        return self._tracker.spent(name)

    # -- custom metrics and errors ---------------------------------------------------------

    def record_llm_metric(
        self,
        provider: str,
        metric_name: str,
        value: float,
        tags: Mapping[str, object] | None = None,
        model: str | None = None,
    ) -> None:
        """Add ``value`` to the counter ``agentops.llm.<metric_name>`` for this provider and
        model (``model`` or ``tags["model"]``), with ``tags`` as ``agentops.tag.<key>``.

        Never raises: a bad name or value is dropped with a warning.
        """
        try:
            self._custom_metrics().record(provider, metric_name, value, tags, model)
        except Exception:
            _logger.debug("record_llm_metric failed", exc_info=True)

    def record_llm_error(
        self,
        provider: str,
        error: BaseException | str,
        context: Mapping[str, object] | None = None,
    ) -> None:
        """Report an error the application caught: exception event (log record), span
        exception event, ``agentops.client.errors`` counter. Never raises."""
        try:
            self._error_reporter().report(provider, error, context)
        except Exception:
            _logger.debug("record_llm_error failed", exc_info=True)

    tags = staticmethod(tagging.tags)
    """``client.tags(...)`` is ``agentops.tags(...)``."""

    # -- instruments -----------------------------------------------------------------------

    def _meter(self) -> Meter:
        return get_meter(_SCOPE, _version(), meter_provider=self._meter_provider)

    def _event_logger(self) -> Logger:
        # None means the global logger provider; a proxy until the application sets one.
        provider = self._logger_provider
        return get_logger(_SCOPE, _version(), logger_provider=provider)

    def _custom_metrics(self) -> CustomMetrics:
        current = self._metrics
        if current is None or current[0] is not self._meter_provider:
            current = self._metrics = (self._meter_provider, CustomMetrics(self._meter()))
        return current[1]

    def _error_reporter(self) -> ErrorReporter:
        key = (self._meter_provider, self._logger_provider)
        current = self._errors
        if current is None or current[0] != key:
            current = self._errors = (key, ErrorReporter(self._event_logger(), self._meter()))
        return current[1]


def _parse_llm_config(config: object) -> dict[str, Any]:
    """The client attributes ``llm_config`` sets; raises before anything is set."""
    if not isinstance(config, Mapping):
        raise TypeError(f"llm_config must be a dict, not {type(config).__name__}")
    settings: dict[str, Any] = {}
    for key, attribute in _SWITCHES.items():
        if key in config:
            value = config[key]
            if not isinstance(value, bool):
                raise TypeError(f"llm_config[{key!r}] must be True or False, not {value!r}")
            settings[attribute] = value
    if "providers" in config:
        settings["_providers"] = _provider_names(config["providers"])
    unknown = sorted(set(config) - _LLM_CONFIG_KEYS, key=str)
    if unknown:
        _logger.warning(
            "llm_config: unknown key(s) %s ignored; known keys: %s.",
            ", ".join(map(repr, unknown)),
            ", ".join(sorted(_LLM_CONFIG_KEYS)),
        )
    return settings


def _provider_names(value: object) -> tuple[str, ...] | None:
    """The providers ``llm_config["providers"]`` names, as instrumentor names."""
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if isinstance(value, Mapping) or not isinstance(value, Iterable):
        raise TypeError(f"llm_config['providers'] must be a list of names, not {value!r}")
    names: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise TypeError(
                f"llm_config['providers'] must be a list of names (strings), not {value!r}"
            )
        name = seed_name(item)
        if name is None or get_provider(name) is None:
            close = difflib.get_close_matches(item.strip().lower(), KNOWN_NAMES, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(
                f"llm_config['providers']: unknown provider {item!r}{hint}; "
                f"known providers: {', '.join(KNOWN_NAMES)}"
            )
        if name not in names:
            names.append(name)
    return tuple(names)


def _parse_cost_limits(limits: object) -> list[CostLimit]:
    if isinstance(limits, Mapping | str) or not isinstance(limits, Iterable):
        raise TypeError(
            "cost_limits must be a list of CostLimit objects or dicts of their fields, "
            f"not {type(limits).__name__}"
        )
    return [as_cost_limit(limit) for limit in limits]


def _limit_observer_of(observer: object, client: Client) -> bool:
    """Whether ``observer`` is the call observer of one of ``client``'s limit processors."""
    owner = getattr(observer, "__self__", None)
    return isinstance(owner, CostLimitProcessor) and owner in client._limit_processors.values()


def _processor_of(provider: SDKTracerProvider, kind: type) -> Any:
    for processor in _compat.span_processors(provider):
        if isinstance(processor, kind):
            return processor
    return None


def _version() -> str:
    try:
        return version("agentops-otel-distro")
    except PackageNotFoundError:
        return "0.0.0"
