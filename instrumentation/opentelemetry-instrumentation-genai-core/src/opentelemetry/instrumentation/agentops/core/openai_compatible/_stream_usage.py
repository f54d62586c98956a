"""Asking an OpenAI-compatible server for token usage on a stream the caller did not ask it for.

Without ``stream_options: {"include_usage": true}`` such servers send no usage on streams, and
a stream would be neither counted nor priced. So the instrumentation adds it, and the stream's
accumulator hides the extra usage-only chunk it causes (and the ``"usage": null`` the server
then adds to every chunk), so the caller iterates exactly what it would uninstrumented.

The request is left exactly as the caller made it when: the call is not a stream; the caller
set ``include_usage`` either way, or passes ``stream_options`` in ``extra_body``; the caller
reads the raw HTTP response (``with_raw_response`` / ``with_streaming_response``, whose bytes
must not change); ``AGENTOPS_STREAM_USAGE=false``; or this server refused the option before.

A server or gateway that rejects the option (HTTP 400 or 422) gets the call again exactly as
the caller made it; the caller receives that result, the server is remembered (per base URL)
and not asked again, and a debug line says so.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from agentops_semconv import AGENTOPS_STREAM_USAGE_REQUESTED
from opentelemetry.instrumentation.agentops.core._mapper import Alteration, Call
from opentelemetry.instrumentation.agentops.core._records import Request
from opentelemetry.instrumentation.agentops.core.openai_compatible._stainless import is_raw_call

__all__ = ["ChatState", "StreamUsageRequest"]

_logger = logging.getLogger("opentelemetry.instrumentation.agentops.core")
_REJECTED_STATUS: Final = frozenset({400, 422})


@dataclass(slots=True)
class ChatState:
    """What a chat mapper carries from the request to its stream."""

    usage_requested: bool = False
    """The instrumentation asked for stream usage: hide the chunk it causes."""


class StreamUsageRequest:
    """Adds ``stream_options.include_usage`` to streamed calls; remembers servers refusing it."""

    def __init__(self, *, extra_body: bool = True) -> None:
        """``extra_body``: send the option through ``extra_body`` when the caller gave no
        ``stream_options`` (Stainless SDKs before openai 1.26 have no such argument); False
        for libraries that take ``stream_options`` and send it on themselves (LiteLLM, whose
        ``extra_body`` would reach providers that do not speak OpenAI's format)."""
        self._extra_body = extra_body
        self._refused: set[str] = set()
        self._lock = threading.Lock()

    def prepare(
        self, call: Call, request: Request[ChatState], base_url: str | None
    ) -> Alteration | None:
        if not request.stream or not call.settings.stream_usage:
            return None
        kwargs = call.kwargs
        if is_raw_call(kwargs) or (base_url is not None and base_url in self._refused):
            return None
        options = kwargs.get("stream_options")
        extra_body = kwargs.get("extra_body")
        if isinstance(extra_body, dict) and "stream_options" in extra_body:
            return None  # the caller speaks to the server directly; leave it alone
        if isinstance(options, dict):
            if "include_usage" in options:
                return None  # the caller decided, either way
            kwargs["stream_options"] = {**options, "include_usage": True}
        elif not self._extra_body:
            kwargs["stream_options"] = {"include_usage": True}
        else:
            # Not given (None or the SDK's sentinel). Sent through extra_body rather than
            # stream_options because SDKs before openai 1.26 have no such argument.
            kwargs["extra_body"] = {
                **(extra_body if isinstance(extra_body, dict) else {}),
                "stream_options": {"include_usage": True},
            }
        state = request.state if request.state is not None else ChatState()
        state.usage_requested = True
        request.state = state
        request.attributes[AGENTOPS_STREAM_USAGE_REQUESTED] = True
        return Alteration(rejected_by=_refusal, on_rejected=self._remember(request, base_url))

    def _remember(self, request: Request[ChatState], base_url: str | None) -> Callable[[], None]:
        def on_rejected() -> None:
            if request.state is not None:
                request.state.usage_requested = False
            request.attributes[AGENTOPS_STREAM_USAGE_REQUESTED] = False
            if base_url is not None:
                with self._lock:
                    self._refused.add(base_url)
            _logger.debug(
                "%s refused stream_options.include_usage; its streams are sent as the caller "
                "makes them from now on (no token usage unless the caller asks for it).",
                base_url or "The server",
            )

        return on_rejected


def _refusal(error: BaseException) -> bool:
    """An HTTP 400 or 422 from the server: it may have refused the added option. The retry
    without it tells: if that fails too, the caller gets the retry's error, as uninstrumented."""
    status = getattr(error, "status_code", None)
    if status is None:
        status = getattr(getattr(error, "response", None), "status_code", None)
    return status in _REJECTED_STATUS
