"""A span exporter that prints one readable line per GenAI call."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Final, TextIO

from agentops_semconv.attributes import AGENTOPS_COST_TOTAL_USD
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as GenAI
from opentelemetry.semconv.attributes.error_attributes import ERROR_TYPE
from opentelemetry.trace import StatusCode
from opentelemetry.util.types import AttributeValue

from agentops_exporters import _format
from agentops_exporters._format import Attributes
from agentops_exporters._output import LineWriter, env_flag

__all__ = ["VERBOSE_ENV", "LLMConsoleSpanExporter", "format_span"]

VERBOSE_ENV: Final = "AGENTOPS_CONSOLE_VERBOSE"
"""Set to ``true`` to print every attribute of each span under its line."""

# Long attribute values (captured message content) are cut in verbose mode.
_MAX_VALUE_CHARS: Final = 500
_INDENT: Final = "    "
# gen_ai.system is the deprecated name of gen_ai.provider.name; older instrumentations use it.
_GEN_AI_SYSTEM: Final = "gen_ai.system"


class LLMConsoleSpanExporter(SpanExporter):
    """Prints one line per GenAI span (one with ``gen_ai.operation.name``).

    Other spans get a short generic line (mark, name, latency, status), so the GenAI lines
    can be read in the context of the application's own spans; pass
    ``other_spans=False`` to leave them out. The SDK's configurator creates exporters with no
    arguments, so every parameter has a default and verbosity also reads
    ``AGENTOPS_CONSOLE_VERBOSE``.
    """

    def __init__(
        self,
        out: TextIO | None = None,
        *,
        verbose: bool | None = None,
        other_spans: bool = True,
    ) -> None:
        self._writer = LineWriter(out, "LLMConsoleSpanExporter")
        self._verbose = env_flag(VERBOSE_ENV) if verbose is None else verbose
        self._other_spans = other_spans
        self._shut_down = False

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        if self._shut_down:
            return SpanExportResult.FAILURE
        try:
            text = "".join(
                format_span(span, verbose=self._verbose) + "\n"
                for span in spans
                if self._other_spans or _is_genai(span.attributes or {})
            )
        except Exception as error:  # never raise into the SDK's processor
            self._writer.report(f"could not format spans: {error!r}")
            return SpanExportResult.FAILURE
        if not text:
            return SpanExportResult.SUCCESS
        ok = self._writer.write(text)
        return SpanExportResult.SUCCESS if ok else SpanExportResult.FAILURE

    def shutdown(self) -> None:
        self._shut_down = True
        self._writer.flush()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._writer.flush()


def format_span(span: ReadableSpan, *, verbose: bool = False) -> str:
    """The line for ``span`` (no trailing newline), with its attributes under it if verbose."""
    attributes = span.attributes or {}
    line = _genai_line(span, attributes) if _is_genai(attributes) else _generic_line(span)
    if not verbose:
        return line
    details = [f"{_INDENT}{key} = {_value_text(attributes[key])}" for key in sorted(attributes)]
    if span.status.status_code is StatusCode.ERROR and span.status.description:
        details.append(f"{_INDENT}status: {span.status.description}")
    return "\n".join([line, *details])


def _is_genai(attributes: Attributes) -> bool:
    return GenAI.GEN_AI_OPERATION_NAME in attributes


def _genai_line(span: ReadableSpan, attributes: Attributes) -> str:
    failed = _failed(span, attributes)
    operation = _format.text(attributes.get(GenAI.GEN_AI_OPERATION_NAME))
    provider = _format.text(
        attributes.get(GenAI.GEN_AI_PROVIDER_NAME, attributes.get(_GEN_AI_SYSTEM))
    )
    # Fixed widths keep lines aligned; a longer value pushes the rest right, never touching.
    columns = [
        f"{'✗' if failed else '✓'} {operation:<10}",
        f"{provider:<8}",
        f"{_format.model(attributes):<22}",
        f"{_tokens(attributes):<15}",
        f"{_cost(attributes):<10}",
        f"{_latency(span):>7}",
        _status(span, attributes),
    ]
    stream = _stream_note(attributes)
    if stream:
        columns.append(stream)
    return "  ".join(columns)


def _generic_line(span: ReadableSpan) -> str:
    mark = "✗" if _failed(span, span.attributes or {}) else "·"
    return f"{mark} {span.name}  {_latency(span)}  {_status(span, span.attributes or {})}"


def _failed(span: ReadableSpan, attributes: Attributes) -> bool:
    return span.status.status_code is StatusCode.ERROR or ERROR_TYPE in attributes


def _tokens(attributes: Attributes) -> str:
    labelled = [
        ("in", GenAI.GEN_AI_USAGE_INPUT_TOKENS),
        ("out", GenAI.GEN_AI_USAGE_OUTPUT_TOKENS),
        ("cache-read", GenAI.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS),
        ("reasoning", GenAI.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS),
    ]
    parts = [
        f"{label} {attributes[key]}"
        for label, key in labelled
        if _format.is_number(attributes.get(key))
    ]
    return "  ".join(parts) if parts else "no usage"


def _cost(attributes: Attributes) -> str:
    total = attributes.get(AGENTOPS_COST_TOTAL_USD)
    if not _format.is_number(total):
        return "cost n/a"
    return _format.usd(float(total))


def _latency(span: ReadableSpan) -> str:
    if span.start_time is None or span.end_time is None:
        return "? ms"
    return _format.ms((span.end_time - span.start_time) / 1e9)


def _status(span: ReadableSpan, attributes: Attributes) -> str:
    error_type = attributes.get(ERROR_TYPE)
    if error_type is not None:
        return _format.text(error_type)
    return "ERROR" if span.status.status_code is StatusCode.ERROR else "OK"


def _stream_note(attributes: Attributes) -> str:
    if attributes.get(GenAI.GEN_AI_REQUEST_STREAM) is not True:
        return ""
    first = attributes.get(GenAI.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK)
    if _format.is_number(first):
        return f"(stream, first chunk {_format.ms(float(first))})"
    return "(stream)"


def _value_text(value: AttributeValue) -> str:
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, Sequence):
        text = json.dumps(list(value), ensure_ascii=False, default=str)
    else:
        text = str(value)
    if len(text) > _MAX_VALUE_CHARS:
        return f"{text[:_MAX_VALUE_CHARS]}… ({len(text)} chars)"
    return text
