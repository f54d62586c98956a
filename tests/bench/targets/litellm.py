"""The LiteLLM bench target: ``litellm.completion`` / ``acompletion`` on its OpenAI route,
plain and streamed, over the OpenAI SDK client LiteLLM is handed (``client=``), whose httpx2
transport is the emulator in process."""

from __future__ import annotations

import os
from typing import Any, ClassVar

# LiteLLM fetches its model price map at import unless told to use its bundled copy.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import httpx2
import litellm
import openai
from opentelemetry.instrumentation.agentops.litellm import LiteLLMInstrumentor
from provider_emulator.mock_transport import async_handler, handler

from targets import BenchTarget

MODEL = "openai/gpt-4o-mini"
MESSAGES = [{"role": "user", "content": "Say something short."}]
BASE_URL = "http://emulator.local/openai/v1"
API_KEY = "sk-bench-0000000000000000"


class Target(BenchTarget):
    name: ClassVar[str] = "litellm"

    def instrumentor(self) -> Any:
        return LiteLLMInstrumentor()

    def sync_client(self) -> dict[str, Any]:
        """LiteLLM has no client of its own: the call's arguments, with the SDK client."""
        transport = httpx2.MockTransport(handler(httpx2, sleep=False))
        client = openai.OpenAI(
            api_key=API_KEY,
            base_url=BASE_URL,
            max_retries=0,
            http_client=httpx2.Client(transport=transport),
        )
        return {"client": client, "api_base": BASE_URL, "api_key": API_KEY}

    def async_client(self) -> dict[str, Any]:
        transport = httpx2.MockTransport(async_handler(httpx2, sleep=False))
        client = openai.AsyncOpenAI(
            api_key=API_KEY,
            base_url=BASE_URL,
            max_retries=0,
            http_client=httpx2.AsyncClient(transport=transport),
        )
        return {"client": client, "api_base": BASE_URL, "api_key": API_KEY}

    def call(self, client: Any) -> None:
        litellm.completion(model=MODEL, messages=MESSAGES, **client)

    async def acall(self, client: Any) -> None:
        await litellm.acompletion(model=MODEL, messages=MESSAGES, **client)

    def stream(self, client: Any, chunks: int) -> int:
        stream = litellm.completion(
            model=MODEL,
            messages=MESSAGES,
            stream=True,
            extra_headers={"x-emulator-chunks": str(chunks)},
            **client,
        )
        return sum(1 for _ in stream)

    def stream_as_sent(self, client: Any, chunks: int) -> int:
        # The instrumentation asks for stream usage (one more chunk, hidden from the caller):
        # this is that request, made without it.
        stream = litellm.completion(
            model=MODEL,
            messages=MESSAGES,
            stream=True,
            stream_options={"include_usage": True},
            extra_headers={"x-emulator-chunks": str(chunks)},
            **client,
        )
        return sum(1 for _ in stream)

    def close(self, client: Any) -> None:
        client["client"].close()

    async def aclose(self, client: Any) -> None:
        await client["client"].close()
