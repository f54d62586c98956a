"""Transport-free entry point: route a request to its provider and apply emulator controls.

`handle` never touches sockets and never sleeps; waits that faults or latency ask for are
returned as delays on the response, for the transport to honour.
"""

from __future__ import annotations

import sys
import traceback

from .controls import ControlError, Controls, parse_controls
from .provider import Provider
from .registry import PROVIDERS
from .wire import Chunk, EmulatedRequest, EmulatedResponse, json_response

HEALTH_PATH = "/healthz"


def handle(request: EmulatedRequest) -> EmulatedResponse:
    path = request.path.partition("?")[0]
    if path == HEALTH_PATH:
        return json_response(200, {"status": "ok"})
    match = find_provider(path)
    if match is None:
        return unknown_prefix(request.method, path)
    provider, sub_path = match
    try:
        controls = parse_controls(request.headers)
    except ControlError as error:
        return provider.error(request, 400, f"Emulator control error: {error}")
    response = route(provider, request, sub_path, controls)
    if controls.fault == "stream-error":
        break_stream(response, provider.stream_error(request))
    apply_faults(response, controls)
    response.delay_s += controls.latency_ms / 1000
    return response


def find_provider(path: str) -> tuple[Provider, str] | None:
    """The provider whose prefix owns `path`, with the rest of the path; longest prefix wins."""
    for provider in sorted(PROVIDERS, key=lambda p: len(p.prefix), reverse=True):
        if path == provider.prefix or path.startswith(provider.prefix + "/"):
            return provider, path[len(provider.prefix) :]
    return None


def route(
    provider: Provider, request: EmulatedRequest, sub_path: str, controls: Controls
) -> EmulatedResponse:
    if controls.http_status is not None:
        return provider.error(request, controls.http_status, None)
    try:
        return provider.route(request, sub_path, controls)
    except Exception as error:
        # A bug in the emulator surfaces as a 500 the client can read, and in the server log.
        traceback.print_exc(file=sys.stderr)
        return provider.error(request, 500, f"Emulator error: {error!r}")


def apply_faults(response: EmulatedResponse, controls: Controls) -> None:
    if controls.chunk_delay_ms and response.is_stream:
        response.body = [
            Chunk(chunk.data, chunk.delay_s + (controls.chunk_delay_ms / 1000 if i else 0))
            for i, chunk in enumerate(response.chunks)
        ]
    if controls.fault == "slow-first-chunk":
        delay = controls.delay_ms / 1000
        if response.is_stream and response.chunks:
            first, *rest = response.chunks
            response.body = [Chunk(first.data, first.delay_s + delay), *rest]
        else:
            response.delay_s += delay
    elif controls.fault == "stream-cut":
        cut_short(response)
    elif controls.fault == "malformed-json":
        make_malformed(response)


def cut_short(response: EmulatedResponse) -> None:
    """Keep about half of the body and ask the transport to drop the connection after it.

    A plain body becomes a one-chunk stream, so in both cases the client sees a chunked
    message that never ends properly.
    """
    if response.is_stream:
        chunks = response.chunks
        response.body = chunks[: max(1, len(chunks) // 2)]
    else:
        data = response.read()
        response.body = [Chunk(data[: max(1, len(data) // 2)])]
    response.cut = True


def break_stream(response: EmulatedResponse, error_event: bytes) -> None:
    """Keep about half of a successful stream, then the provider's error event, then end the
    body properly: the provider reports the failure in band. Plain responses are unchanged."""
    if not response.is_stream or response.status != 200:
        return
    chunks = response.chunks
    response.body = [*chunks[: max(1, len(chunks) // 2)], Chunk(error_event)]


def make_malformed(response: EmulatedResponse) -> None:
    """Status 200 with invalid JSON: a truncated body, or a stream whose first event is broken."""
    response.status = 200
    if response.is_stream and response.chunks:
        first = response.chunks[0].data
        ending = first[len(first.rstrip(b"\n")) :] or b"\n"
        response.body = [Chunk(first[: len(first) // 2].rstrip(b"\n") + ending)]
        return
    data = response.read() or b'{"error": {}}'
    response.headers["content-type"] = "application/json"
    response.body = data[: max(1, len(data) // 2)]


def unknown_prefix(method: str, path: str) -> EmulatedResponse:
    error = {
        "message": f"Invalid URL ({method} {path}): no emulated provider serves this path",
        "type": "invalid_request_error",
        "param": None,
        "code": "unknown_url",
    }
    return json_response(404, {"error": error})
