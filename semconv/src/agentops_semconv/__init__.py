"""Names this project adds beyond the OpenTelemetry GenAI semantic-convention registry.

Official names are never redefined here: import them from
``opentelemetry.semconv._incubating.attributes.gen_ai_attributes``. This package holds only
what the registry lacks, every name in the ``agentops.`` namespace, plus well-known
provider-name values for providers the registry does not list. See README.md for the
type, unit and meaning of each name.
"""

from agentops_semconv.attributes import (
    AGENTOPS_COST_CACHE_READ_USD,
    AGENTOPS_COST_CACHE_WRITE_USD,
    AGENTOPS_COST_INPUT_USD,
    AGENTOPS_COST_LIMIT_NAME,
    AGENTOPS_COST_LIMIT_SPENT_USD,
    AGENTOPS_COST_LIMIT_USD,
    AGENTOPS_COST_OUTPUT_USD,
    AGENTOPS_COST_PRICE_SOURCE,
    AGENTOPS_COST_STATUS,
    AGENTOPS_COST_TOTAL_USD,
    AGENTOPS_METRIC_NAME,
    AGENTOPS_STREAM_USAGE_REQUESTED,
    AGENTOPS_TAG_PREFIX,
    AGENTOPS_USAGE_ESTIMATED,
    AGENTOPS_USAGE_ESTIMATED_INPUT_TOKENS,
    AGENTOPS_USAGE_ESTIMATED_OUTPUT_TOKENS,
    CostStatusValues,
)
from agentops_semconv.events import (
    GEN_AI_CLIENT_INFERENCE_OPERATION_DETAILS,
    GEN_AI_CLIENT_OPERATION_EXCEPTION,
)
from agentops_semconv.metrics import (
    AGENTOPS_CLIENT_COST,
    AGENTOPS_CLIENT_COST_RUNNING,
    AGENTOPS_CLIENT_COST_UNIT,
    AGENTOPS_CLIENT_ERRORS,
    AGENTOPS_COST_LIMIT_EVENT,
    AGENTOPS_LLM_METRIC_PREFIX,
)
from agentops_semconv.providers import PROVIDERS, Provider, ProviderName

__all__ = [
    "AGENTOPS_CLIENT_COST",
    "AGENTOPS_CLIENT_COST_RUNNING",
    "AGENTOPS_CLIENT_COST_UNIT",
    "AGENTOPS_CLIENT_ERRORS",
    "AGENTOPS_COST_CACHE_READ_USD",
    "AGENTOPS_COST_CACHE_WRITE_USD",
    "AGENTOPS_COST_INPUT_USD",
    "AGENTOPS_COST_LIMIT_EVENT",
    "AGENTOPS_COST_LIMIT_NAME",
    "AGENTOPS_COST_LIMIT_SPENT_USD",
    "AGENTOPS_COST_LIMIT_USD",
    "AGENTOPS_COST_OUTPUT_USD",
    "AGENTOPS_COST_PRICE_SOURCE",
    "AGENTOPS_COST_STATUS",
    "AGENTOPS_COST_TOTAL_USD",
    "AGENTOPS_LLM_METRIC_PREFIX",
    "AGENTOPS_METRIC_NAME",
    "AGENTOPS_STREAM_USAGE_REQUESTED",
    "AGENTOPS_TAG_PREFIX",
    "AGENTOPS_USAGE_ESTIMATED",
    "AGENTOPS_USAGE_ESTIMATED_INPUT_TOKENS",
    "AGENTOPS_USAGE_ESTIMATED_OUTPUT_TOKENS",
    "GEN_AI_CLIENT_INFERENCE_OPERATION_DETAILS",
    "GEN_AI_CLIENT_OPERATION_EXCEPTION",
    "PROVIDERS",
    "CostStatusValues",
    "Provider",
    "ProviderName",
]
