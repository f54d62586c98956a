"""From spans and metric points to what the report counts: LLM calls and business values.

Provider-neutral: everything comes from the GenAI semantic-convention attributes and this
project's ``agentops.*`` attributes, whichever provider package made the span.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from agentops_semconv import (
    AGENTOPS_COST_STATUS,
    AGENTOPS_COST_TOTAL_USD,
    AGENTOPS_LLM_METRIC_PREFIX,
    AGENTOPS_OPERATION_ROUTE,
    AGENTOPS_TAG_PREFIX,
)
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as GenAI
from opentelemetry.semconv.attributes import error_attributes, service_attributes

from agentops.report.otlp_json import STATUS_ERROR, MetricPoint, Span

__all__ = ["Call", "Value", "calls_of", "metric_name_of", "values_of"]

# Operations that are not a model call: an agent or tool span is not an LLM call (and may
# carry its children's summed usage); a routed call's attempts are the calls it made.
NOT_CALLS: Final = frozenset(
    {
        GenAI.GenAiOperationNameValues.CREATE_AGENT.value,
        GenAI.GenAiOperationNameValues.INVOKE_AGENT.value,
        GenAI.GenAiOperationNameValues.EXECUTE_TOOL.value,
        GenAI.GenAiOperationNameValues.INVOKE_WORKFLOW.value,
        GenAI.GenAiOperationNameValues.RETRIEVAL.value,
        AGENTOPS_OPERATION_ROUTE,
    }
)
UNKNOWN: Final = "(unknown)"


@dataclass(frozen=True, slots=True)
class Call:
    service: str
    provider: str
    model: str
    """The requested model, as the metrics and dashboards group calls."""
    operation: str
    duration_s: float
    ttfc_s: float | None
    """Time to first chunk, for streamed calls."""
    input_tokens: int | None
    output_tokens: int | None
    cache_read_tokens: int
    cost_usd: float | None
    """None when the call was not priced (see ``cost_status``)."""
    cost_status: str | None
    error_type: str | None
    tags: Mapping[str, str]
    """Tag keys without the ``agentops.tag.`` prefix."""
    start_ns: int


@dataclass(frozen=True, slots=True)
class Value:
    """The total of one series of a ``record_llm_metric`` counter (e.g. business value)."""

    provider: str
    model: str | None
    tags: Mapping[str, str]
    service: str
    value: float


def calls_of(spans: Iterable[Span]) -> list[Call]:
    """The LLM calls among the spans (GenAI spans of a model call), in the order given."""
    calls = []
    for span in spans:
        attributes = span.attributes
        operation = attributes.get(GenAI.GEN_AI_OPERATION_NAME)
        if not isinstance(operation, str) or operation in NOT_CALLS:
            continue
        error_type = _text(attributes.get(error_attributes.ERROR_TYPE))
        if error_type is None and span.status_code == STATUS_ERROR:
            error_type = "_OTHER"
        cost = attributes.get(AGENTOPS_COST_TOTAL_USD)
        calls.append(
            Call(
                service=_service(span.resource),
                provider=_provider(attributes),
                model=_text(attributes.get(GenAI.GEN_AI_REQUEST_MODEL))
                or _text(attributes.get(GenAI.GEN_AI_RESPONSE_MODEL))
                or UNKNOWN,
                operation=operation,
                duration_s=span.duration_s,
                ttfc_s=_seconds(attributes.get(GenAI.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK)),
                input_tokens=_count(
                    attributes.get(GenAI.GEN_AI_USAGE_INPUT_TOKENS),
                    attributes.get(GenAI.GEN_AI_USAGE_PROMPT_TOKENS),
                ),
                output_tokens=_count(
                    attributes.get(GenAI.GEN_AI_USAGE_OUTPUT_TOKENS),
                    attributes.get(GenAI.GEN_AI_USAGE_COMPLETION_TOKENS),
                ),
                cache_read_tokens=_count(attributes.get(GenAI.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS))
                or 0,
                cost_usd=float(cost) if _is_number(cost) and cost >= 0 else None,
                cost_status=_text(attributes.get(AGENTOPS_COST_STATUS)),
                error_type=error_type,
                tags=_tags(attributes),
                start_ns=span.start_ns,
            )
        )
    return calls


def metric_name_of(name: str) -> str:
    """The instrument name of a ``record_llm_metric`` name: ``business_value`` →
    ``agentops.llm.business_value`` (a full instrument name is kept)."""
    name = name.strip()
    return (
        name if name.startswith(AGENTOPS_LLM_METRIC_PREFIX) else AGENTOPS_LLM_METRIC_PREFIX + name
    )


def values_of(points: Iterable[MetricPoint], metric: str) -> list[Value]:
    """The total of each series of the counter ``metric``, over every process in the files.

    Cumulative series (the default) hold their total in their latest point; delta series
    add up. A process is told apart by its resource and each series' start time.
    """
    latest: dict[tuple[Any, ...], MetricPoint] = {}
    deltas: list[MetricPoint] = []
    for point in points:
        if point.metric != metric or point.kind != "sum":
            continue
        if point.delta:
            deltas.append(point)
            continue
        key = point.series()
        found = latest.get(key)
        if found is None or point.time_ns >= found.time_ns:
            latest[key] = point
    return [
        Value(
            provider=_provider(point.attributes),
            model=_text(point.attributes.get(GenAI.GEN_AI_REQUEST_MODEL)),
            tags=_tags(point.attributes),
            service=_service(point.resource),
            value=point.value,
        )
        for point in [*latest.values(), *deltas]
    ]


def _provider(attributes: Mapping[str, Any]) -> str:
    return (
        _text(attributes.get(GenAI.GEN_AI_PROVIDER_NAME))
        or _text(attributes.get(GenAI.GEN_AI_SYSTEM))
        or UNKNOWN
    )


def _service(resource: Mapping[str, Any]) -> str:
    return _text(resource.get(service_attributes.SERVICE_NAME)) or UNKNOWN


def _tags(attributes: Mapping[str, Any]) -> dict[str, str]:
    start = len(AGENTOPS_TAG_PREFIX)
    return {
        key[start:]: str(value)
        for key, value in attributes.items()
        if key.startswith(AGENTOPS_TAG_PREFIX) and value is not None
    }


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _count(*values: Any) -> int | None:
    for value in values:
        if _is_number(value) and value >= 0:
            return int(value)
    return None


def _seconds(value: Any) -> float | None:
    return float(value) if _is_number(value) and value >= 0 else None
