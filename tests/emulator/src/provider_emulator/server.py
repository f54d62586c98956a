"""`EmulatorServer`: `core.handle` behind a real HTTP/1.1 socket on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

from ._version import __version__
from .controls import check_default_controls
from .core import handle
from .wire import EmulatedRequest, EmulatedResponse, Headers


@dataclass(frozen=True)
class RecordedRequest:
    """A request as the server received it; `body` is the parsed JSON body or None."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    raw_body: bytes = field(repr=False, default=b"")

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, and chunked responses for streams
    server_version = f"provider-emulator/{__version__}"
    sys_version = ""
    # Streams are many small writes; Nagle's algorithm would hold them back and skew timings.
    disable_nagle_algorithm = True
    server: _HTTPServer

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def date_time_string(self, timestamp: float | None = None) -> str:
        # A fixed Date header (the ids' `created` time): answers stay byte-for-byte the same,
        # and SDK errors that print the response headers (cohere's ApiError) compare equal.
        return "Tue, 14 Nov 2023 22:13:20 GMT"

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            sys.stderr.write(f"provider-emulator: {format % args}\n")

    def _serve(self) -> None:
        body = self._read_body()
        received = list(self.headers.items())
        defaults = self.server.default_controls
        if defaults:
            present = {name.lower() for name, _ in received}
            received += [(name, value) for name, value in defaults.items() if name not in present]
        request = EmulatedRequest(
            method=self.command,
            path=self.path,
            headers=Headers(received),
            body=body,
        )
        self.server.record(request)
        response = handle(request)
        if response.delay_s > 0:
            time.sleep(response.delay_s)
        try:
            if response.is_stream or response.cut:
                self._send_chunked(response)
            else:
                self._send_plain(response)
        except (BrokenPipeError, ConnectionResetError):
            # The client went away mid-stream; nothing left to tell it.
            self.close_connection = True

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    # Skip trailers up to the blank line that ends the message.
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _start(self, response: EmulatedResponse, extra: dict[str, str]) -> None:
        self.send_response(response.status)
        for name, value in {**response.headers, **extra}.items():
            self.send_header(name, value)
        self.end_headers()

    def _send_plain(self, response: EmulatedResponse) -> None:
        data = response.read()
        self._start(response, {"content-length": str(len(data))})
        self.wfile.write(data)

    def _send_chunked(self, response: EmulatedResponse) -> None:
        self._start(response, {"transfer-encoding": "chunked"})
        for chunk in response.chunks:
            if chunk.delay_s > 0:
                time.sleep(chunk.delay_s)
            if chunk.data:
                # Size line, data and CRLF in one write, so each event leaves at once.
                self.wfile.write(b"%x\r\n%b\r\n" % (len(chunk.data), chunk.data))
        if response.cut:
            # No terminating zero-size chunk: the client sees an incomplete chunked body.
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(b"0\r\n\r\n")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # listen() backlog. socketserver's default of 5 makes the kernel drop or reset
    # connections that arrive together (load tests open hundreds at once); the kernel caps
    # this at net.core.somaxconn.
    request_queue_size = 4096

    def __init__(
        self, address: tuple[str, int], verbose: bool, default_controls: dict[str, str]
    ) -> None:
        super().__init__(address, _Handler)
        self.verbose = verbose
        self.default_controls = default_controls
        self.recorded: list[RecordedRequest] = []
        self.lock = threading.Lock()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients dropping idle keep-alive connections is normal, not worth a traceback.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def record(self, request: EmulatedRequest) -> None:
        try:
            parsed = json.loads(request.body) if request.body else None
        except ValueError:
            parsed = None
        entry = RecordedRequest(
            method=request.method,
            path=request.path,
            headers=dict(request.headers),
            body=parsed,
            raw_body=request.body,
        )
        with self.lock:
            self.recorded.append(entry)


class EmulatorServer:
    """Serves the emulator on `host` (default 127.0.0.1) and a free port, in a daemon thread.

    `default_controls` are control headers (`x-emulator-...`, see `controls.py`) applied to
    every request that does not send that header itself, e.g. `{"x-emulator-latency-ms":
    "80"}` for a server whose every answer takes 80 ms.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        verbose: bool = False,
        default_controls: Mapping[str, str] | None = None,
    ) -> None:
        self._host = host
        self._port = port
        self._verbose = verbose
        self._default_controls = check_default_controls(default_controls or {})
        self._server: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        if self._server is not None:
            return self
        self._server = _HTTPServer((self._host, self._port), self._verbose, self._default_controls)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="provider-emulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def host(self) -> str:
        return str(self._running().socket.getsockname()[0])

    @property
    def port(self) -> int:
        return int(self._running().socket.getsockname()[1])

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def openai_base_url(self) -> str:
        return self.base_url + "/openai/v1"

    @property
    def anthropic_base_url(self) -> str:
        """Host and prefix only: every Anthropic SDK adds `/v1/messages` itself."""
        return self.base_url + "/anthropic"

    @property
    def cohere_base_url(self) -> str:
        """For cohere >= 5.8, whose paths start with `v1/` or `v2/`."""
        return self.base_url + "/cohere"

    @property
    def cohere_v1_base_url(self) -> str:
        """For cohere < 5.8, whose base URL ends in `/v1` and whose paths are relative."""
        return self.cohere_base_url + "/v1"

    @property
    def groq_base_url(self) -> str:
        """`Groq(base_url=...)` or GROQ_BASE_URL: the SDK adds `/openai/v1` itself."""
        return self.base_url + "/groq"

    @property
    def mistral_server_url(self) -> str:
        """`Mistral(server_url=...)` (1.x to 3.x): the SDK adds `/v1/...` itself."""
        return self.base_url + "/mistral"

    @property
    def ai21_api_host(self) -> str:
        """`AI21Client(api_host=...)` or AI21_API_HOST up to ai21 2.5.0, which adds `/studio/v1`."""
        return self.base_url + "/ai21"

    @property
    def ai21_base_url(self) -> str:
        """`api_host=` or AI21_API_HOST from ai21 2.5.1 on, which takes the full URL."""
        return self.ai21_api_host + "/studio/v1"

    @property
    def ollama_host(self) -> str:
        """`Client(host=...)` or OLLAMA_HOST (`base_url=` up to ollama 0.1.2); the SDK adds
        `/api/...` itself."""
        return self.base_url + "/ollama"

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of the requests received so far, oldest first."""
        server = self._running()
        with server.lock:
            return list(server.recorded)

    def clear_requests(self) -> None:
        server = self._running()
        with server.lock:
            server.recorded.clear()

    def _running(self) -> _HTTPServer:
        if self._server is None:
            raise RuntimeError("EmulatorServer is not running; call start() first")
        return self._server
