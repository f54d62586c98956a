"""POST /v1/chat/completions, plain and streamed: the shared engine in OpenAI's dialect."""

from __future__ import annotations

from typing import Any, ClassVar

from ..controls import Controls
from ..openai_compat import chat
from ..openai_compat.dialect import ChatDialect, TokenCounts
from ..wire import EmulatedResponse
from . import errors
from .common import base_headers, chat_usage, reasoning_tokens, system_fingerprint

DONE = chat.DONE
MAX_CHOICES = 128


class OpenAIChat(ChatDialect):
    message_fields: ClassVar[dict[str, Any]] = {"refusal": None, "annotations": []}
    role_delta: ClassVar[dict[str, Any]] = {"role": "assistant", "content": "", "refusal": None}
    max_tokens_fields = ("max_completion_tokens", "max_tokens")
    max_choices = MAX_CHOICES

    def metadata(self, body: dict[str, Any], completion_id: str, kind: str) -> dict[str, Any]:
        return {
            **super().metadata(body, completion_id, kind),
            "service_tier": "default",
            "system_fingerprint": system_fingerprint(body["model"]),
        }

    def usage(self, counts: TokenCounts, body: dict[str, Any]) -> dict[str, Any]:
        return chat_usage(
            counts.prompt, counts.completion, counts.reasoning, counts.cached, counts.cache_write
        )

    def reasoning_tokens(self, model: str, choices: int) -> int:
        return reasoning_tokens(model, choices)

    def headers(self, body: dict[str, Any]) -> dict[str, str]:
        return base_headers(body)


DIALECT = OpenAIChat(errors)


def create(body: dict[str, Any], controls: Controls) -> EmulatedResponse:
    return chat.create(DIALECT, body, controls)
