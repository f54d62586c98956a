"""A budget store in Redis: one running cost per limit and window for every process and host.

Each limit's window is one Redis hash: a field per process holding that process's own running
cost (its share), and ``_total``, their sum. A charge sends the process's share, not the
call's cost: one Lua script (one round trip for every limit the call counts against) raises
the process's field to the new share, adds the difference to ``_total``, sets the hash to
expire a grace period after the window ends, and sets a ``SET NX`` marker per window and
budget that only the first charge to reach the budget wins, so an alert fires once for the
fleet. Sending shares makes every push idempotent: a script whose reply timed out but which
Redis ran anyway, or a late push overtaken by a newer one, changes nothing; a process whose
field Redis lost (restarted without persistence, flushed, evicted) gives its whole share back
with its next charge. A pre-call check is one ``HMGET`` per limit, pipelined (one round trip).

When Redis does not answer within ``timeout`` the store is unreachable for
``retry_interval`` seconds: nothing is sent to it meanwhile (one thread probes it when the
interval is over), costs are counted here, on top of the running cost last read from Redis,
and one WARNING says so. The first charge after Redis answers again pushes every share that
grew meanwhile.
"""

from __future__ import annotations

import logging
import math
import os
import socket
import threading
import time
import uuid
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from agentops.budget_store import (
    BudgetKey,
    BudgetStore,
    Charge,
    Charged,
    ChargeResult,
    Reading,
    WhenUnreachable,
    redacted_url,
)

__all__ = ["RedisBudgetStore"]

_logger = logging.getLogger("agentops")

DEFAULT_URL: Final = "redis://localhost:6379/0"
DEFAULT_PREFIX: Final = "agentops:budget"
DEFAULT_TIMEOUT: Final = 0.1
DEFAULT_RETRY_INTERVAL: Final = 5.0
GRACE_SECONDS: Final = 300
"""A window's keys outlive it this long: hosts whose clocks differ a little still agree."""
TOTAL_FIELD: Final = "_total"

# KEYS: per charge, the window's hash and the alert marker's key.
# ARGV: this process's field name, then per charge its share, expire-at (0: none) and the
# budget (-1: no alert check). Returns per charge the running cost (a string) and 1 when this
# charge set the alert marker.
_CHARGE_SCRIPT: Final = """
local owner = ARGV[1]
local answers = {}
for i = 1, #KEYS / 2 do
  local key = KEYS[2 * i - 1]
  local share = tonumber(ARGV[3 * i - 1])
  local old = tonumber(redis.call('HGET', key, owner) or '0')
  local total
  if share > old then
    redis.call('HSET', key, owner, ARGV[3 * i - 1])
    total = redis.call('HINCRBYFLOAT', key, '_total', string.format('%.17g', share - old))
  else
    total = redis.call('HGET', key, '_total') or '0'
  end
  local expire_at = tonumber(ARGV[3 * i])
  if expire_at > 0 then
    redis.call('EXPIREAT', key, expire_at)
  end
  local budget = tonumber(ARGV[3 * i + 1])
  local first = 0
  if budget >= 0 and tonumber(total) >= budget then
    local marked
    if expire_at > 0 then
      marked = redis.call('SET', KEYS[2 * i], '1', 'NX', 'EXAT', expire_at)
    else
      marked = redis.call('SET', KEYS[2 * i], '1', 'NX')
    end
    if marked then
      first = 1
    end
  end
  answers[2 * i - 1] = total
  answers[2 * i] = first
end
return answers
"""


@dataclass(slots=True)
class _Entry:
    """What this process knows of one key."""

    share: float = 0.0
    """This process's own running cost for the key."""
    acked: float = 0.0
    """This process's share as Redis last confirmed holding it."""
    known: float = 0.0
    """The running cost Redis last answered (with ``acked`` of it this process's)."""
    limit_usd: float = -1.0
    window_end: float | None = None
    alerted: set[float] | None = None
    """Budgets an alert fired for from this process (kept so an outage does not repeat one)."""

    def estimate(self) -> float:
        return self.known + max(0.0, self.share - self.acked)

    def note_alert(self, limit_usd: float) -> bool:
        """Record an alert for ``limit_usd``; False if this process already sent it."""
        if self.alerted is None:
            self.alerted = set()
        if limit_usd in self.alerted:
            return False
        self.alerted.add(limit_usd)
        return True


@dataclass(frozen=True, slots=True)
class _Push:
    key: BudgetKey
    share: float
    window_end: float | None
    budget: float


def _owner_name() -> str:
    # Readable in HGETALL, unique even for processes that reuse a pid.
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class RedisBudgetStore(BudgetStore):
    """Running costs in Redis, shared by every process configured with the same server and
    ``key_prefix``.

    Args:
        url: ``redis://[[user]:password@]host[:port][/db]``, ``rediss://`` (TLS) or
            ``unix:///path/to/socket``, as redis-py reads it.
        client: a ``redis.Redis`` to use instead of one built from ``url`` (its own
            timeouts and retries then apply; redis-py retries a failed command up to ten
            times by default, which multiplies the delay an outage costs each call).
        key_prefix: the prefix of every key; processes sharing budgets use the same one.
        timeout: seconds a connection or a command may take; beyond it the store counts as
            unreachable.
        retry_interval: seconds during which an unreachable store is not tried again.
        when_unreachable: ``"open"``: hard limits are checked on this process's estimate
            (the running cost last read plus what it counted since); ``"closed"``: calls in
            the scope of a hard limit fail with ``BudgetStoreUnreachable`` until the store
            answers.
    """

    shared = True

    def __init__(
        self,
        url: str = DEFAULT_URL,
        *,
        client: redis.Redis | None = None,
        key_prefix: str = DEFAULT_PREFIX,
        timeout: float = DEFAULT_TIMEOUT,
        retry_interval: float = DEFAULT_RETRY_INTERVAL,
        when_unreachable: WhenUnreachable = "open",
    ) -> None:
        for name, seconds in (("timeout", timeout), ("retry_interval", retry_interval)):
            if (
                isinstance(seconds, bool)
                or not isinstance(seconds, int | float)
                or not math.isfinite(seconds)
                or seconds <= 0
            ):
                raise ValueError(f"{name} must be a number of seconds > 0, not {seconds!r}")
        if when_unreachable not in ("open", "closed"):
            raise ValueError(
                f"when_unreachable must be 'open' or 'closed', not {when_unreachable!r}"
            )
        if not isinstance(key_prefix, str) or not key_prefix:
            raise ValueError("key_prefix must be a non-empty string")
        self._own_client = client is None
        if client is None:
            client = redis.Redis.from_url(
                url,
                socket_timeout=timeout,
                socket_connect_timeout=timeout,
                # One attempt per operation: the circuit breaker below decides when to retry.
                retry=Retry(NoBackoff(), 0),
            )
            self._where = redacted_url(url)
        else:
            self._where = f"{type(client).__name__} given to RedisBudgetStore"
        self._client = client
        self._script = client.register_script(_CHARGE_SCRIPT)
        self._prefix = key_prefix
        self._retry_interval = float(retry_interval)
        self.when_unreachable = when_unreachable
        self._entries: dict[BudgetKey, _Entry] = {}
        self._lock = threading.Lock()
        self._down_until: float | None = None
        self._probing = False
        self._owner = _owner_name()
        _STORES.add(self)

    def describe(self) -> str:
        return f"Redis at {self._where} (keys {self._prefix}:*)"

    def __repr__(self) -> str:
        return f"RedisBudgetStore({self._where!r}, key_prefix={self._prefix!r})"

    @property
    def reachable(self) -> bool:
        """False while the store is taken as unreachable (between retries)."""
        return self._down_until is None

    # -- keys ------------------------------------------------------------------------------

    def total_key(self, key: BudgetKey) -> str:
        window = "all" if key.window is None else str(key.window)
        return f"{self._prefix}:{key.name}:{key.scope}:{window}"

    def _alert_key(self, key: BudgetKey, budget: float) -> str:
        return f"{self.total_key(key)}:alerted:{budget!r}"

    # -- the store -------------------------------------------------------------------------

    def charge(self, charges: Sequence[Charge]) -> ChargeResult:
        with self._lock:
            for charge in charges:
                entry = self._entry(charge.key)
                entry.share += charge.amount
                entry.limit_usd = charge.limit_usd
                entry.window_end = charge.window_end
            if not self._may_try():
                return ChargeResult(self._charge_here(charges))
            pushes = self._pushes(charges)
            owner = self._owner
        try:
            reply = self._script(keys=self._script_keys(pushes), args=_script_args(owner, pushes))
            answers = [
                (float(reply[2 * i]), bool(int(reply[2 * i + 1]))) for i in range(len(pushes))
            ]
        except Exception as error:
            with self._lock:
                self._failed(error)
                return ChargeResult(self._charge_here(charges))
        with self._lock:
            self._answered()
            charged: list[Charged] = []
            caught_up: list[tuple[BudgetKey, Charged]] = []
            for index, (push, (total, marked)) in enumerate(zip(pushes, answers, strict=True)):
                entry = self._entry(push.key)
                if push.share >= entry.acked:
                    entry.acked, entry.known = push.share, total
                first = marked and entry.note_alert(push.budget)
                if index < len(charges):
                    charged.append(Charged(entry.estimate(), first))
                elif first:
                    caught_up.append((push.key, Charged(entry.estimate(), True)))
            self._prune()
            return ChargeResult(charged, caught_up)

    def read(self, keys: Sequence[BudgetKey]) -> Reading:
        with self._lock:
            if not self._may_try():
                return Reading(tuple(self._estimate(key) for key in keys), verified=False)
            owner = self._owner
        try:
            pipeline = self._client.pipeline(transaction=False)
            for key in keys:
                pipeline.hmget(self.total_key(key), [TOTAL_FIELD, owner])
            replies = pipeline.execute()
            stored = [(float(total or 0), float(mine or 0)) for total, mine in replies]
        except Exception as error:
            with self._lock:
                self._failed(error)
                return Reading(tuple(self._estimate(key) for key in keys), verified=False)
        with self._lock:
            self._answered()
            totals = []
            for key, (total, mine) in zip(keys, stored, strict=True):
                entry = self._entry(key)
                # Below what this process counted when Redis lost its field (or a push is
                # still on its way): what it counted is spent all the same.
                entry.known, entry.acked = total, mine
                totals.append(entry.estimate())
            return Reading(tuple(totals), verified=True)

    def forget(self, name: str) -> None:
        with self._lock:
            for key in [key for key in self._entries if key.name == name]:
                del self._entries[key]

    def close(self) -> None:
        if self._own_client:
            try:
                self._client.close()
            except Exception:
                _logger.debug("Closing the Redis client failed", exc_info=True)

    def _after_fork(self) -> None:
        # A child is another process: its own field, nothing counted yet, and a lock no
        # thread of the parent can hold.
        self._lock = threading.Lock()
        self._owner = _owner_name()
        self._entries = {}
        self._down_until = None
        self._probing = False

    # -- inside the lock -------------------------------------------------------------------

    def _entry(self, key: BudgetKey) -> _Entry:
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = _Entry()
        return entry

    def _estimate(self, key: BudgetKey) -> float:
        entry = self._entries.get(key)
        return entry.estimate() if entry is not None else 0.0

    def _may_try(self) -> bool:
        """Whether to send something now; claims the probe when a retry is due."""
        if self._down_until is None:
            return True
        if self._probing or time.monotonic() < self._down_until:
            return False
        self._probing = True
        return True

    def _failed(self, error: BaseException) -> None:
        self._probing = False
        first = self._down_until is None
        self._down_until = time.monotonic() + self._retry_interval
        if first:
            _logger.warning(
                "Budget store %s unreachable (%s: %s): cost limits count this process's "
                "calls on top of the running cost last read until it answers; hard limits "
                "fail %s%s. Retrying every %g s.",
                self.describe(),
                type(error).__name__,
                error,
                self.when_unreachable,
                " (calls in their scope are refused)"
                if self.when_unreachable == "closed"
                else " (calls are checked on this process's count)",
                self._retry_interval,
            )
        else:
            _logger.debug("Budget store %s still unreachable: %r", self.describe(), error)

    def _answered(self) -> None:
        self._probing = False
        if self._down_until is not None:
            self._down_until = None
            behind = sum(max(0.0, e.share - e.acked) for e in self._entries.values())
            _logger.info(
                "Budget store %s answers again; $%.6g counted here meanwhile is pushed with "
                "this process's next counted call.",
                self.describe(),
                behind,
            )

    def _charge_here(self, charges: Sequence[Charge]) -> list[Charged]:
        """Answers from what this process knows (the shares already include the charges)."""
        answers = []
        for charge in charges:
            entry = self._entry(charge.key)
            total = entry.estimate()
            # A crossing Redis already knew of was alerted by whoever made it.
            first = (
                total >= charge.limit_usd
                and entry.known < charge.limit_usd
                and entry.note_alert(charge.limit_usd)
            )
            answers.append(Charged(total, first))
        return answers

    def _pushes(self, charges: Sequence[Charge]) -> list[_Push]:
        """The script's entries: the charges' keys, then every other key whose share grew
        while Redis was unreachable."""
        pushes = []
        charged = set()
        for charge in charges:
            entry = self._entries[charge.key]
            pushes.append(_Push(charge.key, entry.share, charge.window_end, charge.limit_usd))
            charged.add(charge.key)
        for key, entry in self._entries.items():
            if entry.share > entry.acked and key not in charged:
                pushes.append(_Push(key, entry.share, entry.window_end, entry.limit_usd))
        return pushes

    def _script_keys(self, pushes: Sequence[_Push]) -> list[str]:
        keys = []
        for push in pushes:
            keys.append(self.total_key(push.key))
            keys.append(self._alert_key(push.key, push.budget))
        return keys

    def _prune(self) -> None:
        """Forget keys whose window has ended (their keys have expired in Redis too)."""
        if len(self._entries) < 64:
            return
        now = time.time()
        for key in [
            key
            for key, entry in self._entries.items()
            if entry.window_end is not None and entry.window_end + GRACE_SECONDS < now
        ]:
            del self._entries[key]


def _script_args(owner: str, pushes: Sequence[_Push]) -> list[Any]:
    args: list[Any] = [owner]
    for push in pushes:
        expire_at = 0 if push.window_end is None else math.ceil(push.window_end + GRACE_SECONDS)
        args.extend((repr(push.share), expire_at, repr(push.budget)))
    return args


def _forked(stores: weakref.WeakSet[RedisBudgetStore]) -> None:
    for store in list(stores):
        store._after_fork()


_STORES: Final[weakref.WeakSet[RedisBudgetStore]] = weakref.WeakSet()
os.register_at_fork(after_in_child=lambda: _forked(_STORES))
