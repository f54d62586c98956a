"""The conformance suite, for the Groq package."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import groq
import pytest
from conformance.case import OpenAIShapedCase
from conformance.suite import *  # noqa: F403 - the suite's tests run here
from opentelemetry.instrumentation.agentops.groq import GroqInstrumentor


class GroqCase(OpenAIShapedCase):
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

    def dump(self, value: Any) -> Any:
        # Nothing dropped: the request goes out unaltered, so even the ids (hashes of the
        # request body) are the uninstrumented run's.
        return value.model_dump()


@pytest.fixture
def case(emulator, telemetry) -> GroqCase:
    return GroqCase(emulator, telemetry)
