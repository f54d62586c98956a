"""The conformance suite, for the Anthropic package (``messages.create``, plain and streamed)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import anthropic
import pytest
from conformance.case import ProviderCase
from conformance.suite import *  # noqa: F403 - the suite's tests run here
from opentelemetry.instrumentation.agentops.anthropic import AnthropicInstrumentor


class AnthropicCase(ProviderCase):
    provider: ClassVar[str] = "anthropic"
    model: ClassVar[str] = "claude-haiku-4-5"
    scope: ClassVar[str] = "opentelemetry.instrumentation.agentops.anthropic"
    api_key: ClassVar[str] = "sk-ant-conformance-0123456789"
    error_types: ClassVar[Mapping[str, str]] = {
        "http-400": "anthropic.BadRequestError",
        "http-401": "anthropic.AuthenticationError",
        "http-429": "anthropic.RateLimitError",
        "http-500": "anthropic.InternalServerError",
    }

    def instrumentor(self) -> Any:
        return AnthropicInstrumentor()

    def client(self, asynchronous: bool, api_key: str | None = None) -> Any:
        kind = anthropic.AsyncAnthropic if asynchronous else anthropic.Anthropic
        return kind(
            api_key=api_key or self.api_key,
            base_url=self.emulator.anthropic_base_url,
            max_retries=0,
        )

    def _arguments(self, headers: Mapping[str, str] | None) -> dict[str, Any]:
        return {
            "model": self.model,
            "max_tokens": 200,
            "messages": [{"role": "user", "content": self.prompt()}],
            "extra_headers": dict(headers or {}),
        }

    def call(self, client: Any, headers: Mapping[str, str] | None = None) -> Any:
        return client.messages.create(**self._arguments(headers))

    def stream(self, client: Any, headers: Mapping[str, str] | None = None) -> Any:
        return client.messages.create(stream=True, **self._arguments(headers))

    def text(self, result: Any) -> str:
        return "".join(block.text for block in result.content if block.type == "text")

    def chunk_text(self, chunk: Any) -> str:
        if chunk.type == "content_block_delta" and chunk.delta.type == "text_delta":
            return chunk.delta.text
        return ""

    def usage(self, result: Any) -> tuple[int, int]:
        usage = result.usage
        cached = (getattr(usage, "cache_read_input_tokens", None) or 0) + (
            getattr(usage, "cache_creation_input_tokens", None) or 0
        )
        return usage.input_tokens + cached, usage.output_tokens

    def dump(self, value: Any) -> Any:
        return value.model_dump()


@pytest.fixture
def case(emulator, telemetry) -> AnthropicCase:
    return AnthropicCase(emulator, telemetry)
