"""Pieces shared by the Cohere endpoints: ids, usage, reading content."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..controls import Controls
from ..replies import Reply
from ..textgen import count_words, digest

# What Cohere counts beyond the billed tokens: the prompt template it wraps around every chat
# request. `tokens.input_tokens` includes it, `billed_units.input_tokens` does not.
TEMPLATE_TOKENS = 64
# The content type of the v1 NDJSON streams (chat and generate).
STREAM_CONTENT_TYPE = "application/stream+json"


# cohere-python added `tool-calls-chunk` to its v1 stream types in 5.5.7; older SDKs read the
# event as a `stream-start`, so it is only sent to SDKs that know it (or say no version).
TOOL_CALLS_CHUNK_SINCE = (5, 5, 7)


def sdk_knows_tool_calls_chunk(headers: Mapping[str, str]) -> bool:
    raw = headers.get("x-fern-sdk-version")
    if not raw or headers.get("x-fern-sdk-name", "cohere") != "cohere":
        return True
    try:
        version = tuple(int(part) for part in raw.split(".")[:3])
    except ValueError:
        return True
    return version >= TOOL_CALLS_CHUNK_SINCE


def uuid_for(*parts: Any) -> str:
    """A UUID-shaped id hashed from the parts, like the API's response and generation ids."""
    h = digest(*parts)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-8{h[17:20]}-{h[20:32]}"


def counts(prompt: int, output: int, controls: Controls) -> dict[str, Any]:
    """`billed_units` and `tokens` (with the template) as both API versions report them.

    Cached tokens are a prefix of the prompt, so they count in both input totals.
    """
    prompt += controls.cached_tokens
    return {
        "billed_units": {"input_tokens": prompt, "output_tokens": output},
        "tokens": {"input_tokens": prompt + TEMPLATE_TOKENS, "output_tokens": output},
        "cached_tokens": controls.cached_tokens,
    }


def value_words(value: Any) -> int:
    """Words of every string inside a JSON value (documents, tool outputs)."""
    if isinstance(value, str):
        return count_words(value)
    if isinstance(value, dict):
        return sum(value_words(item) for item in value.values())
    if isinstance(value, list):
        return sum(value_words(item) for item in value)
    return 0


def documents_words(documents: Any) -> int:
    return value_words(documents) if isinstance(documents, list) else 0


def limit_of(body: dict[str, Any]) -> int | None:
    limit = body.get("max_tokens")
    return limit if isinstance(limit, int) and not isinstance(limit, bool) else None


def output_tokens(reply: Reply) -> int:
    """The reply's words; with a tool call, the stated plan counts too."""
    plan = count_words(reply.text or "") if reply.tool_call is not None else 0
    return reply.visible_tokens + plan


def plan_line(name: str) -> str:
    """The plan Cohere's models state before calling a tool."""
    return f"I will use {name} to answer this."
