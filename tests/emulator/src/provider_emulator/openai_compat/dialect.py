"""`ChatDialect`: what one provider does differently in the Chat Completions format.

The defaults are OpenAI's. A provider subclasses it and overrides class attributes for fixed
differences (ids, delta shapes, where stream usage goes) and methods for computed ones (metadata,
usage objects); its errors module, passed to the constructor, answers in its own error shapes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from ..replies import Reply
from ..textgen import CREATED, make_id
from ..tooling import ToolCall
from ..wire import EmulatedResponse


@dataclass(frozen=True)
class TokenCounts:
    """Token counts of one request before a provider shapes them into its usage object.

    `prompt` excludes the cached and cache-written tokens; `completion` is the visible reply
    words of all choices.
    """

    prompt: int
    completion: int
    reasoning: int = 0
    cached: int = 0
    cache_write: int = 0


class ChatErrors(Protocol):
    """The errors a Chat Completions endpoint sends in the provider's own shapes; a provider's
    `errors` module provides them."""

    def missing_parameter(self, name: str) -> EmulatedResponse: ...

    def invalid_value(self, name: str, message: str) -> EmulatedResponse: ...

    def stream_error_event(self) -> bytes:
        """The event the provider sends when it fails in the middle of a stream."""
        ...


class ChatDialect:
    """How one provider spells Chat Completions; subclasses override what differs."""

    id_prefix: ClassVar[str] = "chatcmpl-"
    # Fixed extra fields of every assistant message, e.g. OpenAI's `refusal` and `annotations`.
    message_fields: ClassVar[Mapping[str, Any]] = {}
    # Message content when the reply is a tool call.
    tool_call_content: ClassVar[str | None] = None
    # Whether each choice (and stream choice) carries `"logprobs": null`.
    choice_logprobs: ClassVar[bool] = True
    # The first delta of each streamed choice, and the delta of its finishing chunk.
    role_delta: ClassVar[Mapping[str, Any]] = {"role": "assistant", "content": ""}
    finish_delta: ClassVar[Mapping[str, Any]] = {}
    # True: tool-call arguments arrive in pieces (OpenAI); False: the whole call in one delta.
    streams_tool_arguments: ClassVar[bool] = True
    # Request fields read as the completion token limit, first found wins.
    max_tokens_fields: ClassVar[tuple[str, ...]] = ("max_tokens",)
    max_choices: ClassVar[int] = 128
    # True: usage always rides on the final chunk (Mistral, AI21); False: OpenAI's way.
    usage_on_last_chunk: ClassVar[bool] = False

    def __init__(self, errors: ChatErrors) -> None:
        self.errors = errors

    def completion_id(self, body: dict[str, Any]) -> str:
        return make_id(self.id_prefix, "chat", body)

    def tool_call_id(self, body: dict[str, Any], index: int) -> str:
        return make_id("call_", "chat-tool", body, index)

    def metadata(self, body: dict[str, Any], completion_id: str, kind: str) -> dict[str, Any]:
        """Top-level fields of a completion (`kind` "chat.completion") or of every stream chunk
        (`kind` "chat.completion.chunk"), before `choices` and `usage`."""
        return {"id": completion_id, "object": kind, "created": CREATED, "model": body["model"]}

    def usage(self, counts: TokenCounts, body: dict[str, Any]) -> dict[str, Any]:
        prompt = counts.prompt + counts.cached
        completion = counts.completion + counts.reasoning
        return {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }

    def reasoning_tokens(self, model: str, choices: int) -> int:
        return 0

    def headers(self, body: dict[str, Any]) -> dict[str, str]:
        return {}

    def message(self, reply: Reply) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": reply.text}
        message.update(self.message_fields)
        if reply.tool_call is not None:
            message["content"] = self.tool_call_content
            message["tool_calls"] = [self.tool_call(reply.tool_call)]
        return message

    def tool_call(self, call: ToolCall) -> dict[str, Any]:
        return {
            "id": call.call_id,
            "type": "function",
            "function": {"name": call.name, "arguments": call.arguments},
        }

    def place_stream_usage(
        self,
        chunks: list[dict[str, Any]],
        base: dict[str, Any],
        usage: dict[str, Any],
        body: dict[str, Any],
    ) -> None:
        """Put usage into the stream: on the final chunk when `usage_on_last_chunk`, else
        OpenAI's way: only when `stream_options.include_usage`, as `"usage": null` on every
        chunk plus one last chunk with no choices."""
        if self.usage_on_last_chunk:
            chunks[-1]["usage"] = usage
            return
        if not include_usage(body):
            return
        for chunk in chunks:
            chunk["usage"] = None
        chunks.append({**base, "choices": [], "usage": usage})


def include_usage(body: dict[str, Any]) -> bool:
    options = body.get("stream_options")
    return isinstance(options, dict) and bool(options.get("include_usage"))
