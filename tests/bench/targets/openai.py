"""The OpenAI bench target."""

from __future__ import annotations

from typing import Any, ClassVar

import httpx2
import openai
from opentelemetry.instrumentation.agentops.openai import OpenAIInstrumentor
from provider_emulator.mock_transport import async_handler, handler

from targets import BenchTarget

MODEL = "gpt-4o-mini"
MESSAGES = [{"role": "user", "content": "Say something short."}]
BASE_URL = "http://emulator.local/openai/v1"
API_KEY = "sk-bench-0000000000000000"


class Target(BenchTarget):
    name: ClassVar[str] = "openai"

    def instrumentor(self) -> Any:
        return OpenAIInstrumentor()

    def sync_client(self) -> openai.OpenAI:
        transport = httpx2.MockTransport(handler(httpx2, sleep=False))
        return openai.OpenAI(
            api_key=API_KEY,
            base_url=BASE_URL,
            max_retries=0,
            http_client=httpx2.Client(transport=transport),
        )

    def async_client(self) -> openai.AsyncOpenAI:
        transport = httpx2.MockTransport(async_handler(httpx2, sleep=False))
        return openai.AsyncOpenAI(
            api_key=API_KEY,
            base_url=BASE_URL,
            max_retries=0,
            http_client=httpx2.AsyncClient(transport=transport),
        )

    def call(self, client: Any) -> None:
        client.chat.completions.create(model=MODEL, messages=MESSAGES)

    async def acall(self, client: Any) -> None:
        await client.chat.completions.create(model=MODEL, messages=MESSAGES)

    def stream(self, client: Any, chunks: int) -> int:
        stream = client.chat.completions.create(
            model=MODEL,
            messages=MESSAGES,
            stream=True,
            extra_headers={"x-emulator-chunks": str(chunks)},
        )
        return sum(1 for _ in stream)

    def stream_as_sent(self, client: Any, chunks: int) -> int:
        # The instrumentation asks for usage on streams whose caller did not (one more chunk,
        # which it hides from the caller); this is that request, made without it.
        stream = client.chat.completions.create(
            model=MODEL,
            messages=MESSAGES,
            stream=True,
            extra_headers={"x-emulator-chunks": str(chunks)},
            extra_body={"stream_options": {"include_usage": True}},
        )
        return sum(1 for _ in stream)
