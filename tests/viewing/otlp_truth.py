"""What a run really produced, read from its OTLP JSON file with the OpenTelemetry protobuf
classes: a second reading, independent of the report's own parser, to compare against."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Status

_ID_FIELDS = {"traceId", "spanId", "parentSpanId"}
TAG = "agentops.tag."


@dataclass(frozen=True)
class SpanCall:
    """One LLM call span, with the attributes as exported."""

    service: str
    span_id: str
    trace_id: str
    name: str
    duration_s: float
    failed: bool
    attributes: dict[str, Any]

    def get(self, key: str, default: Any = None) -> Any:
        return self.attributes.get(key, default)

    @property
    def provider(self) -> str:
        return self.attributes["gen_ai.provider.name"]

    @property
    def model(self) -> str:
        return self.attributes["gen_ai.request.model"]

    @property
    def operation(self) -> str:
        return self.attributes["gen_ai.operation.name"]

    @property
    def error_type(self) -> str | None:
        return self.attributes.get("error.type")

    @property
    def cost(self) -> float:
        return self.attributes.get("agentops.cost.total_usd", 0.0)

    @property
    def tags(self) -> dict[str, str]:
        return {k[len(TAG) :]: v for k, v in self.attributes.items() if k.startswith(TAG)}


def _plain(value: AnyValue) -> Any:
    field = value.WhichOneof("value")
    if field == "array_value":
        return [_plain(item) for item in value.array_value.values]
    return getattr(value, field) if field else None


def _base64_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: base64.b64encode(bytes.fromhex(item)).decode()
            if key in _ID_FIELDS and isinstance(item, str)
            else _base64_ids(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_base64_ids(item) for item in value]
    return value


def llm_calls(path: Path) -> list[SpanCall]:
    """Every span with ``gen_ai.operation.name`` in the file, in export order, but routed
    calls (``route``: a router's span grouping its attempts, which are the calls)."""
    calls = []
    for line in path.read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        if "resourceSpans" not in data:
            continue
        request = json_format.Parse(json.dumps(_base64_ids(data)), ExportTraceServiceRequest())
        for resource_spans in request.resource_spans:
            resource = {a.key: _plain(a.value) for a in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    attributes = {a.key: _plain(a.value) for a in span.attributes}
                    if attributes.get("gen_ai.operation.name", "route") == "route":
                        continue
                    calls.append(
                        SpanCall(
                            service=resource["service.name"],
                            span_id=span.span_id.hex(),
                            trace_id=span.trace_id.hex(),
                            name=span.name,
                            duration_s=(span.end_time_unix_nano - span.start_time_unix_nano) / 1e9,
                            failed=span.status.code == Status.STATUS_CODE_ERROR,
                            attributes=attributes,
                        )
                    )
    return calls


def totals(
    calls: Iterable[SpanCall],
    key: Callable[[SpanCall], Hashable],
    value: Callable[[SpanCall], float],
) -> dict[Hashable, float]:
    """``value`` summed per ``key``."""
    result: dict[Hashable, float] = {}
    for call in calls:
        k = key(call)
        result[k] = result.get(k, 0) + value(call)
    return result
