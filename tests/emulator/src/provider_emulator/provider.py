"""The contract between `core.handle` and one provider module."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .controls import Controls
from .wire import EmulatedRequest, EmulatedResponse

# (request, path below the provider prefix, parsed control headers) -> response
RouteFn = Callable[[EmulatedRequest, str, Controls], EmulatedResponse]
# (request, HTTP status, message or None for the provider's usual one) -> error response
ErrorFn = Callable[[EmulatedRequest, int, str | None], EmulatedResponse]


@dataclass(frozen=True)
class Provider:
    """A provider served under `prefix` (for example `/openai`).

    `error` must build the provider's own error body shape; the core uses it for injected
    `http-*` faults, bad control headers and emulator crashes. A provider's mid-stream error is
    not here but on each stream it builds (`EmulatedResponse.error_event`, which `sse_response`
    and `ndjson_response` require), since one provider may stream in several formats.
    """

    name: str
    prefix: str
    route: RouteFn
    error: ErrorFn
