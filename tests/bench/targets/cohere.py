"""The Cohere bench target: v2 chat (``ClientV2`` / ``AsyncClientV2``), plain and streamed
(SSE events: ``message-start``, ``content-start``, one ``content-delta`` per chunk,
``content-end``, ``message-end`` with the usage)."""

from __future__ import annotations

from typing import Any, ClassVar

import cohere
import httpx
from opentelemetry.instrumentation.agentops.cohere import CohereInstrumentor
from provider_emulator.mock_transport import async_handler, handler

from targets import BenchTarget

MODEL = "command-a-03-2025"
MESSAGES = [{"role": "user", "content": "Say something short."}]
BASE_URL = "http://emulator.local/cohere"
API_KEY = "co-bench-0000000000000000"
# No retries, as the other targets: an emulator fault would be measured once.
OPTIONS: dict[str, Any] = {"max_retries": 0}


class Target(BenchTarget):
    name: ClassVar[str] = "cohere"

    def instrumentor(self) -> Any:
        return CohereInstrumentor()

    def __init__(self) -> None:
        # Cohere clients have no close(); the httpx clients given to them do.
        self._http: dict[int, httpx.Client] = {}

    def sync_client(self) -> cohere.ClientV2:
        http = httpx.Client(transport=httpx.MockTransport(handler(httpx, sleep=False)))
        client = cohere.ClientV2(api_key=API_KEY, base_url=BASE_URL, httpx_client=http)
        self._http[id(client)] = http
        return client

    def async_client(self) -> cohere.AsyncClientV2:
        transport = httpx.MockTransport(async_handler(httpx, sleep=False))
        return cohere.AsyncClientV2(
            api_key=API_KEY,
            base_url=BASE_URL,
            httpx_client=httpx.AsyncClient(transport=transport),
        )

    def call(self, client: Any) -> None:
        client.chat(model=MODEL, messages=MESSAGES, request_options=OPTIONS)

    async def acall(self, client: Any) -> None:
        await client.chat(model=MODEL, messages=MESSAGES, request_options=OPTIONS)

    def stream(self, client: Any, chunks: int) -> int:
        events = client.chat_stream(
            model=MODEL,
            messages=MESSAGES,
            request_options={**OPTIONS, "additional_headers": {"x-emulator-chunks": str(chunks)}},
        )
        return sum(1 for _ in events)

    def close(self, client: Any) -> None:
        http = self._http.pop(id(client), None)
        if http is not None:
            http.close()
