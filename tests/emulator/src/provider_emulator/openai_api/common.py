"""Values shared by the OpenAI endpoints: fixed metadata, usage objects, request helpers."""

from __future__ import annotations

from typing import Any, NamedTuple

from ..sse import sse_event
from ..textgen import count_words, digest

# Fixed so responses are byte-for-byte reproducible (2023-11-14T22:13:20Z).
CREATED = 1_700_000_000
REASONING_PREFIXES = ("o1", "o3", "o4", "gpt-5")
# Hidden reasoning tokens reported per choice by reasoning models (counted in completion tokens).
REASONING_TOKENS = 32


def base_headers(request_key: Any = None) -> dict[str, str]:
    headers = {"openai-version": "2020-10-01", "openai-processing-ms": "1"}
    if request_key is not None:
        headers["x-request-id"] = "req_" + digest("request-id", request_key)[:32]
    return headers


def stream_error_event() -> bytes:
    """The error object the API sends as a stream event when it fails mid-stream."""
    error = {
        "message": "The server had an error while processing your request. Sorry about that!",
        "type": "server_error",
        "param": None,
        "code": None,
    }
    return sse_event({"error": error})


def is_reasoning_model(model: str) -> bool:
    return model.startswith(REASONING_PREFIXES)


def system_fingerprint(model: str) -> str:
    return "fp_" + digest("fingerprint", model)[:10]


def reasoning_tokens(model: str, choices: int = 1) -> int:
    return REASONING_TOKENS * choices if is_reasoning_model(model) else 0


def chat_usage(
    prompt: int, visible: int, reasoning: int, cached: int, cache_write: int = 0
) -> dict[str, Any]:
    """Chat usage; completion tokens include the hidden reasoning tokens, and prompt tokens the
    cached and cache-written ones (a prefix of that many tokens), as on the real API."""
    completion = visible + reasoning
    prompt += cached + cache_write
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {
            "cached_tokens": cached,
            "cache_write_tokens": cache_write,
            "audio_tokens": 0,
        },
        "completion_tokens_details": {
            "reasoning_tokens": reasoning,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def text_of(content: Any) -> tuple[str, int]:
    """Text and image count of message content: a string, or a list of typed parts."""
    if isinstance(content, str):
        return content, 0
    if not isinstance(content, list):
        return "", 0
    texts: list[str] = []
    images = 0
    for part in content:
        if isinstance(part, str):
            texts.append(part)
        elif isinstance(part, dict):
            kind = part.get("type")
            if kind in ("image_url", "input_image", "image"):
                images += 1
            elif isinstance(part.get("text"), str):
                texts.append(part["text"])
            elif isinstance(part.get("refusal"), str):
                texts.append(part["refusal"])
    return " ".join(texts), images


class PromptItem(NamedTuple):
    """One prompt or embedding input: its text (empty for token arrays), tokens and hash key."""

    text: str
    tokens: int
    key: str


def prompts_of(raw: Any) -> list[PromptItem] | None:
    """A string, list of strings, token array or list of token arrays; None if invalid."""
    if isinstance(raw, str):
        return [PromptItem(raw, count_words(raw), raw)]
    if not isinstance(raw, list) or not raw:
        return None
    if all(isinstance(token, int) for token in raw):
        return [PromptItem("", len(raw), repr(raw))]
    found: list[PromptItem] = []
    for item in raw:
        if isinstance(item, str):
            found.append(PromptItem(item, count_words(item), item))
        elif isinstance(item, list) and all(isinstance(token, int) for token in item):
            found.append(PromptItem("", len(item), repr(item)))
        else:
            return None
    return found
