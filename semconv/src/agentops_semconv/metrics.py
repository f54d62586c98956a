"""Metric instruments in the ``agentops.`` namespace."""

from typing import Final

AGENTOPS_CLIENT_COST: Final = "agentops.client.cost"
"""Counter (double), unit USD: running cost of GenAI client calls. Attributes:
``gen_ai.provider.name``, ``gen_ai.request.model``, ``gen_ai.operation.name`` and, when
known, ``gen_ai.response.model``."""

AGENTOPS_CLIENT_COST_UNIT: Final = "USD"

AGENTOPS_CLIENT_COST_RUNNING: Final = "agentops.client.cost.running"
"""Observable gauge (double), unit USD: running cost within each configured cost limit's scope
and window, for real-time dashboards. Attribute: ``agentops.cost_limit.name``."""

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
