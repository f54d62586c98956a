"""AgentOps OpenTelemetry distribution.

The seed's API::

    from agentops import Client
    client = Client()
    client.configure(api_key="...", llm_config={"providers": ["openai"]})

and ``agentops.tags(...)`` to tag the calls made inside a block. Names are imported on first
use, so ``opentelemetry-instrument`` (which imports this package to load the distro) does not
pay for the client.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agentops.budget_store import BudgetStore, LocalBudgetStore
    from agentops.client import Client
    from agentops.errors import BudgetStoreUnreachable, CostLimitExceeded
    from agentops.instrumentor import AgentOpsInstrumentor
    from agentops.limits import CostLimit, CostLimitCrossed
    from agentops.redis_budget_store import RedisBudgetStore
    from agentops.tagging import TagScope, current_tags, tags

__all__ = [
    "AgentOpsInstrumentor",
    "BudgetStore",
    "BudgetStoreUnreachable",
    "Client",
    "CostLimit",
    "CostLimitCrossed",
    "CostLimitExceeded",
    "LocalBudgetStore",
    "RedisBudgetStore",
    "TagScope",
    "current_tags",
    "tags",
]

_WHERE = {
    "AgentOpsInstrumentor": "agentops.instrumentor",
    "BudgetStore": "agentops.budget_store",
    "BudgetStoreUnreachable": "agentops.errors",
    "Client": "agentops.client",
    "CostLimit": "agentops.limits",
    "CostLimitCrossed": "agentops.limits",
    "CostLimitExceeded": "agentops.errors",
    "LocalBudgetStore": "agentops.budget_store",
    # Needs redis-py: pip install 'agentops-otel-distro[redis]'.
    "RedisBudgetStore": "agentops.redis_budget_store",
    "TagScope": "agentops.tagging",
    "current_tags": "agentops.tagging",
    "tags": "agentops.tagging",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'agentops' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
