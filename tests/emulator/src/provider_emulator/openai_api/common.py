"""Values shared by the OpenAI endpoints: response headers, reasoning models, usage objects."""

from __future__ import annotations

from typing import Any

from ..textgen import digest

REASONING_PREFIXES = ("o1", "o3", "o4", "gpt-5")
# Hidden reasoning tokens reported per choice by reasoning models (counted in completion tokens).
REASONING_TOKENS = 32


def base_headers(request_key: Any = None) -> dict[str, str]:
    headers = {"openai-version": "2020-10-01", "openai-processing-ms": "1"}
    if request_key is not None:
        headers["x-request-id"] = "req_" + digest("request-id", request_key)[:32]
    return headers


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
