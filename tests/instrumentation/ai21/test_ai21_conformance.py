"""The conformance suite, for the AI21 package.

It runs on the richest API the installed SDK has: Jamba chat completions (ai21 >= 2.2), or,
on the Jurassic-2-only releases, ``completion.create``. Tests of what a release lacks (streams
and async clients before 2.5, streams on Jurassic-2) are skipped with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import ai21
import pytest
from ai21_expected import (
    SDK,
    dump,
    has,
    j2_usage,
    jamba_messages,
    make_client,
    missing,
)
from conformance.case import OpenAIShapedResults, ProviderCase
from conformance.expect import error_type
from conformance.suite import *  # noqa: F403 - the suite's tests run here
from opentelemetry.instrumentation.agentops.ai21 import AI21Instrumentor

_ERRORS: Mapping[str, str] = {
    "http-400": error_type(ai21.errors.BadRequest),
    "http-401": error_type(ai21.errors.Unauthorized),
    "http-429": error_type(ai21.errors.TooManyRequestsError),
    "http-500": error_type(ai21.errors.AI21ServerError),
}


class AI21Case(ProviderCase):
    provider: ClassVar[str] = "ai21"
    scope: ClassVar[str] = "opentelemetry.instrumentation.agentops.ai21"
    api_key: ClassVar[str] = "ai21-conformance-0123456789"
    error_types: ClassVar[Mapping[str, str]] = _ERRORS
    # ai21 2.x logs each request's headers, the key among them, at INFO (2.0) or DEBUG (2.5).
    sdk_loggers: ClassVar[tuple[str, ...]] = ("ai21",)

    def __init__(self, emulator: Any, telemetry: Any) -> None:
        super().__init__(emulator, telemetry)
        # Control headers go on the client, so a call with headers uses a twin of the
        # client it was given (same kind, same key).
        self._made: dict[int, tuple[Any, bool, str]] = {}

    def instrumentor(self) -> Any:
        return AI21Instrumentor()

    def client(self, asynchronous: bool, api_key: str | None = None) -> Any:
        if asynchronous and not has("async"):
            pytest.skip(missing("async"))
        key = api_key or self.api_key
        client = make_client(self.emulator, asynchronous, api_key=key)
        self._made[id(client)] = (client, asynchronous, key)
        return client

    def dump(self, value: Any) -> Any:
        return dump(value)

    def with_headers(self, client: Any, headers: Mapping[str, str] | None) -> Any:
        if not headers:
            return client
        _, asynchronous, key = self._made[id(client)]
        return make_client(self.emulator, asynchronous, api_key=key, headers=dict(headers))


class JambaCase(OpenAIShapedResults, AI21Case):
    model: ClassVar[str] = "jamba-mini"

    def call(self, client: Any, headers: Mapping[str, str] | None = None) -> Any:
        return self.with_headers(client, headers).chat.completions.create(
            model=self.model, messages=jamba_messages(("user", self.prompt()))
        )

    def stream(self, client: Any, headers: Mapping[str, str] | None = None) -> Any:
        if not has("streams"):
            pytest.skip(missing("streams"))
        return self.with_headers(client, headers).chat.completions.create(
            model=self.model, messages=jamba_messages(("user", self.prompt())), stream=True
        )


class J2CompletionCase(AI21Case):
    operation: ClassVar[str] = "text_completion"
    model: ClassVar[str] = "j2-mid"

    def call(self, client: Any, headers: Mapping[str, str] | None = None) -> Any:
        return self.with_headers(client, headers).completion.create(
            model=self.model, prompt=self.prompt()
        )

    def stream(self, client: Any, headers: Mapping[str, str] | None = None) -> Any:
        pytest.skip(f"{SDK}: Jurassic-2 completions do not stream")

    def text(self, result: Any) -> str:
        return result.completions[0].data.text

    def chunk_text(self, chunk: Any) -> str:
        raise AssertionError("Jurassic-2 completions do not stream")

    def usage(self, result: Any) -> tuple[int, int]:
        return j2_usage(result)


@pytest.fixture
def case(emulator, telemetry) -> AI21Case:
    kind = JambaCase if has("jamba") else J2CompletionCase
    return kind(emulator, telemetry)
