"""Where the running cost of the cost limits is kept: this process, or a store the fleet shares.

``CostTracker`` (``agentops.limits``) decides which limits a call counts against and keeps
this process's own share; a ``BudgetStore`` holds the running cost that the limits are
enforced on, per limit and window, and decides which charge crossed a limit first (so an
alert fires once for everyone who shares the store). ``LocalBudgetStore`` is the default;
``agentops.redis_budget_store.RedisBudgetStore`` shares one budget between processes and
hosts.

Choosing one: ``Client.configure(budget_store=...)`` with a store, ``"memory"`` or a
``redis://`` / ``rediss://`` / ``unix://`` URL; else ``$AGENTOPS_BUDGET_STORE`` (same values)
and the ``AGENTOPS_BUDGET_STORE_*`` variables below.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar, Final, Literal, NamedTuple
from urllib.parse import urlsplit

__all__ = [
    "STORE_ENV",
    "BudgetKey",
    "BudgetStore",
    "Charge",
    "ChargeResult",
    "Charged",
    "LocalBudgetStore",
    "Reading",
    "WhenUnreachable",
    "budget_store_from",
    "budget_store_from_env",
    "redacted_url",
]

_logger = logging.getLogger("agentops")

STORE_ENV: Final = "AGENTOPS_BUDGET_STORE"
"""``memory`` (the default) or the URL of a Redis server: ``redis://host:6379/0``."""
PREFIX_ENV: Final = "AGENTOPS_BUDGET_STORE_PREFIX"
"""Prefix of the store's keys (default ``agentops:budget``): one per fleet sharing budgets."""
WHEN_UNREACHABLE_ENV: Final = "AGENTOPS_BUDGET_STORE_WHEN_UNREACHABLE"
"""``open`` (default: hard limits checked on this process's count) or ``closed``."""
TIMEOUT_ENV: Final = "AGENTOPS_BUDGET_STORE_TIMEOUT"
"""Seconds one store operation may take before the store counts as unreachable."""
RETRY_ENV: Final = "AGENTOPS_BUDGET_STORE_RETRY_INTERVAL"
"""Seconds between attempts to reach an unreachable store."""

WhenUnreachable = Literal["open", "closed"]

_MEMORY_NAMES: Final = frozenset({"", "memory", "local", "process"})
_REDIS_SCHEMES: Final = frozenset({"redis", "rediss", "unix"})


# Named tuples: one of each is made per limit per call, and a tuple is made fastest.
class BudgetKey(NamedTuple):
    """One limit's running cost in one window."""

    name: str
    scope: str
    """A digest of the limit's provider, model and window length: a limit whose scope
    changes counts from zero, one whose budget changes keeps what was spent."""
    window: int | None
    """The window's number (Unix time // window length), or None for a limit without one."""

    @staticmethod
    def scope_of(provider: str | None, model: str | None, window_seconds: float | None) -> str:
        text = f"{provider or ''}\x00{model or ''}\x00{window_seconds!r}"
        return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:10]


class Charge(NamedTuple):
    """One call's cost against one limit."""

    key: BudgetKey
    amount: float
    """The call's cost, USD."""
    limit_usd: float
    window_end: float | None
    """Unix time the window ends (None for a limit without one): the count may be dropped
    some time after it."""


class Charged(NamedTuple):
    """What the store answered for one charge."""

    total: float
    """The running cost of the key after the charge (the fleet's, for a shared store)."""
    first_crossing: bool
    """This charge is the first to bring the running cost to ``limit_usd`` in the window,
    for everyone sharing the store: the one that alerts."""


class ChargeResult(NamedTuple):
    """The answers to a ``charge``, and crossings made by costs counted earlier."""

    answers: list[Charged]
    """One per charge, in order."""
    caught_up: Sequence[tuple[BudgetKey, Charged]] = ()
    """Keys whose limit was crossed (first, for everyone) by amounts this process counted
    while the store was unreachable and pushed with this charge."""


class Reading(NamedTuple):
    """Running costs read for a pre-call check or the gauge."""

    totals: tuple[float, ...]
    verified: bool
    """False when the store could not be reached: the totals are this process's estimate."""


class BudgetStore(ABC):
    """The running cost per limit and window; every method is thread-safe and never raises
    for an unreachable store (it answers from what it knows, ``verified=False``)."""

    shared: ClassVar[bool] = False
    """True for a store several processes count into (its total is exported as the fleet's
    running cost)."""
    when_unreachable: WhenUnreachable = "open"
    """What a hard limit does while the store cannot be reached."""

    @abstractmethod
    def charge(self, charges: Sequence[Charge]) -> ChargeResult:
        """Add each charge's amount to its key."""

    @abstractmethod
    def read(self, keys: Sequence[BudgetKey]) -> Reading:
        """The running cost of each key (0 for a key nothing was counted against)."""

    def forget(self, name: str) -> None:  # noqa: B027 (optional for a store)
        """The limit ``name`` was removed or changed scope: drop what is kept for it here."""

    def close(self) -> None:  # noqa: B027 (optional for a store)
        """Release connections; the store is not used afterwards."""

    def describe(self) -> str:
        return "this process"


class _Count:
    __slots__ = ("alerted", "total")

    def __init__(self) -> None:
        self.total = 0.0
        # The budgets an alert fired for in this window: raising a limit re-arms it.
        self.alerted: set[float] = set()


class LocalBudgetStore(BudgetStore):
    """Running costs in this process's memory: each process has its own budget."""

    def __init__(self) -> None:
        self._counts: dict[BudgetKey, _Count] = {}
        # The window counted for each limit (name, scope): only the current one is kept.
        self._windows: dict[tuple[str, str], BudgetKey] = {}
        self._lock = threading.Lock()

    def charge(self, charges: Sequence[Charge]) -> ChargeResult:
        answers = []
        with self._lock:
            for key, amount, limit_usd, _ in charges:
                count = self._counts.get(key) or self._new_count(key)
                count.total += amount
                first = count.total >= limit_usd and limit_usd not in count.alerted
                if first:
                    count.alerted.add(limit_usd)
                answers.append(Charged(count.total, first))
        return ChargeResult(answers)

    def read(self, keys: Sequence[BudgetKey]) -> Reading:
        with self._lock:
            totals = tuple(
                count.total if (count := self._counts.get(key)) is not None else 0.0 for key in keys
            )
        return Reading(totals, verified=True)

    def forget(self, name: str) -> None:
        with self._lock:
            for key in [key for key in self._counts if key.name == name]:
                del self._counts[key]
            for limit in [limit for limit in self._windows if limit[0] == name]:
                del self._windows[limit]

    def _new_count(self, key: BudgetKey) -> _Count:
        previous = self._windows.get((key.name, key.scope))
        if previous is not None:
            self._counts.pop(previous, None)
        self._windows[key.name, key.scope] = key
        count = self._counts[key] = _Count()
        return count


def budget_store_from(value: object, *, origin: str = "budget_store") -> BudgetStore:
    """A store from a ``BudgetStore``, ``"memory"`` or a Redis URL; raises on anything else.

    Raises ``TypeError`` for a value of the wrong type, ``ValueError`` for an unknown URL
    scheme and ``ImportError`` when a Redis URL is given but redis-py is not installed.
    """
    if isinstance(value, BudgetStore):
        return value
    if not isinstance(value, str):
        raise TypeError(
            f"{origin} must be a BudgetStore, 'memory' or a redis:// URL, not "
            f"{type(value).__name__}"
        )
    text = value.strip()
    if text.lower() in _MEMORY_NAMES:
        return LocalBudgetStore()
    scheme = urlsplit(text).scheme.lower()
    if scheme not in _REDIS_SCHEMES:
        raise ValueError(
            f"{origin}: {redacted_url(text)!r} is neither 'memory' nor a redis://, rediss:// "
            "or unix:// URL"
        )
    try:
        from agentops.redis_budget_store import RedisBudgetStore
    except ImportError as error:
        raise ImportError(
            f"{origin} is a Redis URL but redis-py is not installed: "
            "pip install 'agentops-otel-distro[redis]'"
        ) from error
    return RedisBudgetStore(text, **_redis_settings_from_env())


def budget_store_from_env() -> BudgetStore:
    """The store ``$AGENTOPS_BUDGET_STORE`` names; a bad value logs one warning and gives the
    in-process store (a setting never stops the application)."""
    value = os.environ.get(STORE_ENV, "")
    if value.strip().lower() in _MEMORY_NAMES:
        return LocalBudgetStore()
    try:
        return budget_store_from(value, origin=STORE_ENV)
    except Exception as error:
        _logger.warning("%s; cost limits count in this process only.", error)
        return LocalBudgetStore()


def _redis_settings_from_env() -> dict[str, Any]:
    settings: dict[str, Any] = {}
    prefix = os.environ.get(PREFIX_ENV, "").strip()
    if prefix:
        settings["key_prefix"] = prefix
    when = os.environ.get(WHEN_UNREACHABLE_ENV, "").strip().lower()
    if when in ("open", "closed"):
        settings["when_unreachable"] = when
    elif when:
        _logger.warning(
            "%s=%r is neither 'open' nor 'closed'; using 'open'.", WHEN_UNREACHABLE_ENV, when
        )
    for variable, setting in ((TIMEOUT_ENV, "timeout"), (RETRY_ENV, "retry_interval")):
        raw = os.environ.get(variable, "").strip()
        if not raw:
            continue
        try:
            seconds = float(raw)
        except ValueError:
            seconds = math.nan
        if math.isfinite(seconds) and seconds > 0:
            settings[setting] = seconds
        else:
            _logger.warning("%s=%r is not a number of seconds > 0; ignored.", variable, raw)
    return settings


def redacted_url(url: str) -> str:
    """``url`` without its password, for log lines."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        user = f"{parts.username}:" if parts.username else ":"
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        return parts._replace(netloc=f"{user}***@{host}{port}").geturl()
    except ValueError:
        return "<unparsable URL>"
