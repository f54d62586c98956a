"""The conformance suite, for the Mistral package (chat.complete and chat.stream)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest
from conformance.case import ProviderCase
from conformance.suite import *  # noqa: F403 - the suite's tests run here
from mistral_expected import (
    API_KEY,
    MODEL,
    PROVIDER,
    SCOPE,
    STREAMS_ARE_CONTEXT_MANAGERS,
    STREAMS_CLOSE,
    SDKError,
    dump,
    error_type,
    make_client,
    method,
    text_of,
    user,
    with_headers,
)
from opentelemetry.instrumentation.agentops.mistral import MistralInstrumentor


@dataclass(frozen=True)
class Session:
    """A Mistral client has sync and async methods alike: which ones this test uses."""

    client: Any
    asynchronous: bool


class MistralCase(ProviderCase):
    provider: ClassVar[str] = PROVIDER
    model: ClassVar[str] = MODEL
    scope: ClassVar[str] = SCOPE
    api_key: ClassVar[str] = API_KEY
    # Every HTTP error is the SDK's one SDKError; its status tells them apart.
    error_types: ClassVar[Mapping[str, str]] = dict.fromkeys(
        ("http-400", "http-401", "http-429", "http-500"), error_type(SDKError)
    )
    closable: ClassVar[bool] = STREAMS_CLOSE
    context_manager: ClassVar[bool] = STREAMS_ARE_CONTEXT_MANAGERS

    def instrumentor(self) -> Any:
        return MistralInstrumentor()

    def client(self, asynchronous: bool, api_key: str | None = None) -> Session:
        server = self.emulator.mistral_server_url
        return Session(make_client(server, api_key or self.api_key), asynchronous)

    def _run(self, session: Session, name: str, headers: Mapping[str, str] | None) -> Any:
        chat = with_headers(session.client, headers).chat
        return method(chat, name, session.asynchronous)(
            model=self.model, messages=user(self.prompt())
        )

    def call(self, client: Session, headers: Mapping[str, str] | None = None) -> Any:
        return self._run(client, "complete", headers)

    def stream(self, client: Session, headers: Mapping[str, str] | None = None) -> Any:
        return self._run(client, "stream", headers)

    def text(self, result: Any) -> str:
        return result.choices[0].message.content

    def chunk_text(self, chunk: Any) -> str:
        return text_of(chunk)

    def usage(self, result: Any) -> tuple[int, int]:
        return result.usage.prompt_tokens, result.usage.completion_tokens

    def dump(self, value: Any) -> Any:
        return dump(value)


@pytest.fixture
def case(emulator, telemetry) -> MistralCase:
    return MistralCase(emulator, telemetry)
