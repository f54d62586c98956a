"""The Mistral bench target: chat.complete, complete_async and a consumed chat.stream."""

from __future__ import annotations

import importlib
import inspect
from typing import Any, ClassVar

from opentelemetry.instrumentation.agentops.mistral import MistralInstrumentor
from provider_emulator.mock_transport import async_handler, handler

from targets import BenchTarget

try:  # mistralai >= 2.0
    from mistralai.client import Mistral
except ImportError:  # 1.x
    from mistralai import Mistral

MODEL = "mistral-small-latest"
MESSAGES = [{"role": "user", "content": "Say something short."}]
SERVER_URL = "http://emulator.local/mistral"
API_KEY = "mistral-bench-0000000000000000"


def _http_module() -> Any:
    """httpx2 from mistralai 3.0, httpx before: whichever the SDK builds its clients with."""
    probe = Mistral(api_key=API_KEY)
    return importlib.import_module(type(probe.sdk_configuration.client).__module__.split(".")[0])


class Target(BenchTarget):
    name: ClassVar[str] = "mistral"

    def __init__(self) -> None:
        self.http = _http_module()
        # 1.0.x takes no per-call headers: its stream gets a client that sends them.
        self.per_call_headers = (
            "http_headers" in inspect.signature(Mistral(api_key=API_KEY).chat.stream).parameters
        )

    def instrumentor(self) -> Any:
        return MistralInstrumentor()

    def _client(self, headers: dict[str, str] | None = None) -> Any:
        http = self.http
        return Mistral(
            api_key=API_KEY,
            server_url=SERVER_URL,
            client=http.Client(
                transport=http.MockTransport(handler(http, sleep=False)), headers=headers
            ),
            async_client=http.AsyncClient(
                transport=http.MockTransport(async_handler(http, sleep=False)), headers=headers
            ),
        )

    def sync_client(self) -> Any:
        return self._client()

    def async_client(self) -> Any:
        return self._client()

    def call(self, client: Any) -> None:
        client.chat.complete(model=MODEL, messages=MESSAGES)

    async def acall(self, client: Any) -> None:
        await client.chat.complete_async(model=MODEL, messages=MESSAGES)

    def stream(self, client: Any, chunks: int) -> int:
        headers = {"x-emulator-chunks": str(chunks)}
        if self.per_call_headers:
            events = client.chat.stream(model=MODEL, messages=MESSAGES, http_headers=headers)
        else:
            events = self._client(headers).chat.stream(model=MODEL, messages=MESSAGES)
        return sum(1 for _ in events)

    def close(self, client: Any) -> None:
        client.sdk_configuration.client.close()  # the async client has no sync close
