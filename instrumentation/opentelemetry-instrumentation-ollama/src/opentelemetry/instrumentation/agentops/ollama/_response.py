"""The fields of Ollama's final answer (a plain response, or a stream's ``done: true`` line):
model, finish reason, token counts and the server's timings. They are read the same way from
the dicts of ollama < 0.4 and the typed responses after."""

from __future__ import annotations

from typing import Any, Final

from agentops_semconv import (
    AGENTOPS_SERVER_COMPLETION_TIME,
    AGENTOPS_SERVER_LOAD_TIME,
    AGENTOPS_SERVER_PROMPT_TIME,
    AGENTOPS_SERVER_TOTAL_TIME,
)
from opentelemetry.instrumentation.agentops.core import Response, Usage
from opentelemetry.instrumentation.agentops.core.values import as_int, as_str, field
from opentelemetry.util.types import AttributeValue

__all__ = ["add_timings", "final_response", "finish_reason_of", "usage_of"]

_NS_PER_S: Final = 1e9
# Ollama's phases under the provider-neutral names (Groq reports the same phases).
_TIMINGS: Final = (
    (AGENTOPS_SERVER_TOTAL_TIME, "total_duration"),
    (AGENTOPS_SERVER_LOAD_TIME, "load_duration"),
    (AGENTOPS_SERVER_PROMPT_TIME, "prompt_eval_duration"),
    (AGENTOPS_SERVER_COMPLETION_TIME, "eval_duration"),
)


def usage_of(result: Any) -> Usage | None:
    """``prompt_eval_count`` input tokens and ``eval_count`` output tokens, as reported."""
    prompt = as_int(field(result, "prompt_eval_count"))
    output = as_int(field(result, "eval_count"))
    if prompt is None and output is None:
        return None
    return Usage(input_tokens=prompt, output_tokens=output)


def add_timings(result: Any, attributes: dict[str, AttributeValue]) -> None:
    """The server's durations (nanoseconds) in seconds, as ``agentops.server.*``."""
    for key, name in _TIMINGS:
        nanoseconds = as_int(field(result, name))
        if nanoseconds is not None and nanoseconds >= 0:
            attributes[key] = nanoseconds / _NS_PER_S


def finish_reason_of(result: Any) -> str | None:
    return as_str(field(result, "done_reason")) or None


def final_response(result: Any) -> Response:
    reason = finish_reason_of(result)
    response = Response(
        model=as_str(field(result, "model")),
        finish_reasons=[reason] if reason else None,
        usage=usage_of(result),
    )
    add_timings(result, response.attributes)
    return response
