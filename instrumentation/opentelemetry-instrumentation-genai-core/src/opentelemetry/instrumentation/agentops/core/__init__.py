"""Shared GenAI telemetry core of the provider instrumentations.

Provider packages import from here: the record types, the ``Mapper`` contract, the
instrumentor base and the endpoint helpers. Emission itself (spans, metrics, events, stream
lifecycles, content capture, error containment) lives in this package only.
"""

from __future__ import annotations

import logging

_logger = logging.getLogger(__name__)

try:
    from opentelemetry.instrumentation.agentops.core.endpoint import server_from_url
    from opentelemetry.instrumentation.agentops.core.instrumentor import GenAIInstrumentor, Patch
    from opentelemetry.instrumentation.agentops.core.mapper import Call, Mapper
    from opentelemetry.instrumentation.agentops.core.records import Request, Response, Usage
    from opentelemetry.instrumentation.agentops.core.streams import StreamAccumulator
    from opentelemetry.instrumentation.agentops.core.telemetry import GenAITelemetry, Trace
except ImportError as error:  # pragma: no cover - exercised only with a broken install
    # opentelemetry-instrument reports instrumentor import errors at debug level only, so an
    # incompatible opentelemetry-util-genai would otherwise leave the app silently untraced.
    _logger.warning(
        "The GenAI instrumentation core cannot load (%s). Check that opentelemetry-util-genai "
        "is installed in the supported range (>=1.3b0,<1.4). No LLM call will be traced.",
        error,
    )
    raise

__all__ = [
    "Call",
    "GenAIInstrumentor",
    "GenAITelemetry",
    "Mapper",
    "Patch",
    "Request",
    "Response",
    "StreamAccumulator",
    "Trace",
    "Usage",
    "server_from_url",
]
