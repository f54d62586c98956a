"""POST /openai/v1/chat/completions in Groq's dialect: OpenAI's format plus timings and x_groq."""

from __future__ import annotations

from typing import Any

from ..controls import Controls
from ..openai_compat import chat
from ..openai_compat.dialect import ChatDialect, TokenCounts, include_usage
from ..textgen import digest
from ..wire import EmulatedResponse
from . import errors

# Deterministic stand-ins for the server timings Groq reports, in seconds.
QUEUE_TIME_S = 0.0125
PROMPT_TIME_PER_TOKEN_S = 0.0001
COMPLETION_TIME_PER_TOKEN_S = 0.002
BASE32 = "0123456789abcdefghjkmnpqrstvwxyz"


def request_id(body: dict[str, Any]) -> str:
    """`req_` and 26 lower-case base-32 characters, like Groq's ULID-based ids."""
    number = int(digest("groq-request", body)[:33], 16)
    return "req_" + "".join(BASE32[(number >> (5 * i)) & 31] for i in range(26))


def timed_usage(prompt: int, completion: int, cached: int = 0) -> dict[str, Any]:
    prompt_time = round(prompt * PROMPT_TIME_PER_TOKEN_S, 6)
    completion_time = round(completion * COMPLETION_TIME_PER_TOKEN_S, 6)
    usage: dict[str, Any] = {
        "queue_time": QUEUE_TIME_S,
        "prompt_tokens": prompt,
        "prompt_time": prompt_time,
        "completion_tokens": completion,
        "completion_time": completion_time,
        "total_tokens": prompt + completion,
        "total_time": round(prompt_time + completion_time, 6),
    }
    if cached:
        usage["prompt_tokens_details"] = {"cached_tokens": cached}
    return usage


class GroqChat(ChatDialect):
    streams_tool_arguments = False
    max_tokens_fields = ("max_completion_tokens", "max_tokens")
    # Groq serves one choice per request.
    max_choices = 1

    def metadata(self, body: dict[str, Any], completion_id: str, kind: str) -> dict[str, Any]:
        fields = {
            **super().metadata(body, completion_id, kind),
            "system_fingerprint": "fp_" + digest("groq-fingerprint", body["model"])[:10],
        }
        if kind == "chat.completion":
            fields["x_groq"] = {"id": request_id(body)}
            fields["service_tier"] = "on_demand"
        return fields

    def usage(self, counts: TokenCounts, body: dict[str, Any]) -> dict[str, Any]:
        return timed_usage(counts.prompt + counts.cached, counts.completion, counts.cached)

    def headers(self, body: dict[str, Any]) -> dict[str, str]:
        return {"x-request-id": request_id(body)}

    def place_stream_usage(
        self,
        chunks: list[dict[str, Any]],
        base: dict[str, Any],
        usage: dict[str, Any],
        body: dict[str, Any],
    ) -> None:
        """`x_groq.id` on the first chunk and `x_groq.usage` on the last one, always; a final
        usage chunk with no choices only when `stream_options.include_usage` asks for it."""
        if include_usage(body):
            chunks.append({**base, "choices": [], "usage": usage})
        chunks[0]["x_groq"] = {"id": request_id(body)}
        chunks[-1]["x_groq"] = {"id": request_id(body), "usage": usage}


DIALECT = GroqChat(errors)


def create(body: dict[str, Any], controls: Controls) -> EmulatedResponse:
    return chat.create(DIALECT, body, controls)
