"""The conformance suite, for the Ollama package (on dict-era and typed SDKs alike)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import pytest
from conformance.case import ProviderCase
from conformance.suite import *  # noqa: F403 - the suite's tests run here
from ollama_support import dump, make_client
from opentelemetry.instrumentation.agentops.ollama import OllamaInstrumentor


class OllamaCase(ProviderCase):
    provider: ClassVar[str] = "ollama"
    model: ClassVar[str] = "llama3.2:3b"
    scope: ClassVar[str] = "opentelemetry.instrumentation.agentops.ollama"
    api_key: ClassVar[str] = "ollama-conformance-0123456789"
    # Ollama has one exception for every status the server answers with.
    error_types: ClassVar[Mapping[str, str]] = {
        fault: "ollama.ResponseError" for fault in ("http-400", "http-401", "http-429", "http-500")
    }
    # Streams are the SDK's generators: close() (aclose() when async), no ``with``.
    context_manager: ClassVar[bool] = False

    def instrumentor(self) -> Any:
        return OllamaInstrumentor()

    def client(self, asynchronous: bool, api_key: str | None = None) -> Any:
        # Ollama takes a key as a bearer header (what OLLAMA_API_KEY sets).
        client = make_client(
            self.emulator,
            asynchronous=asynchronous,
            headers={"authorization": f"Bearer {api_key or self.api_key}"},
        )
        client._conformance_key = api_key or self.api_key
        return client

    def _with(self, client: Any, headers: Mapping[str, str] | None) -> Any:
        """Ollama has no per-call headers: a client like ``client`` that also sends these."""
        if not headers:
            return client
        return make_client(
            self.emulator,
            asynchronous=type(client).__name__ == "AsyncClient",
            headers={"authorization": f"Bearer {client._conformance_key}", **headers},
        )

    def _messages(self) -> list[dict[str, str]]:
        return [{"role": "user", "content": self.prompt()}]

    def call(self, client: Any, headers: Mapping[str, str] | None = None) -> Any:
        return self._with(client, headers).chat(model=self.model, messages=self._messages())

    def stream(self, client: Any, headers: Mapping[str, str] | None = None) -> Any:
        return self._with(client, headers).chat(
            model=self.model, messages=self._messages(), stream=True
        )

    def text(self, result: Any) -> str:
        return result["message"]["content"]

    def chunk_text(self, chunk: Any) -> str:
        return chunk["message"]["content"]

    def usage(self, result: Any) -> tuple[int, int]:
        return result["prompt_eval_count"], result["eval_count"]

    def dump(self, value: Any) -> Any:
        return dump(value)


@pytest.fixture
def case(emulator, telemetry) -> OllamaCase:
    return OllamaCase(emulator, telemetry)
