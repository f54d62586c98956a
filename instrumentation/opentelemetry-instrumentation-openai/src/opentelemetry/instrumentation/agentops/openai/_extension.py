"""OpenAI's own fields on top of the shared OpenAI shape."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opentelemetry.instrumentation.agentops.core.openai_compatible import ChatExtension
from opentelemetry.instrumentation.agentops.core.values import as_str, field
from opentelemetry.semconv._incubating.attributes import openai_attributes as OpenAI
from opentelemetry.util.types import AttributeValue

__all__ = ["OpenAIFields"]


class OpenAIFields(ChatExtension):
    """``openai.request.service_tier``, ``openai.response.service_tier`` and
    ``openai.response.system_fingerprint``."""

    def request_attributes(
        self, arguments: Mapping[str, Any]
    ) -> Mapping[str, AttributeValue] | None:
        tier = as_str(arguments.get("service_tier"))
        return {OpenAI.OPENAI_REQUEST_SERVICE_TIER: tier} if tier is not None else None

    def response_attributes(self, result: Any) -> Mapping[str, AttributeValue] | None:
        attributes: dict[str, AttributeValue] = {}
        fingerprint = as_str(field(result, "system_fingerprint"))
        if fingerprint:
            attributes[OpenAI.OPENAI_RESPONSE_SYSTEM_FINGERPRINT] = fingerprint
        tier = as_str(field(result, "service_tier"))
        if tier:
            attributes[OpenAI.OPENAI_RESPONSE_SERVICE_TIER] = tier
        return attributes or None
