"""The Anthropic bench target: ``messages.create``, plain and streamed.

The stream is ``create(stream=True)``: ``chunks`` text deltas framed by six events
(``message_start``, ``content_block_start``, ``content_block_stop``, ``message_delta``,
``message_stop``; the SDK drops the ``ping``), every one of them through the instrumentation.
``stream_helper`` reads the same reply through ``messages.stream()`` and ``text_stream``, whose
SDK stream also yields a derived ``text`` event per delta (about twice the events).
"""

from __future__ import annotations

import importlib
from typing import Any, ClassVar

import anthropic
from opentelemetry.instrumentation.agentops.anthropic import AnthropicInstrumentor
from provider_emulator.mock_transport import async_handler, handler

from targets import BenchTarget

MODEL = "claude-haiku-4-5"
MESSAGES = [{"role": "user", "content": "Say something short."}]
MAX_TOKENS = 1024
BASE_URL = "http://emulator.local/anthropic"
API_KEY = "sk-ant-bench-0000000000000000"
# anthropic >= 1.0 is built on httpx2, older releases on httpx.
_http: Any = importlib.import_module(
    "httpx2" if hasattr(importlib.import_module("anthropic._base_client"), "httpx2") else "httpx"
)


def _options(**options: Any) -> dict[str, Any]:
    return {"api_key": API_KEY, "base_url": BASE_URL, "max_retries": 0, **options}


def _headers(chunks: int) -> dict[str, str]:
    return {"x-emulator-chunks": str(chunks)}


class Target(BenchTarget):
    name: ClassVar[str] = "anthropic"

    def instrumentor(self) -> Any:
        return AnthropicInstrumentor()

    def sync_client(self) -> anthropic.Anthropic:
        transport = _http.MockTransport(handler(_http, sleep=False))
        return anthropic.Anthropic(**_options(http_client=_http.Client(transport=transport)))

    def async_client(self) -> anthropic.AsyncAnthropic:
        transport = _http.MockTransport(async_handler(_http, sleep=False))
        return anthropic.AsyncAnthropic(
            **_options(http_client=_http.AsyncClient(transport=transport))
        )

    def call(self, client: Any) -> None:
        client.messages.create(model=MODEL, max_tokens=MAX_TOKENS, messages=MESSAGES)

    async def acall(self, client: Any) -> None:
        await client.messages.create(model=MODEL, max_tokens=MAX_TOKENS, messages=MESSAGES)

    def stream(self, client: Any, chunks: int) -> int:
        stream = client.messages.create(
            model=MODEL,
            max_tokens=MAX_TOKENS,
            messages=MESSAGES,
            stream=True,
            extra_headers=_headers(chunks),
        )
        return sum(1 for _ in stream)

    def stream_helper(self, client: Any, chunks: int) -> int:
        """The same reply through ``messages.stream()``; returns the text pieces read."""
        with client.messages.stream(
            model=MODEL, max_tokens=MAX_TOKENS, messages=MESSAGES, extra_headers=_headers(chunks)
        ) as stream:
            return sum(1 for _ in stream.text_stream)
