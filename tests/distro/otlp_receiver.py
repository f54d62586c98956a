"""In-process OTLP receivers for the distro tests: HTTP (protobuf) and gRPC.

Each receiver listens on 127.0.0.1 at a free port, decodes every export request with
``opentelemetry.proto`` and keeps it with the request's headers (gRPC: metadata), so a test
can run an app in a subprocess and then read what reached the "collector"::

    with HTTPReceiver() as receiver:
        run(app, OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint)
        receiver.spans(), receiver.metrics(), receiver.logs(), receiver.headers("traces")
"""

from __future__ import annotations

import gzip
import socket
import threading
import zlib
from concurrent import futures
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal, Self

import grpc
from google.protobuf.message import Message
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2, logs_service_pb2_grpc
from opentelemetry.proto.collector.metrics.v1 import (
    metrics_service_pb2,
    metrics_service_pb2_grpc,
)
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

Signal = Literal["traces", "metrics", "logs"]

# Request and response message of each signal.
_MESSAGES: dict[Signal, tuple[type[Message], type[Message]]] = {
    "traces": (
        trace_service_pb2.ExportTraceServiceRequest,
        trace_service_pb2.ExportTraceServiceResponse,
    ),
    "metrics": (
        metrics_service_pb2.ExportMetricsServiceRequest,
        metrics_service_pb2.ExportMetricsServiceResponse,
    ),
    "logs": (
        logs_service_pb2.ExportLogsServiceRequest,
        logs_service_pb2.ExportLogsServiceResponse,
    ),
}
_HTTP_PATHS: dict[str, Signal] = {
    "/v1/traces": "traces",
    "/v1/metrics": "metrics",
    "/v1/logs": "logs",
}


def value_of(value: AnyValue) -> Any:
    """The Python value of an OTLP ``AnyValue``."""
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [value_of(item) for item in value.array_value.values]
    if kind == "kvlist_value":
        return attributes_of(value.kvlist_value.values)
    return getattr(value, kind) if kind else None


def attributes_of(attributes: Any) -> dict[str, Any]:
    pairs: list[KeyValue] = list(attributes)
    return {pair.key: value_of(pair.value) for pair in pairs}


@dataclass(frozen=True)
class ReceivedSpan:
    name: str
    kind: int
    attributes: dict[str, Any]
    resource: dict[str, Any]
    scope: str
    start_time_ns: int


@dataclass(frozen=True)
class ReceivedPoint:
    attributes: dict[str, Any]
    value: float | None = None
    """Sum and gauge points."""
    count: int | None = None
    """Histogram points."""
    sum: float | None = None
    """Histogram points."""


@dataclass(frozen=True)
class ReceivedMetric:
    name: str
    unit: str
    resource: dict[str, Any]
    points: list[ReceivedPoint] = field(default_factory=list)


@dataclass(frozen=True)
class ReceivedLog:
    event_name: str
    attributes: dict[str, Any]
    resource: dict[str, Any]


@dataclass(frozen=True)
class ReceivedRequest:
    signal: Signal
    headers: dict[str, str]
    message: Any


class OTLPReceiver:
    """What the receiver got, decoded; shared by the HTTP and gRPC front ends."""

    endpoint: str

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: list[ReceivedRequest] = []

    def record(self, signal: Signal, headers: dict[str, str], message: Any) -> None:
        with self._lock:
            self._requests.append(ReceivedRequest(signal, headers, message))

    def requests(self, signal: Signal | None = None) -> list[ReceivedRequest]:
        with self._lock:
            return [r for r in self._requests if signal is None or r.signal == signal]

    def headers(self, signal: Signal) -> list[dict[str, str]]:
        return [request.headers for request in self.requests(signal)]

    def spans(self) -> list[ReceivedSpan]:
        spans = []
        for request in self.requests("traces"):
            for resource_spans in request.message.resource_spans:
                resource = attributes_of(resource_spans.resource.attributes)
                for scope_spans in resource_spans.scope_spans:
                    for span in scope_spans.spans:
                        spans.append(
                            ReceivedSpan(
                                name=span.name,
                                kind=span.kind,
                                attributes=attributes_of(span.attributes),
                                resource=resource,
                                scope=scope_spans.scope.name,
                                start_time_ns=span.start_time_unix_nano,
                            )
                        )
        return spans

    def metrics(self) -> dict[str, list[ReceivedMetric]]:
        """Every export of each metric, by name (cumulative metrics repeat per export)."""
        found: dict[str, list[ReceivedMetric]] = {}
        for request in self.requests("metrics"):
            for resource_metrics in request.message.resource_metrics:
                resource = attributes_of(resource_metrics.resource.attributes)
                for scope_metrics in resource_metrics.scope_metrics:
                    for metric in scope_metrics.metrics:
                        found.setdefault(metric.name, []).append(
                            ReceivedMetric(metric.name, metric.unit, resource, _points(metric))
                        )
        return found

    def logs(self) -> list[ReceivedLog]:
        logs = []
        for request in self.requests("logs"):
            for resource_logs in request.message.resource_logs:
                resource = attributes_of(resource_logs.resource.attributes)
                for scope_logs in resource_logs.scope_logs:
                    for record in scope_logs.log_records:
                        logs.append(
                            ReceivedLog(
                                record.event_name, attributes_of(record.attributes), resource
                            )
                        )
        return logs


def _points(metric: Any) -> list[ReceivedPoint]:
    kind = metric.WhichOneof("data")
    data = getattr(metric, kind)
    points = []
    for point in data.data_points:
        attributes = attributes_of(point.attributes)
        if kind == "histogram":
            points.append(ReceivedPoint(attributes, count=point.count, sum=point.sum))
        else:
            number = point.as_double if point.WhichOneof("value") == "as_double" else point.as_int
            points.append(ReceivedPoint(attributes, value=number))
    return points


class _HTTPHandler(BaseHTTPRequestHandler):
    server: _HTTPServer

    def do_POST(self) -> None:
        signal = _HTTP_PATHS.get(self.path)
        if signal is None:
            self.send_error(404)
            return
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        encoding = (self.headers.get("Content-Encoding") or "").lower()
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        if "protobuf" not in (self.headers.get("Content-Type") or ""):
            self.send_error(415, "only application/x-protobuf is served")
            return
        receiver = self.server.receiver
        if receiver.status != 200:
            # A receiver in trouble: answers with its status, keeps nothing.
            receiver.refused += 1
            self.send_response(receiver.status)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        request_type, response_type = _MESSAGES[signal]
        message = request_type()
        message.ParseFromString(body)
        headers = {name.lower(): value for name, value in self.headers.items()}
        receiver.record(signal, headers, message)
        payload = response_type().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    receiver: OTLPReceiver


class HTTPReceiver(OTLPReceiver):
    """OTLP/HTTP with protobuf bodies (plain, gzip or deflate).

    ``status`` (default 200) can be set to another HTTP status at any time: every export is
    then answered with it and not kept (``refused`` counts them).
    """

    def __init__(self, status: int = 200) -> None:
        super().__init__()
        self.status = status
        self.refused = 0
        self._server = _HTTPServer(("127.0.0.1", 0), _HTTPHandler)
        self._server.receiver = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.endpoint = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()


class SilentReceiver:
    """A TCP port that accepts connections and never answers (a hung collector)."""

    def __init__(self) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(128)
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self.port = self._socket.getsockname()[1]
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.accepted = 0

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            self._held.append(connection)
            self.accepted += 1

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._socket.close()
        for connection in self._held:
            connection.close()


class _Service:
    """One gRPC export method: record the request, answer an empty response."""

    def __init__(self, receiver: OTLPReceiver, signal: Signal) -> None:
        self._receiver = receiver
        self._signal = signal

    def Export(self, request: Any, context: grpc.ServicerContext) -> Any:
        headers = {key.lower(): value for key, value in context.invocation_metadata()}
        self._receiver.record(self._signal, headers, request)
        return _MESSAGES[self._signal][1]()


class GRPCReceiver(OTLPReceiver):
    """OTLP/gRPC: the trace, metrics and logs services, insecure."""

    def __init__(self) -> None:
        super().__init__()
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        trace_service_pb2_grpc.add_TraceServiceServicer_to_server(
            _Service(self, "traces"), self._server
        )
        metrics_service_pb2_grpc.add_MetricsServiceServicer_to_server(
            _Service(self, "metrics"), self._server
        )
        logs_service_pb2_grpc.add_LogsServiceServicer_to_server(
            _Service(self, "logs"), self._server
        )
        port = self._server.add_insecure_port("127.0.0.1:0")
        self.endpoint = f"http://127.0.0.1:{port}"

    def __enter__(self) -> Self:
        self._server.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.stop(grace=None)
