"""Span attributes in the ``agentops.`` namespace."""

from enum import Enum
from typing import Final

AGENTOPS_COST_INPUT_USD: Final = "agentops.cost.input_usd"
"""double, USD: price of the input tokens that were not read from or written to a cache."""

AGENTOPS_COST_OUTPUT_USD: Final = "agentops.cost.output_usd"
"""double, USD: price of the output tokens (reasoning tokens included)."""

AGENTOPS_COST_CACHE_READ_USD: Final = "agentops.cost.cache_read_usd"
"""double, USD: price of the input tokens served from the provider's prompt cache."""

AGENTOPS_COST_CACHE_WRITE_USD: Final = "agentops.cost.cache_write_usd"
"""double, USD: price of the input tokens written to the provider's prompt cache."""

AGENTOPS_COST_TOTAL_USD: Final = "agentops.cost.total_usd"
"""double, USD: the sum of the four parts above, plus the per-request fee of the few models
that charge one."""

AGENTOPS_COST_STATUS: Final = "agentops.cost.status"
"""string: whether a cost could be computed; one of :class:`CostStatusValues`."""

AGENTOPS_COST_PRICE_SOURCE: Final = "agentops.cost.price_source"
"""string: where the price came from: ``genai-prices``, ``user`` (the user's price file) or
``default_local`` (a local provider, free unless the user prices it)."""

AGENTOPS_STREAM_USAGE_REQUESTED: Final = "agentops.stream.usage_requested"
"""boolean: true when the instrumentation asked the provider to report token usage at the
end of a stream the caller had not asked for it on. The extra usage-only chunk is consumed
by the instrumentation and never reaches the caller."""

AGENTOPS_USAGE_ESTIMATED: Final = "agentops.usage.estimated"
"""boolean: true when the caller abandoned a stream before the provider reported token usage,
so the usage below was estimated from the text (about four characters per token). Estimates
are priced (``agentops.cost.status`` = ``estimated``) and counted by cost limits, but never
recorded as ``gen_ai.usage.*`` nor in the token usage metric."""

AGENTOPS_USAGE_ESTIMATED_INPUT_TOKENS: Final = "agentops.usage.estimated_input_tokens"
"""int, {token}: estimated input tokens of an abandoned stream (see above)."""

AGENTOPS_USAGE_ESTIMATED_OUTPUT_TOKENS: Final = "agentops.usage.estimated_output_tokens"
"""int, {token}: estimated output tokens of an abandoned stream (see above)."""

AGENTOPS_AI21_CUSTOM_MODEL: Final = "agentops.ai21.custom_model"
"""string: the custom (fine-tuned) AI21 model a Jurassic-2 completion was asked of, trained on
the ``gen_ai.request.model`` it names (``completion.create(custom_model=...)``)."""


# Time the provider's servers report spending on a call, as opposed to the client-side
# duration the conventions record. Provider-neutral: Groq reports these phases (seconds, in
# its usage), and so do other providers in their own units; each package converts.
AGENTOPS_SERVER_QUEUE_TIME: Final = "agentops.server.queue_time"
"""double, s: how long the request waited in the provider's queue before processing began."""

AGENTOPS_SERVER_PROMPT_TIME: Final = "agentops.server.prompt_time"
"""double, s: how long the provider's servers spent processing the prompt (input tokens)."""

AGENTOPS_SERVER_COMPLETION_TIME: Final = "agentops.server.completion_time"
"""double, s: how long the provider's servers spent generating the output tokens."""

AGENTOPS_SERVER_TOTAL_TIME: Final = "agentops.server.total_time"
"""double, s: the provider's own total for the call, as it reports it (Groq: prompt plus
completion time, queue time excluded)."""

AGENTOPS_SERVER_LOAD_TIME: Final = "agentops.server.load_time"
"""double, s: how long the server spent loading the model before it could process the call
(Ollama's ``load_duration``); near zero when the model was already in memory, so a large value
marks a cold start."""


AGENTOPS_TAG_PREFIX: Final = "agentops.tag."
"""Prefix of user tags: ``agentops.tag.<key>`` (string) on every GenAI span and metric point
made inside a ``tags(...)`` block."""

AGENTOPS_METRIC_NAME: Final = "agentops.metric.name"
"""string: the name a user gave a custom metric recorded with ``record_llm_metric``."""

AGENTOPS_COST_LIMIT_NAME: Final = "agentops.cost_limit.name"
"""string: which configured cost limit an alert is about."""

AGENTOPS_COST_LIMIT_USD: Final = "agentops.cost_limit.limit_usd"
"""double, USD: the limit that was crossed."""

AGENTOPS_COST_LIMIT_SPENT_USD: Final = "agentops.cost_limit.spent_usd"
"""double, USD: running cost within the limit's scope and window when it was crossed."""


class CostStatusValues(Enum):
    PRICED = "priced"
    """A price was found and the cost attributes are set."""
    UNKNOWN_MODEL = "unknown_model"
    """No price is known for this provider and model; no cost attribute is set (never 0)."""
    NO_USAGE = "no_usage"
    """The provider reported no token usage, so nothing could be priced."""
    ESTIMATED = "estimated"
    """Priced from estimated usage (a stream abandoned before the provider reported usage,
    see ``agentops.usage.estimated``); the cost attributes are set and counted by limits."""
    INVALID_USAGE = "invalid_usage"
    """The provider reported token counts that cannot be right (negative, or beyond any
    model's context): not priced, and the bad counts are not in the token metric."""


AGENTOPS_OPERATION_RERANK: Final = "rerank"
"""``gen_ai.operation.name`` value of a rerank call (documents ordered by relevance to a
query, e.g. Cohere's ``rerank``). The registry has no such operation; span name
``rerank {gen_ai.request.model}``. Priced per billed search unit, not per token."""

AGENTOPS_RERANK_QUERY_COUNT: Final = "agentops.rerank.query_count"
"""int, {query}: queries the documents were ranked against (1 for Cohere's API)."""

AGENTOPS_RERANK_DOCUMENT_COUNT: Final = "agentops.rerank.document_count"
"""int, {document}: documents sent to be ranked."""

AGENTOPS_RERANK_TOP_N: Final = "agentops.rerank.top_n"
"""int, {document}: how many of the best-ranked documents the caller asked for."""

AGENTOPS_RERANK_RETURNED_COUNT: Final = "agentops.rerank.returned_count"
"""int, {document}: ranked documents the provider returned."""

AGENTOPS_RERANK_BILLED_SEARCH_UNITS: Final = "agentops.rerank.billed_search_units"
"""int, {search_unit}: search units the provider billed (Cohere: one per query over up to
100 documents); what a rerank call is priced by."""

AGENTOPS_EMBEDDINGS_INPUT_COUNT: Final = "agentops.embeddings.input_count"
"""int, {input}: texts, images or other inputs sent to be embedded in one call."""

AGENTOPS_OPERATION_ROUTE: Final = "route"
"""``gen_ai.operation.name`` value of a routed call: one call of the caller's that a router
(LiteLLM's ``Router``) answers with one or more model calls, trying deployments, retrying
and falling back. Its span (INTERNAL, ``route {gen_ai.request.model}``, the model group asked
for) is the parent of one inference span per attempt; it carries no token usage, records no
GenAI metric and is never priced: the attempts are."""

AGENTOPS_ROUTE_ATTEMPTS: Final = "agentops.route.attempts"
"""int, {attempt}: model calls a routed call made (the first try, retries and fallbacks)."""

AGENTOPS_ROUTE_ATTEMPT: Final = "agentops.route.attempt"
"""int, {attempt}: on an attempt's span, its place among the routed call's attempts (1 for
the first)."""

AGENTOPS_ROUTE_FALLBACKS: Final = "agentops.route.fallbacks"
"""int, {fallback}: how many times a routed call moved on to another model group (the
attempts' ``agentops.route.model_group`` changed from one attempt to the next)."""

AGENTOPS_ROUTE_DEPLOYMENT: Final = "agentops.route.deployment"
"""string: on an attempt's span, the deployment the router sent it to (LiteLLM: the
deployment's ``model_info.id``); on the routed call's span, the deployment that answered."""

AGENTOPS_ROUTE_MODEL_GROUP: Final = "agentops.route.model_group"
"""string: on an attempt's span, the model group of its deployment (LiteLLM: the
``model_name`` of the deployment); on the routed call's span, the group that answered."""

AGENTOPS_ROUTE_LATENCY: Final = "agentops.route.latency"
"""double, s: on the routed call's span, the time the caller waited, every attempt and the
pauses between them included (for a stream, until it ended)."""
