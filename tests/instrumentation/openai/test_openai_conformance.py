"""The conformance suite, for the OpenAI package."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import openai
import pytest
from conformance.case import OpenAIShapedResults, ProviderCase
from conformance.suite import *  # noqa: F403 - the suite's tests run here
from opentelemetry.instrumentation.agentops.openai import OpenAIInstrumentor


class OpenAICase(OpenAIShapedResults, ProviderCase):
    provider: ClassVar[str] = "openai"
    model: ClassVar[str] = "gpt-4o-mini"
    scope: ClassVar[str] = "opentelemetry.instrumentation.agentops.openai"
    api_key: ClassVar[str] = "sk-conformance-0123456789"
    error_types: ClassVar[Mapping[str, str]] = {
        "http-400": "openai.BadRequestError",
        "http-401": "openai.AuthenticationError",
        "http-429": "openai.RateLimitError",
        "http-500": "openai.InternalServerError",
    }
    closable: ClassVar[bool] = hasattr(openai.Stream, "close")
    context_manager: ClassVar[bool] = hasattr(openai.Stream, "__enter__")

    def instrumentor(self) -> Any:
        return OpenAIInstrumentor()

    def client(self, asynchronous: bool, api_key: str | None = None) -> Any:
        kind = openai.AsyncOpenAI if asynchronous else openai.OpenAI
        return kind(
            api_key=api_key or self.api_key,
            base_url=self.emulator.openai_base_url,
            max_retries=0,
        )

    def _messages(self) -> list[dict[str, str]]:
        return [{"role": "user", "content": self.prompt()}]

    def call(self, client: Any, headers: Mapping[str, str] | None = None) -> Any:
        return client.chat.completions.create(
            model=self.model, messages=self._messages(), extra_headers=dict(headers or {})
        )

    def stream(self, client: Any, headers: Mapping[str, str] | None = None) -> Any:
        return client.chat.completions.create(
            model=self.model,
            messages=self._messages(),
            stream=True,
            extra_headers=dict(headers or {}),
        )

    def dump(self, value: Any) -> Any:
        data = value.model_dump()
        data.pop("id", None)  # derived from the request body, which differs when usage is asked
        return data


@pytest.fixture
def case(emulator, telemetry) -> OpenAICase:
    return OpenAICase(emulator, telemetry)
