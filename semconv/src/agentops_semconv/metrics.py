"""Metric instruments in the ``agentops.`` namespace."""

from typing import Final

AGENTOPS_CLIENT_COST: Final = "agentops.client.cost"
"""Counter (double), unit USD: running cost of GenAI client calls. Attributes:
``gen_ai.provider.name``, ``gen_ai.request.model``, ``gen_ai.operation.name`` and, when
known, ``gen_ai.response.model``."""

AGENTOPS_CLIENT_COST_UNIT: Final = "USD"
