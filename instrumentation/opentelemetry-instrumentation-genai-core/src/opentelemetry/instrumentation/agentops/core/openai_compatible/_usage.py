"""Token usage in the OpenAI shape (chat/completions and Responses API field names)."""

from __future__ import annotations

from typing import Any

from opentelemetry.instrumentation.agentops.core._records import Usage
from opentelemetry.instrumentation.agentops.core.values import as_int, field

__all__ = ["usage_of"]


def _count(value: Any) -> int | None:
    # Some compatible servers send floats (70.0); the conventions want integers.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return as_int(value)


def usage_of(usage: Any) -> Usage | None:
    """Chat/completions usage (``prompt_tokens``...) or Responses usage (``input_tokens``...).

    OpenAI's prompt/input count already includes cached tokens, as the conventions want.
    """
    if usage is None:
        return None
    input_tokens = _count(field(usage, "prompt_tokens"))
    if input_tokens is None:
        input_tokens = _count(field(usage, "input_tokens"))
    output_tokens = _count(field(usage, "completion_tokens"))
    if output_tokens is None:
        output_tokens = _count(field(usage, "output_tokens"))
    input_details = field(usage, "prompt_tokens_details") or field(usage, "input_tokens_details")
    output_details = field(usage, "completion_tokens_details") or field(
        usage, "output_tokens_details"
    )
    return Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cache_read_input_tokens=_count(field(input_details, "cached_tokens"))
        if input_details is not None
        else None,
        reasoning_output_tokens=_count(field(output_details, "reasoning_tokens"))
        if output_details is not None
        else None,
    )
