"""The AI21 bench target: Jamba chat completions over an in-process httpx transport."""

from __future__ import annotations

from typing import Any, ClassVar

import httpx
from ai21 import AI21Client, AsyncAI21Client
from ai21.models.chat import ChatMessage
from opentelemetry.instrumentation.agentops.ai21 import AI21Instrumentor
from provider_emulator.mock_transport import async_handler, handler

from targets import BenchTarget

MODEL = "jamba-mini"
MESSAGES = [ChatMessage(role="user", content="Say something short.")]
BASE_URL = "http://emulator.local/ai21/studio/v1"
API_KEY = "ai21-bench-0000000000000000"


class Target(BenchTarget):
    name: ClassVar[str] = "ai21"

    def __init__(self) -> None:
        # AI21 takes control headers on the client only (create() sends unknown keywords in
        # the body): one streaming client per chunk count, made once, outside the timings.
        self._streaming: dict[int, AI21Client] = {}
        # AI21 clients have no close(): the httpx clients they were given are closed instead.
        self._http: dict[int, httpx.Client] = {}

    def _sync_client(self, headers: dict[str, str] | None = None) -> AI21Client:
        http = httpx.Client(transport=httpx.MockTransport(handler(httpx, sleep=False)))
        client = AI21Client(api_key=API_KEY, api_host=BASE_URL, headers=headers, http_client=http)
        self._http[id(client)] = http
        return client

    def instrumentor(self) -> Any:
        return AI21Instrumentor()

    def sync_client(self) -> AI21Client:
        return self._sync_client()

    def async_client(self) -> AsyncAI21Client:
        transport = httpx.MockTransport(async_handler(httpx, sleep=False))
        return AsyncAI21Client(
            api_key=API_KEY,
            api_host=BASE_URL,
            http_client=httpx.AsyncClient(transport=transport),
        )

    def call(self, client: Any) -> None:
        client.chat.completions.create(model=MODEL, messages=MESSAGES)

    async def acall(self, client: Any) -> None:
        await client.chat.completions.create(model=MODEL, messages=MESSAGES)

    def stream(self, client: Any, chunks: int) -> int:
        streaming = self._streaming.get(chunks)
        if streaming is None:
            headers = {"x-emulator-chunks": str(chunks)}
            streaming = self._streaming[chunks] = self._sync_client(headers)
        stream = streaming.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True)
        return sum(1 for _ in stream)

    def close(self, client: Any) -> None:
        http = self._http.pop(id(client), None)
        if http is not None:
            http.close()
