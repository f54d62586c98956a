"""The conformance suite, for the LiteLLM package (its OpenAI route to the emulator).

The suite reads a stream with ``async for`` whenever it has ``__aiter__``; LiteLLM's wrapper
always has it, and on the OpenAI route it serves it for streams made by ``completion`` too.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import metadata
from typing import Any, ClassVar

import litellm
import pytest
from conformance.case import OpenAIShapedCase
from conformance.suite import *  # noqa: F403 - the suite's tests run here
from litellm_support import ASYNC_LOOP, ROUTES, dump
from opentelemetry.instrumentation.agentops.litellm import LiteLLMInstrumentor
from opentelemetry.instrumentation.agentops.litellm._compat import stream_usage_hidden

_STREAM = litellm.CustomStreamWrapper
NEWER_THAN_FLOOR = tuple(int(p) for p in metadata.version("litellm").split(".")[:2]) > (1, 53)
_async_readable: dict[str, bool] = {}


def _sync_streams_read_with_async_for(emulator: Any) -> bool:
    """Whether the installed LiteLLM lets a stream made by ``completion()`` be read with
    ``async for`` (the suite reads any stream with ``__aiter__`` that way); asked once, of
    an uninstrumented stream."""
    if "answer" not in _async_readable:
        stream = litellm.completion(
            model=ROUTES["openai"].model,
            messages=[{"role": "user", "content": "hi"}],
            api_base=emulator.openai_base_url,
            api_key="sk-probe",
            stream=True,
        )

        async def read() -> None:
            async for _ in stream:
                pass

        try:
            asyncio.run(read())
            _async_readable["answer"] = True
        except Exception:
            _async_readable["answer"] = False
    return _async_readable["answer"]


pytestmark = ASYNC_LOOP


@dataclass(frozen=True)
class Client:
    """LiteLLM has no client object: what each call is given."""

    asynchronous: bool
    api_key: str
    api_base: str


class LiteLLMCase(OpenAIShapedCase):
    """LiteLLM's results and chunks have OpenAI's shape; its calls are module functions."""

    provider: ClassVar[str] = "openai"
    model: ClassVar[str] = "gpt-4o-mini"
    scope: ClassVar[str] = "opentelemetry.instrumentation.agentops.litellm"
    api_key: ClassVar[str] = "sk-conformance-0123456789"
    error_types: ClassVar[Mapping[str, str]] = {
        # LiteLLM reads the emulator's 400 message as a context window overflow.
        "http-400": "litellm.ContextWindowExceededError",
        "http-401": "litellm.AuthenticationError",
        "http-429": "litellm.RateLimitError",
        # The floor release (1.53) raises its generic APIError for an HTTP 500.
        "http-500": "litellm.InternalServerError" if NEWER_THAN_FLOOR else "litellm.APIError",
    }
    closable: ClassVar[bool] = hasattr(_STREAM, "close") or hasattr(_STREAM, "aclose")
    context_manager: ClassVar[bool] = hasattr(_STREAM, "__enter__")

    def instrumentor(self) -> Any:
        return LiteLLMInstrumentor()

    def client(self, asynchronous: bool, api_key: str | None = None) -> Any:
        return Client(asynchronous, api_key or self.api_key, self.emulator.openai_base_url)

    def _complete(self, client: Client, headers: Mapping[str, str] | None, **kwargs: Any) -> Any:
        call = litellm.acompletion if client.asynchronous else litellm.completion
        return call(
            model=ROUTES["openai"].model,
            messages=[{"role": "user", "content": self.prompt()}],
            api_base=client.api_base,
            api_key=client.api_key,
            extra_headers=dict(headers or {}),
            num_retries=0,
            max_retries=0,
            **kwargs,
        )

    def call(self, client: Any, headers: Mapping[str, str] | None = None) -> Any:
        return self._complete(client, headers)

    def stream(self, client: Any, headers: Mapping[str, str] | None = None) -> Any:
        if not client.asynchronous and not _async_readable.get("answer", True):
            pytest.skip(
                f"litellm {metadata.version('litellm')}: a stream made by completion() "
                "cannot be read with async for, which the suite uses for LiteLLM's wrapper"
            )
        if stream_usage_hidden("openai"):
            return self._complete(client, headers, stream=True)
        # Releases the instrumentation does not ask for stream usage on this route (asking
        # changes their chunks): the caller asks, so the suite's usage checks still apply.
        return self._complete(client, headers, stream=True, stream_options={"include_usage": True})

    def dump(self, value: Any) -> Any:
        return dump(value)


@pytest.fixture
def case(emulator, telemetry) -> Iterator[LiteLLMCase]:
    # LiteLLM 1.53 logs every call's arguments, API key included, at DEBUG: its own log, not
    # this project's telemetry, which the key check reads.
    own_log = logging.getLogger("LiteLLM")
    level = own_log.level
    own_log.setLevel(logging.INFO)
    if "answer" not in _async_readable:
        # In a thread of its own: the probe runs its own event loop.
        probe = threading.Thread(target=_sync_streams_read_with_async_for, args=(emulator,))
        probe.start()
        probe.join()
    yield LiteLLMCase(emulator, telemetry)
    own_log.setLevel(level)
