"""The conformance suite, for the Groq package."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import groq
import pytest
from conformance.case import ProviderCase
from conformance.suite import *  # noqa: F403 - the suite's tests run here
from opentelemetry.instrumentation.agentops.groq import GroqInstrumentor


class GroqCase(ProviderCase):
    provider: ClassVar[str] = "groq"
    model: ClassVar[str] = "llama-3.1-8b-instant"
    scope: ClassVar[str] = "opentelemetry.instrumentation.agentops.groq"
    api_key: ClassVar[str] = "gsk-conformance-0123456789"
    error_types: ClassVar[Mapping[str, str]] = {
        "http-400": "groq.BadRequestError",
        "http-401": "groq.AuthenticationError",
        "http-429": "groq.RateLimitError",
        "http-500": "groq.InternalServerError",
    }

    def instrumentor(self) -> Any:
        return GroqInstrumentor()

    def client(self, asynchronous: bool, api_key: str | None = None) -> Any:
        kind = groq.AsyncGroq if asynchronous else groq.Groq
        return kind(
            api_key=api_key or self.api_key, base_url=self.emulator.groq_base_url, max_retries=0
        )

    def _create(self, client: Any, headers: Mapping[str, str] | None, **kwargs: Any) -> Any:
        return client.chat.completions.create(
            model=self.model,
            messages=[{"role": "user", "content": self.prompt()}],
            extra_headers=dict(headers or {}),
            **kwargs,
        )

    def call(self, client: Any, headers: Mapping[str, str] | None = None) -> Any:
        return self._create(client, headers)

    def stream(self, client: Any, headers: Mapping[str, str] | None = None) -> Any:
        return self._create(client, headers, stream=True)

    def text(self, result: Any) -> str:
        return result.choices[0].message.content

    def chunk_text(self, chunk: Any) -> str:
        return "".join(choice.delta.content or "" for choice in chunk.choices)

    def usage(self, result: Any) -> tuple[int, int]:
        return result.usage.prompt_tokens, result.usage.completion_tokens

    def dump(self, value: Any) -> Any:
        # Nothing dropped: the request goes out unaltered, so even the ids (hashes of the
        # request body) are the uninstrumented run's.
        return value.model_dump()


@pytest.fixture
def case(emulator, telemetry) -> GroqCase:
    return GroqCase(emulator, telemetry)
