"""Cost limits: running USD cost per scope and window, and whether a limit is crossed.

A limit's scope is all calls, one provider, or one model (prefix match, as in the filters),
or both. Its window is either the whole life of the process (``window_seconds=None``) or a
tumbling window of ``window_seconds`` aligned to the Unix epoch: ``3600`` is each clock hour,
``86400`` each UTC day. When a window ends the running cost starts again from zero, and so
does the alert. Tumbling windows make budgets predictable ("$5 per UTC day") and let a hard
limit say exactly when calls resume.

``CostTracker`` holds the limits and this process's share of each running cost, and is
thread-safe; the running cost a limit is enforced on lives in a ``BudgetStore``
(``agentops.budget_store``): this process's memory by default, or Redis for budgets a fleet of
processes shares. ``agentops.limit_processor`` feeds the tracker from finished calls and
turns crossings into alerts; the client registers ``check`` as a pre-call check so a spent
hard limit stops the next call before anything is sent.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.instrumentation.agentops.core import Request

from agentops._tag_keys import TagItems
from agentops.budget_store import BudgetKey, BudgetStore, Charge, LocalBudgetStore
from agentops.errors import BudgetStoreUnreachable, CostLimitExceeded
from agentops.filters import model_matches, normalize_models
from agentops.provider_names import matching_values

__all__ = ["CostLimit", "CostLimitCrossed", "CostTracker", "as_cost_limit"]


def _now() -> float:
    # One indirection so tests can move time without touching the time module.
    return time.time()


@dataclass(frozen=True, slots=True)
class CostLimitCrossed:
    """What an ``on_exceed`` callback receives when a limit is crossed."""

    limit: CostLimit
    spent_usd: float
    """Running cost within the limit's scope and window, including the crossing call."""
    window_start: float | None
    """Unix time the window began (None for a limit without window)."""
    window_end: float | None
    """Unix time the window ends (None for a limit without window)."""
    trace_id: int | None = None
    """Trace of the call that crossed the limit, when known."""
    span_id: int | None = None
    """Span of the call that crossed the limit, when known."""

    @property
    def name(self) -> str:
        return self.limit.name

    @property
    def limit_usd(self) -> float:
        return self.limit.limit_usd


@dataclass(frozen=True, slots=True)
class CostLimit:
    """A budget for the LLM calls within a scope, optionally per time window.

    Args:
        name: identifies the limit in alerts, errors and the running-cost gauge.
        limit_usd: the budget in USD; crossed when the running cost reaches it.
        provider: only calls to this provider (a seed name such as ``"openai"``, which
            also covers Azure OpenAI, or a ``gen_ai.provider.name`` value).
        model: only calls whose requested or answering model starts with this.
        window_seconds: per tumbling window of this many seconds (epoch-aligned), or
            None for the whole life of the process.
        hard: once crossed, calls within the scope fail with ``CostLimitExceeded``
            before they are sent, until the window ends.
        on_exceed: called with a ``CostLimitCrossed`` once per crossing, on the thread
            that ended the crossing call; its exceptions are caught and logged.
    """

    name: str
    limit_usd: float
    provider: str | None = None
    model: str | None = None
    window_seconds: float | None = None
    hard: bool = False
    on_exceed: Callable[[CostLimitCrossed], Any] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError("a cost limit needs a non-empty name")
        if (
            isinstance(self.limit_usd, bool)
            or not isinstance(self.limit_usd, int | float)
            or not math.isfinite(self.limit_usd)
            or self.limit_usd < 0
        ):
            raise ValueError(f"limit_usd must be a finite number >= 0, not {self.limit_usd!r}")
        if self.window_seconds is not None and (
            isinstance(self.window_seconds, bool)
            or not isinstance(self.window_seconds, int | float)
            or not math.isfinite(self.window_seconds)
            or self.window_seconds <= 0
        ):
            raise ValueError(
                f"window_seconds must be a number > 0 or None, not {self.window_seconds!r}"
            )
        if self.on_exceed is not None and not callable(self.on_exceed):
            raise TypeError("on_exceed must be callable")


def as_cost_limit(value: CostLimit | Mapping[str, Any]) -> CostLimit:
    """A ``CostLimit`` from itself or from a dict of its fields."""
    if isinstance(value, CostLimit):
        return value
    if isinstance(value, Mapping):
        return CostLimit(**value)
    raise TypeError(f"a cost limit is a CostLimit or a dict, not {type(value).__name__}")


class _State:
    """One limit's scope, and this process's share of its running cost; guarded by the
    tracker's lock."""

    __slots__ = (
        "_key",
        "by_tags",
        "known",
        "limit",
        "models",
        "providers",
        "scope",
        "share",
        "window",
        "window_end",
    )

    def __init__(self, limit: CostLimit) -> None:
        self.limit = limit
        self.providers = matching_values(limit.provider) if limit.provider else None
        self.models = normalize_models(limit.model) if limit.model else None
        self.scope = BudgetKey.scope_of(limit.provider, limit.model, limit.window_seconds)
        # What this process counted in the window: the same running cost split by the tags
        # of the calls counted, for the gauge.
        self.share = 0.0
        self.by_tags: dict[TagItems, float] = {}
        self.window: int | None = None
        self.window_end: float | None = None
        self._key = BudgetKey(limit.name, self.scope, None)
        # The running cost the store last answered for the current window.
        self.known = 0.0

    def covers(self, provider: str | None, models: Iterable[str | None]) -> bool:
        if self.providers is not None and provider not in self.providers:
            return False
        if self.models is not None:
            return any(model_matches(model, self.models) for model in models)
        return True

    def roll(self, now: float) -> None:
        """Start a new window (this process's share 0) if the current one has ended."""
        seconds = self.limit.window_seconds
        if seconds is None:
            return
        window = math.floor(now / seconds)
        if window != self.window:
            self.window = window
            self.window_end = (window + 1) * seconds
            self._key = BudgetKey(self.limit.name, self.scope, window)
            self.share = 0.0
            self.by_tags = {}
            self.known = 0.0

    def key(self) -> BudgetKey:
        return self._key

    def bounds(self, window: int | None) -> tuple[float | None, float | None]:
        seconds = self.limit.window_seconds
        if seconds is None or window is None:
            return None, None
        return window * seconds, (window + 1) * seconds

    def note(self, key: BudgetKey, total: float) -> None:
        """Remember what the store answered, if it is about the current window."""
        if key.window == self.window:
            self.known = total

    def exceeded(self, spent_usd: float) -> CostLimitExceeded:
        limit = self.limit
        return CostLimitExceeded(
            limit.name, limit.limit_usd, spent_usd, self.bounds(self.window)[1]
        )


class CostTracker:
    """The running cost of every configured limit; safe to use from any thread.

    The store is asked outside the tracker's lock, so a slow store delays only the calls
    that wait for it.
    """

    def __init__(self, store: BudgetStore | None = None) -> None:
        self._states: dict[str, _State] = {}
        self._hard: tuple[_State, ...] = ()
        self._lock = threading.Lock()
        self._store: BudgetStore = store if store is not None else LocalBudgetStore()

    # -- configuration -------------------------------------------------------------------

    @property
    def store(self) -> BudgetStore:
        return self._store

    def use_store(self, store: BudgetStore) -> None:
        """Keep running costs in ``store`` from now on; the previous store is closed."""
        with self._lock:
            old, self._store = self._store, store
            for state in self._states.values():
                state.known = 0.0
        if old is not store:
            old.close()

    def add(self, limit: CostLimit) -> None:
        """Add a limit, or replace the one of the same name.

        Replacing keeps the running cost when the scope and window are unchanged (raising
        a budget does not forget what was spent); otherwise it starts from zero.
        """
        with self._lock:
            self._states[limit.name] = self._carry_over(limit)
            self._publish()

    def replace_all(self, limits: Iterable[CostLimit]) -> None:
        with self._lock:
            self._states = {limit.name: self._carry_over(limit) for limit in limits}
            self._publish()

    def remove(self, name: str) -> bool:
        with self._lock:
            removed = self._states.pop(name, None) is not None
            self._publish()
            store = self._store
        if removed:
            store.forget(name)
        return removed

    def limits(self) -> list[CostLimit]:
        with self._lock:
            return [state.limit for state in self._states.values()]

    def __bool__(self) -> bool:
        return bool(self._states)

    def _carry_over(self, limit: CostLimit) -> _State:
        state = _State(limit)
        old = self._states.get(limit.name)
        if old is not None and _same_scope(old.limit, limit):
            state.share, state.window, state.by_tags = old.share, old.window, old.by_tags
            state.known = old.known
        elif old is not None:
            self._store.forget(limit.name)
        return state

    def _publish(self) -> None:
        self._hard = tuple(state for state in self._states.values() if state.limit.hard)

    # -- running cost ----------------------------------------------------------------------

    def add_cost(
        self,
        cost_usd: float,
        provider: str | None,
        request_model: str | None,
        response_model: str | None,
        *,
        trace_id: int | None = None,
        span_id: int | None = None,
        tags: TagItems = (),
    ) -> list[CostLimitCrossed]:
        """Count one call's cost; returns the limits it made cross (alerts to send).

        ``tags`` are the call's tag attributes: the gauge reports each limit's running cost
        per tag combination.
        """
        now = _now()
        models = (request_model, response_model)
        with self._lock:
            counted: list[_State] = []
            charges: list[Charge] = []
            for state in self._states.values():
                if not state.covers(provider, models):
                    continue
                state.roll(now)
                state.share += cost_usd
                state.by_tags[tags] = state.by_tags.get(tags, 0.0) + cost_usd
                counted.append(state)
                charges.append(
                    Charge(state._key, cost_usd, state.limit.limit_usd, state.window_end)
                )
            store = self._store
        if not charges:
            return []
        result = store.charge(charges)
        crossed: list[CostLimitCrossed] = []
        with self._lock:
            for state, charge, (total, first_crossing) in zip(
                counted, charges, result.answers, strict=True
            ):
                window = charge.key.window
                if window == state.window:
                    state.known = total
                if first_crossing:
                    start, end = state.bounds(window)
                    crossed.append(
                        CostLimitCrossed(state.limit, total, start, end, trace_id, span_id)
                    )
            for key, answer in result.caught_up:
                late = self._states.get(key.name)
                if late is not None and late.scope == key.scope:
                    late.note(key, answer.total)
                    crossed.append(
                        CostLimitCrossed(late.limit, answer.total, *late.bounds(key.window))
                    )
        return crossed

    def spent(self, name: str) -> float:
        """Running cost of the limit ``name`` in its current window (0 after a window ends):
        the fleet's, when the store is shared."""
        with self._lock:
            state = self._states.get(name)
            if state is None:
                raise KeyError(name)
            state.roll(_now())
            key = state.key()
            store = self._store
        (total,) = store.read([key]).totals
        with self._lock:
            state.note(key, total)
        return total

    def running(self) -> list[tuple[str, TagItems, float]]:
        """``(name, tags, running cost)`` per limit and tag combination, counted by this
        process, for the gauge.

        The costs of one limit add up to this process's share of its running cost (all of
        it with the in-process store); a limit nothing was counted against in its window
        gives one ``(name, (), 0.0)``.
        """
        now = _now()
        with self._lock:
            result: list[tuple[str, TagItems, float]] = []
            for name, state in self._states.items():
                state.roll(now)
                if not state.by_tags:
                    result.append((name, (), 0.0))
                result.extend((name, tags, spent) for tags, spent in state.by_tags.items())
            return result

    def fleet_running(self) -> list[tuple[str, float]]:
        """``(name, running cost)`` per limit as the shared store holds it (one read for all
        limits); empty when the store is this process's."""
        now = _now()
        with self._lock:
            store = self._store
            if not store.shared or not self._states:
                return []
            states = list(self._states.values())
            for state in states:
                state.roll(now)
            keys = [state.key() for state in states]
        totals = store.read(keys).totals
        with self._lock:
            for state, key, total in zip(states, keys, totals, strict=True):
                state.note(key, total)
        return [(state.limit.name, total) for state, total in zip(states, totals, strict=True)]

    # -- the pre-call check ----------------------------------------------------------------

    def check(self, request: Request[Any]) -> None:
        """Raise ``CostLimitExceeded`` if a spent hard limit covers this call.

        One read of the store for all the hard limits that cover the call, unless one of
        them is already known to be spent in this window.
        """
        hard = self._hard
        if not hard:
            return
        now = _now()
        with self._lock:
            covering: list[_State] = []
            for state in hard:
                if not state.covers(request.provider, (request.model,)):
                    continue
                state.roll(now)
                if state.known >= state.limit.limit_usd:
                    raise state.exceeded(state.known)
                covering.append(state)
            store = self._store
            # A store only this process counts into answered every charge: what it said last
            # is the running cost, no read needed.
            if not covering or not store.shared:
                return
            keys = [state.key() for state in covering]
        reading = store.read(keys)
        with self._lock:
            for state, key, total in zip(covering, keys, reading.totals, strict=True):
                state.note(key, total)
        for state, total in zip(covering, reading.totals, strict=True):
            if total >= state.limit.limit_usd:
                raise state.exceeded(total)
        if not reading.verified and store.when_unreachable == "closed":
            state, total = covering[0], reading.totals[0]
            limit = state.limit
            raise BudgetStoreUnreachable(
                limit.name, limit.limit_usd, total, state.bounds(state.window)[1]
            )


def _same_scope(old: CostLimit, new: CostLimit) -> bool:
    return (old.provider, old.model, old.window_seconds) == (
        new.provider,
        new.model,
        new.window_seconds,
    )
