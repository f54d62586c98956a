"""The Groq bench target: chat completions through the groq SDK (httpx underneath)."""

from __future__ import annotations

from typing import Any, ClassVar

import groq
import httpx
from opentelemetry.instrumentation.agentops.groq import GroqInstrumentor
from provider_emulator.mock_transport import async_handler, handler

from targets import BenchTarget

MODEL = "llama-3.1-8b-instant"
MESSAGES = [{"role": "user", "content": "Say something short."}]
# The SDK adds /openai/v1; the host is never resolved (the transport is in-process).
BASE_URL = "http://emulator.local/groq"
API_KEY = "gsk-bench-0000000000000000"


class Target(BenchTarget):
    name: ClassVar[str] = "groq"

    def instrumentor(self) -> Any:
        return GroqInstrumentor()

    def sync_client(self) -> groq.Groq:
        transport = httpx.MockTransport(handler(httpx, sleep=False))
        http_client = httpx.Client(transport=transport)
        return groq.Groq(api_key=API_KEY, base_url=BASE_URL, max_retries=0, http_client=http_client)

    def async_client(self) -> groq.AsyncGroq:
        transport = httpx.MockTransport(async_handler(httpx, sleep=False))
        http_client = httpx.AsyncClient(transport=transport)
        return groq.AsyncGroq(
            api_key=API_KEY, base_url=BASE_URL, max_retries=0, http_client=http_client
        )

    def call(self, client: Any) -> None:
        client.chat.completions.create(model=MODEL, messages=MESSAGES)

    async def acall(self, client: Any) -> None:
        await client.chat.completions.create(model=MODEL, messages=MESSAGES)

    def stream(self, client: Any, chunks: int) -> int:
        # Groq streams always end with usage (x_groq), so nothing is asked for or hidden: the
        # caller sees the content chunks plus the role and finish chunks.
        headers = {"x-emulator-chunks": str(chunks)}
        stream = client.chat.completions.create(
            model=MODEL, messages=MESSAGES, stream=True, extra_headers=headers
        )
        return sum(1 for _ in stream)
