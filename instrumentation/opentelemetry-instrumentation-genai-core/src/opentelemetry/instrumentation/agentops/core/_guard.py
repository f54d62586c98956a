"""Containment of failures inside the instrumentation.

Nothing the instrumentation does may raise into the caller's LLM call. Every place where our
code runs on the caller's path catches ``Exception`` and reports it here: a debug line with
the traceback every time, and one warning per place per process so the problem is visible
without flooding logs (one traceback per stream chunk is how pods crash-loop).
"""

from __future__ import annotations

import logging

_logger = logging.getLogger("opentelemetry.instrumentation.agentops.core")
_warned: set[str] = set()


def report_internal_error(where: str) -> None:
    """Log the exception being handled; call it from an ``except`` block only."""
    _logger.debug("GenAI instrumentation error in %s; the call is unaffected", where, exc_info=True)
    if where not in _warned:
        _warned.add(where)
        _logger.warning(
            "GenAI instrumentation error in %s; telemetry for this call may be incomplete, the "
            "call itself is unaffected. Further errors here are logged at debug level.",
            where,
        )
