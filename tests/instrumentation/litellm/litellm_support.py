"""LiteLLM's routes to the emulator and helpers the LiteLLM tests share."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import litellm
import pytest

API_KEY = "sk-litellm-test-0123456789"

ASYNC_LOOP = pytest.mark.asyncio(loop_scope="session")
"""Async LiteLLM tests share one event loop: LiteLLM keeps async HTTP clients across calls
(at import, and cached per provider), which a closed loop would leave unusable."""


@dataclass(frozen=True)
class Route:
    """A LiteLLM model string, the base URL it is sent to, and what our spans call it."""

    model: str
    provider: str
    """``gen_ai.provider.name``."""
    provider_model: str
    """The model as the provider is sent it (LiteLLM's prefix removed)."""
    base: Callable[[Any], str]
    api_base: str = ""
    port: int = 0

    def at(self, emulator: Any) -> Route:
        return replace(self, api_base=self.base(emulator), port=emulator.port)

    def kwargs(self, **extra: Any) -> dict[str, Any]:
        """Arguments of a call on this route: no retries, so a fault is seen once."""
        return {
            "model": self.model,
            "api_base": self.api_base,
            "api_key": API_KEY,
            "num_retries": 0,
            "max_retries": 0,
            **extra,
        }

    def start(self, operation: str = "chat") -> dict[str, Any]:
        """The span's start attributes."""
        return {
            "gen_ai.operation.name": operation,
            "gen_ai.provider.name": self.provider,
            "gen_ai.request.model": self.provider_model,
            "server.address": "127.0.0.1",
            "server.port": self.port,
        }


# Model names LiteLLM counts tokens of with tiktoken, which it bundles: for Llama models it
# loads a Hugging Face tokenizer, from the network (to estimate a stream's usage for its logs).
ROUTES = {
    "openai": Route("openai/gpt-4o-mini", "openai", "gpt-4o-mini", lambda e: e.openai_base_url),
    "anthropic": Route(
        "anthropic/claude-3-5-haiku-20241022",
        "anthropic",
        "claude-3-5-haiku-20241022",
        lambda e: e.anthropic_base_url,
    ),
    "groq": Route(
        "groq/gemma2-9b-it",
        "groq",
        "gemma2-9b-it",
        lambda e: e.groq_base_url + "/openai/v1",
    ),
    "ollama": Route("ollama_chat/qwen2.5", "ollama", "qwen2.5", lambda e: e.ollama_host),
}

MESSAGES = [{"role": "user", "content": "tell the litellm tests a short story"}]


async def complete(asynchronous: bool, **kwargs: Any) -> Any:
    """``litellm.completion`` or ``await litellm.acompletion``."""
    if asynchronous:
        return await litellm.acompletion(messages=MESSAGES, **kwargs)
    return litellm.completion(messages=MESSAGES, **kwargs)


async def read(stream: Any, asynchronous: bool) -> list[Any]:
    """Every chunk, with ``async for`` or ``for`` (LiteLLM's wrapper offers both)."""
    if asynchronous:
        return [chunk async for chunk in stream]
    return list(stream)


async def resolve(value: Any) -> Any:
    return (await value) if inspect.isawaitable(value) else value


def dump(value: Any) -> Any:
    """A result or chunk without what varies between two identical calls."""
    data = value.model_dump()
    for key in ("id", "created"):
        data.pop(key, None)
    return data


def usage(result: Any) -> tuple[int, int]:
    return result.usage.prompt_tokens, result.usage.completion_tokens


def points(telemetry: Any, name: str) -> list[Any]:
    return telemetry.metrics().get(name, [])


def token_points(telemetry: Any) -> dict[str, float]:
    return {
        p.attributes["gen_ai.token.type"]: p.sum
        for p in points(telemetry, "gen_ai.client.token.usage")
    }
