"""Adapters for an httpx-style `MockTransport`, to call `handle` in-process without sockets.

The HTTP library is passed in (`httpx` or `httpx2`), so the emulator keeps no dependency on it.
Latency and per-chunk delays are honoured unless `sleep` is false. A `stream-cut` fault ends the
body early but cleanly, since a mock transport has no connection to drop.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from types import ModuleType
from typing import Any

from .core import handle
from .wire import EmulatedRequest, EmulatedResponse, Headers


def _emulate(request: Any) -> EmulatedResponse:
    return handle(
        EmulatedRequest(
            method=request.method,
            path=request.url.raw_path.decode(),
            headers=Headers(request.headers.items()),
            body=request.content,
        )
    )


def handler(http: ModuleType, *, sleep: bool = True) -> Callable[[Any], Any]:
    """For a sync client: `Client(transport=MockTransport(handler(http)))`."""

    def respond(request: Any) -> Any:
        emulated = _emulate(request)
        if sleep and emulated.delay_s > 0:
            time.sleep(emulated.delay_s)
        content: Any = emulated.iter_bytes(sleep=sleep) if emulated.is_stream else emulated.read()
        return http.Response(emulated.status, headers=emulated.headers, content=content)

    return respond


def async_handler(http: ModuleType, *, sleep: bool = True) -> Callable[[Any], Awaitable[Any]]:
    """For an async client: `AsyncClient(transport=MockTransport(async_handler(http)))`."""

    async def respond(request: Any) -> Any:
        emulated = _emulate(request)
        if sleep and emulated.delay_s > 0:
            await asyncio.sleep(emulated.delay_s)
        if not emulated.is_stream:
            return http.Response(emulated.status, headers=emulated.headers, content=emulated.read())

        async def chunks() -> AsyncIterator[bytes]:
            for chunk in emulated.chunks:
                if sleep and chunk.delay_s > 0:
                    await asyncio.sleep(chunk.delay_s)
                yield chunk.data

        return http.Response(emulated.status, headers=emulated.headers, content=chunks())

    return respond
