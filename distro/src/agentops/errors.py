"""Exceptions the AgentOps client raises into the application, on purpose."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["BudgetStoreUnreachable", "CostLimitExceeded"]


class CostLimitExceeded(RuntimeError):
    """A hard cost limit is spent: the LLM call was stopped before its request was sent.

    Raised from the SDK method the application called (``chat.completions.create`` ...) for
    every call within the limit's scope until the limit's window ends (never, without a
    window), the limit is raised or removed. Nothing was sent and nothing was billed.
    """

    def __init__(
        self,
        name: str,
        limit_usd: float,
        spent_usd: float,
        resets_at: float | None = None,
    ) -> None:
        self.name = name
        self.limit_usd = limit_usd
        self.spent_usd = spent_usd
        self.resets_at = resets_at
        """Unix time at which the limit's window ends, or None for a limit without window."""
        when = (
            f"; it resets at {datetime.fromtimestamp(resets_at, UTC).isoformat()}"
            if resets_at is not None
            else ""
        )
        super().__init__(
            f"Cost limit {name!r} reached: ${spent_usd:.6g} spent of ${limit_usd:.6g}{when}. "
            "The call was not sent."
        )

    def __reduce__(self) -> tuple[type[CostLimitExceeded], tuple[str, float, float, float | None]]:
        # Picklable with its fields (multiprocessing, task queues).
        return (type(self), (self.name, self.limit_usd, self.spent_usd, self.resets_at))


class BudgetStoreUnreachable(CostLimitExceeded):
    """The shared budget store cannot be reached and it is configured to fail closed
    (``when_unreachable="closed"``): calls in the scope of a hard limit are stopped before
    they are sent, until the store answers again.

    A ``CostLimitExceeded``, so code that handles a spent limit handles this too;
    ``spent_usd`` is this process's estimate (the running cost last read from the store plus
    what it counted since).
    """

    def __init__(
        self,
        name: str,
        limit_usd: float,
        spent_usd: float,
        resets_at: float | None = None,
    ) -> None:
        super().__init__(name, limit_usd, spent_usd, resets_at)
        RuntimeError.__init__(
            self,
            f"Cost limit {name!r} cannot be checked: the budget store is unreachable and "
            f"hard limits fail closed (${spent_usd:.6g} of ${limit_usd:.6g} known spent). "
            "The call was not sent.",
        )
