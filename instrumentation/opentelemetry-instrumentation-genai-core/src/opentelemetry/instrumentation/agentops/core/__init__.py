"""Shared GenAI telemetry core of the provider instrumentations.

Provider packages and the distro import from here only: the names below, and the public
modules ``hooks`` (the distro's extension points), ``settings`` (every shared switch),
``values`` (reading caller-supplied values), ``chat_format`` (OpenAI-style chat content) and
``openai_compatible`` (what every OpenAI-shaped SDK shares). Modules whose names start with an
underscore are internal. Emission itself (spans, metrics, events, stream lifecycles, content
capture, error containment) lives in this package only.
"""

from __future__ import annotations

import logging

_logger = logging.getLogger(__name__)

try:
    from opentelemetry.instrumentation.agentops.core._endpoint import server_from_url
    from opentelemetry.instrumentation.agentops.core._instrumentor import (
        GenAIInstrumentor,
        NativeTracing,
    )
    from opentelemetry.instrumentation.agentops.core._mapper import (
        Alteration,
        Call,
        Mapper,
        StreamAccumulator,
        StreamHelpers,
    )
    from opentelemetry.instrumentation.agentops.core._patch import CallShape, Patch
    from opentelemetry.instrumentation.agentops.core._records import Request, Response, Usage
    from opentelemetry.instrumentation.agentops.core._redact import redact_secrets
    from opentelemetry.instrumentation.agentops.core._telemetry import (
        MAX_PLAUSIBLE_TOKENS,
        error_type_of,
    )
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
    "MAX_PLAUSIBLE_TOKENS",
    "Alteration",
    "Call",
    "CallShape",
    "GenAIInstrumentor",
    "Mapper",
    "NativeTracing",
    "Patch",
    "Request",
    "Response",
    "StreamAccumulator",
    "StreamHelpers",
    "Usage",
    "error_type_of",
    "redact_secrets",
    "server_from_url",
]
