"""The conformance suite, for the Cohere package: once per client generation (v1 ``Client``,
v2 ``ClientV2``), each sync and async."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import pytest
from cohere_helpers import (
    API_KEY,
    V1_MODEL,
    V1_STREAM_RELEASABLE,
    V2_MODEL,
    V2_STREAM_RELEASABLE,
    chat_error_type,
    count,
    dump,
    make_client,
    options,
)
from conformance.case import ProviderCase
from conformance.suite import *  # noqa: F403 - the suite's tests run here
from opentelemetry.instrumentation.agentops.cohere import CohereInstrumentor

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

_FAULT_STATUSES = {"http-400": 400, "http-401": 401, "http-429": 429, "http-500": 500}


class CohereCase(ProviderCase):
    provider: ClassVar[str] = "cohere"
    scope: ClassVar[str] = "opentelemetry.instrumentation.agentops.cohere"
    api_key: ClassVar[str] = API_KEY
    error_types: ClassVar[Mapping[str, str]] = {
        fault: chat_error_type(status) for fault, status in _FAULT_STATUSES.items()
    }
    # chat_stream is a generator: close() / aclose(), no ``with``.
    closable: ClassVar[bool] = True
    context_manager: ClassVar[bool] = False
    version: ClassVar[str]

    def instrumentor(self) -> Any:
        return CohereInstrumentor()

    def client(self, asynchronous: bool, api_key: str | None = None) -> Any:
        return make_client(self.emulator, self.version, asynchronous, api_key or self.api_key)

    def usage(self, result: Any) -> tuple[int, int]:
        billed = self._usage(result).billed_units
        return count(billed.input_tokens), count(billed.output_tokens)

    def dump(self, value: Any) -> Any:
        return dump(value)

    def _usage(self, result: Any) -> Any:
        raise NotImplementedError


class V1Case(CohereCase):
    version = "v1"
    model = V1_MODEL
    releasable = V1_STREAM_RELEASABLE

    def call(self, client: Any, headers: Mapping[str, str] | None = None) -> Any:
        return client.chat(
            message=self.prompt(), model=self.model, request_options=options(**(headers or {}))
        )

    def stream(self, client: Any, headers: Mapping[str, str] | None = None) -> Any:
        return client.chat_stream(
            message=self.prompt(), model=self.model, request_options=options(**(headers or {}))
        )

    def text(self, result: Any) -> str:
        return result.text

    def chunk_text(self, chunk: Any) -> str:
        return chunk.text if chunk.event_type == "text-generation" else ""

    def _usage(self, result: Any) -> Any:
        return result.meta


class V2Case(CohereCase):
    version = "v2"
    model = V2_MODEL
    releasable = V2_STREAM_RELEASABLE

    def _messages(self) -> list[dict[str, str]]:
        return [{"role": "user", "content": self.prompt()}]

    def call(self, client: Any, headers: Mapping[str, str] | None = None) -> Any:
        return client.chat(
            model=self.model,
            messages=self._messages(),
            request_options=options(**(headers or {})),
        )

    def stream(self, client: Any, headers: Mapping[str, str] | None = None) -> Any:
        return client.chat_stream(
            model=self.model,
            messages=self._messages(),
            request_options=options(**(headers or {})),
        )

    def text(self, result: Any) -> str:
        return result.message.content[0].text

    def chunk_text(self, chunk: Any) -> str:
        if chunk.type != "content-delta":
            return ""
        return chunk.delta.message.content.text or ""

    def _usage(self, result: Any) -> Any:
        return result.usage


@pytest.fixture(params=[V1Case, V2Case], ids=["v1", "v2"])
def case(request, emulator, telemetry) -> CohereCase:
    found: CohereCase = request.param(emulator, telemetry)
    return found
