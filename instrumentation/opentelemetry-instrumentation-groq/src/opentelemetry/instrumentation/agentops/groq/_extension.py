"""Groq's own fields on top of the shared OpenAI shape: the server's timings, and the usage
its streams carry in ``x_groq``."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

from agentops_semconv import (
    AGENTOPS_SERVER_COMPLETION_TIME,
    AGENTOPS_SERVER_PROMPT_TIME,
    AGENTOPS_SERVER_QUEUE_TIME,
    AGENTOPS_SERVER_TOTAL_TIME,
)
from opentelemetry.instrumentation.agentops.core.openai_compatible import ChatExtension
from opentelemetry.instrumentation.agentops.core.values import as_float, field
from opentelemetry.util.types import AttributeValue

__all__ = ["GroqFields", "server_times", "stream_usage"]

# Groq's usage field (seconds) -> our attribute.
_TIMINGS: Final = (
    ("queue_time", AGENTOPS_SERVER_QUEUE_TIME),
    ("prompt_time", AGENTOPS_SERVER_PROMPT_TIME),
    ("completion_time", AGENTOPS_SERVER_COMPLETION_TIME),
    ("total_time", AGENTOPS_SERVER_TOTAL_TIME),
)


def server_times(usage: Any) -> dict[str, AttributeValue] | None:
    """The timings of a Groq usage object (or dict); a missing, negative or non-finite
    value is left out."""
    if usage is None:
        return None
    times: dict[str, AttributeValue] = {}
    for name, attribute in _TIMINGS:
        seconds = as_float(field(usage, name))
        if seconds is not None and seconds >= 0 and math.isfinite(seconds):
            times[attribute] = seconds
    return times or None


def stream_usage(chunk: Any) -> Any:
    """``x_groq.usage`` of a stream chunk: Groq's usage, timings included, on the last chunk
    of every stream, whether or not the caller asked for usage. A model on SDKs that declare
    ``x_groq``, a dict where they do not."""
    x_groq = getattr(chunk, "x_groq", None)
    return field(x_groq, "usage") if x_groq is not None else None


class GroqFields(ChatExtension):
    """``agentops.server.*`` from ``usage`` (plain results) and ``x_groq.usage`` (streams).

    Streams need no ``stream_options`` for usage: ``chunk_usage`` reads it from ``x_groq``.
    """

    def response_attributes(self, result: Any) -> Mapping[str, AttributeValue] | None:
        return server_times(field(result, "usage"))

    def chunk_usage(self, chunk: Any) -> Any:
        return stream_usage(chunk)

    def chunk_attributes(self, chunk: Any) -> Mapping[str, AttributeValue] | None:
        usage = stream_usage(chunk)
        if usage is None:
            # The usage-only chunk a caller asked for with stream_options carries it too.
            usage = getattr(chunk, "usage", None)
        return server_times(usage)
