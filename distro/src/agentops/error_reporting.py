"""``record_llm_error``: an error the application caught, reported on every signal.

One call produces:

- the GenAI exception event ``gen_ai.client.operation.exception`` as a log record
  (severity WARN, 13) with ``exception.type``, ``exception.message``,
  ``exception.stacktrace``, ``error.type``, ``gen_ai.provider.name``, the context as
  ``agentops.tag.<key>`` and the tags in force; tied to the current span, if any;
- an ``exception`` event on the current span, if one is recording;
- one on the ``agentops.client.errors`` counter ({error}) with ``gen_ai.provider.name``,
  ``error.type`` and the tags in force (not the per-call context, which may be unbounded).

Messages and stack traces go through the core's secret redaction: provider errors sometimes
echo a key ("Incorrect API key provided: sk-..."). Nothing here raises.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping
from typing import Final

from agentops_semconv import AGENTOPS_CLIENT_ERRORS, GEN_AI_CLIENT_OPERATION_EXCEPTION
from opentelemetry._logs import Logger, SeverityNumber
from opentelemetry.instrumentation.agentops.core import error_type_of, redact_secrets
from opentelemetry.metrics import Meter
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as GenAI
from opentelemetry.semconv.attributes import error_attributes, exception_attributes
from opentelemetry.trace import get_current_span
from opentelemetry.util.types import AttributeValue

from agentops.provider_names import canonical_value
from agentops.tagging import current_tag_attributes, tag_attributes

__all__ = ["EXCEPTION_EVENT", "ErrorReporter"]

_logger = logging.getLogger("agentops")

EXCEPTION_EVENT: Final = GEN_AI_CLIENT_OPERATION_EXCEPTION
"""The semantic conventions' GenAI exception event (not yet a constant of the Python
semantic-conventions package)."""

_OTHER: Final = "_OTHER"
"""``error.type`` when the error is not an exception (the conventions' fallback value)."""


class ErrorReporter:
    """Emits what ``record_llm_error`` promises, through one logger and one meter."""

    def __init__(self, event_logger: Logger, meter: Meter) -> None:
        self._event_logger = event_logger
        self._errors = meter.create_counter(
            AGENTOPS_CLIENT_ERRORS,
            unit="{error}",
            description="Errors reported with record_llm_error",
        )

    def report(
        self,
        provider: str,
        error: BaseException | str,
        context: Mapping[str, object] | None = None,
    ) -> None:
        try:
            self._report(provider, error, context)
        except Exception:
            # Reporting an error must never become the application's next error.
            _logger.debug("record_llm_error failed", exc_info=True)

    def _report(
        self,
        provider: str,
        error: BaseException | str,
        context: Mapping[str, object] | None,
    ) -> None:
        provider_value = canonical_value(str(provider))
        if isinstance(error, BaseException):
            error_type = error_type_of(error)
            message = redact_secrets(str(error)) or type(error).__name__
            stacktrace = redact_secrets(
                "".join(traceback.format_exception(type(error), error, error.__traceback__))
            )
        else:
            error_type, message, stacktrace = _OTHER, redact_secrets(str(error)), None

        tags = dict(current_tag_attributes())
        exception: dict[str, AttributeValue] = {
            exception_attributes.EXCEPTION_TYPE: error_type,
            exception_attributes.EXCEPTION_MESSAGE: message,
        }
        if stacktrace:
            exception[exception_attributes.EXCEPTION_STACKTRACE] = stacktrace
        attributes: dict[str, AttributeValue] = {
            **tags,
            **_context_attributes(context),
            **exception,
            error_attributes.ERROR_TYPE: error_type,
            GenAI.GEN_AI_PROVIDER_NAME: provider_value,
        }

        # No explicit context: the SDK takes the current one, trace and span ids included.
        self._event_logger.emit(
            event_name=EXCEPTION_EVENT,
            severity_number=SeverityNumber.WARN,
            severity_text="WARN",
            attributes=attributes,
        )

        span = get_current_span()
        if span.is_recording() and isinstance(error, BaseException):
            # Our redacted values override what record_exception would compute.
            span.record_exception(error, attributes=attributes)

        counted = {**tags, GenAI.GEN_AI_PROVIDER_NAME: provider_value}
        counted[error_attributes.ERROR_TYPE] = error_type
        self._errors.add(1, counted)


def _context_attributes(context: Mapping[str, object] | None) -> dict[str, str]:
    if not context:
        return {}
    try:
        attributes = tag_attributes(context)
    except ValueError:
        # Drop the unusable keys rather than the whole context.
        usable = {k: v for k, v in context.items() if isinstance(k, str) and k.strip()}
        attributes = tag_attributes(usable)
    return {key: redact_secrets(value) for key, value in attributes.items()}
