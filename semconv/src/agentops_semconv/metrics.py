"""Metric instruments in the ``agentops.`` namespace."""

from typing import Final

AGENTOPS_CLIENT_COST: Final = "agentops.client.cost"
"""Counter (double), unit USD: running cost of GenAI client calls. Attributes:
``gen_ai.provider.name``, ``gen_ai.request.model``, ``gen_ai.operation.name``, when known
``gen_ai.response.model``, and the call's tags (``agentops.tag.<key>``)."""

AGENTOPS_CLIENT_COST_UNIT: Final = "USD"

AGENTOPS_CLIENT_CACHE_SAVINGS: Final = "agentops.client.cost.cache_savings"
"""Counter (double), unit USD: what prompt-cache reads saved, i.e. the cache-read tokens at
the model's input price minus their cache-read price. Attributes as ``agentops.client.cost``;
a point only for priced calls that read from the cache."""

AGENTOPS_CLIENT_CACHE_READ_TOKENS: Final = "agentops.client.token.cache_read"
"""Counter (int), unit ``{token}``: input tokens served from the provider's prompt cache
(``gen_ai.usage.cache_read.input_tokens``, which ``gen_ai.client.token.usage`` input points
include). Attributes as ``agentops.client.cost``; a point only for calls that read from the
cache, priced or not."""

AGENTOPS_CLIENT_CACHE_READ_TOKENS_UNIT: Final = "{token}"

AGENTOPS_CLIENT_COST_RUNNING: Final = "agentops.client.cost.running"
"""Observable gauge (double), unit USD: running cost within each configured cost limit's scope
and window, for real-time dashboards. Attributes: ``agentops.cost_limit.name`` and the tags
(``agentops.tag.<key>``) of the calls counted: one point per limit and tag combination, whose
sum over the tags is the limit's running cost (a limit nothing was counted against yet has
one point of 0 without tags)."""

AGENTOPS_CLIENT_COST_FLEET_RUNNING: Final = "agentops.client.cost.fleet_running"
"""Observable gauge (double), unit USD: running cost within each cost limit's scope and
window for every process sharing the limit's budget store (Redis), read from the store at
each collection; every process reports the same value, so take the ``max`` over processes,
not the sum. Attribute: ``agentops.cost_limit.name``. Exported only with a shared store; while
the store is unreachable, the process's estimate (last value read plus what it counted since)."""

AGENTOPS_CLIENT_COST_LIMIT: Final = "agentops.client.cost.limit"
"""Observable gauge (double), unit USD: the budget of each configured cost limit, so
dashboards and alerts can compare ``agentops.client.cost.running`` with it. Attribute:
``agentops.cost_limit.name``."""

AGENTOPS_CLIENT_ERRORS: Final = "agentops.client.errors"
"""Counter (int), unit ``{error}``: errors reported with ``record_llm_error``. Attributes:
``gen_ai.provider.name``, ``error.type``."""

AGENTOPS_LLM_METRIC_PREFIX: Final = "agentops.llm."
"""Prefix of custom metrics recorded with ``record_llm_metric``: ``agentops.llm.<name>``, a
Counter (double) with ``gen_ai.provider.name``, ``gen_ai.request.model`` when given, and the
user's tags as ``agentops.tag.<key>``; business value per model divided by
``agentops.client.cost`` per model is the ROI per model."""

AGENTOPS_COST_LIMIT_EVENT: Final = "agentops.cost_limit.crossed"
"""Event name (log record and span event) emitted when a cost limit is crossed."""
