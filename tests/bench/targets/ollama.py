"""The Ollama bench target: ``Client.chat`` plain and streamed, sync and async, over httpx
(the emulator behind a MockTransport, the SDK's ``transport=`` passed through to httpx)."""

from __future__ import annotations

import inspect
from typing import Any, ClassVar

import httpx
import ollama
from opentelemetry.instrumentation.agentops.ollama import OllamaInstrumentor
from provider_emulator.mock_transport import async_handler, handler

from targets import BenchTarget

MODEL = "llama3.2:3b"
MESSAGES = [{"role": "user", "content": "Say something short."}]
HOST = "http://emulator.local/ollama"
# ollama up to 0.1.2 names its host argument base_url.
_HOST_ARGUMENT = (
    "host" if "host" in inspect.signature(ollama.Client.__init__).parameters else "base_url"
)


class Target(BenchTarget):
    name: ClassVar[str] = "ollama"

    def __init__(self) -> None:
        self._streaming: dict[int, ollama.Client] = {}

    def instrumentor(self) -> Any:
        return OllamaInstrumentor()

    def sync_client(self, headers: dict[str, str] | None = None) -> ollama.Client:
        transport = httpx.MockTransport(handler(httpx, sleep=False))
        return ollama.Client(**{_HOST_ARGUMENT: HOST}, transport=transport, headers=headers or {})

    def async_client(self) -> ollama.AsyncClient:
        transport = httpx.MockTransport(async_handler(httpx, sleep=False))
        return ollama.AsyncClient(**{_HOST_ARGUMENT: HOST}, transport=transport)

    def call(self, client: Any) -> None:
        client.chat(model=MODEL, messages=MESSAGES)

    async def acall(self, client: Any) -> None:
        await client.chat(model=MODEL, messages=MESSAGES)

    def stream(self, client: Any, chunks: int) -> int:
        # Ollama has no per-call headers: each chunk count has a client of its own, made once.
        streaming = self._streaming.get(chunks)
        if streaming is None:
            headers = {"x-emulator-chunks": str(chunks)}
            streaming = self._streaming[chunks] = self.sync_client(headers)
        return sum(1 for _ in streaming.chat(model=MODEL, messages=MESSAGES, stream=True))

    def close(self, client: Any) -> None:
        # Client.close() is new in ollama 0.4 (AsyncClient's is a coroutine: left to exit).
        for sync in (client, *self._streaming.values()):
            if isinstance(sync, ollama.Client) and hasattr(sync, "close"):
                sync.close()
