"""Local, deterministic emulator of LLM provider HTTP APIs, for tests and demos.

`handle` answers one request in-process; `EmulatorServer` serves it over HTTP on 127.0.0.1.
"""

from __future__ import annotations

from ._version import __version__
from .core import handle
from .server import EmulatorServer, RecordedRequest
from .wire import Chunk, EmulatedRequest, EmulatedResponse, Headers

__all__ = [
    "Chunk",
    "EmulatedRequest",
    "EmulatedResponse",
    "EmulatorServer",
    "Headers",
    "RecordedRequest",
    "__version__",
    "handle",
]
