"""POST /v1/chat/completions and /v1/fim/completions in Mistral's dialect."""

from __future__ import annotations

from typing import Any, ClassVar

from ..controls import Controls
from ..openai_compat import chat
from ..openai_compat.dialect import ChatDialect, TokenCounts
from ..replies import Reply
from ..textgen import count_words, digest, make_id, reply_text, truncate_words
from ..tooling import ToolCall
from ..wire import EmulatedResponse
from . import errors

ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
FIM_LEAD = "Emulated fill-in after:"


def usage_object(counts: TokenCounts) -> dict[str, Any]:
    prompt = counts.prompt + counts.cached
    usage: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": counts.completion,
        "total_tokens": prompt + counts.completion,
    }
    if counts.cached:
        usage["prompt_tokens_details"] = {"cached_tokens": counts.cached}
    return usage


class MistralChat(ChatDialect):
    message_fields: ClassVar[dict[str, Any]] = {"prefix": False}
    tool_call_content = ""
    choice_logprobs = False
    finish_delta: ClassVar[dict[str, Any]] = {"content": ""}
    streams_tool_arguments = False
    usage_on_last_chunk = True

    def completion_id(self, body: dict[str, Any]) -> str:
        return make_id("cmpl-", "mistral-chat", body, length=32)

    def tool_call_id(self, body: dict[str, Any], index: int) -> str:
        """Nine letters and digits, like Mistral's tool-call ids."""
        number = int(digest("mistral-tool", body, index)[:16], 16)
        return "".join(ALPHANUMERIC[(number // 62**i) % 62] for i in range(9))

    def tool_call(self, call: ToolCall) -> dict[str, Any]:
        return {**super().tool_call(call), "index": 0}

    def usage(self, counts: TokenCounts, body: dict[str, Any]) -> dict[str, Any]:
        return usage_object(counts)

    def headers(self, body: dict[str, Any]) -> dict[str, str]:
        return {"mistral-correlation-id": digest("mistral-correlation", body)[:32]}


DIALECT = MistralChat(errors)


def create(body: dict[str, Any], controls: Controls) -> EmulatedResponse:
    messages = body.get("messages")
    if isinstance(messages, list) and not messages:
        return errors.validation_error(
            "messages", "too_short", "List should have at least 1 item after validation, not 0", []
        )
    return chat.create(DIALECT, body, controls)


def fim(body: dict[str, Any], controls: Controls) -> EmulatedResponse:
    """Fill-in-the-middle: a completion of `prompt` (before `suffix`), in the chat shape."""
    prompt = body.get("prompt")
    if not isinstance(prompt, str):
        return errors.missing_parameter("prompt")
    suffix = body.get("suffix") if isinstance(body.get("suffix"), str) else ""
    text = reply_text(FIM_LEAD, prompt, 0, controls.chunks)
    text, truncated = truncate_words(text, chat.token_limit(DIALECT, body))
    reply = Reply(text=text, truncated=truncated)
    counts = TokenCounts(
        prompt=count_words(prompt) + count_words(suffix or ""),
        completion=reply.visible_tokens,
        cached=controls.cached_tokens,
    )
    return chat.respond(DIALECT, body, [reply], counts, controls)
