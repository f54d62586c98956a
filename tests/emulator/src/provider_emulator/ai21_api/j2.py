"""Jurassic-2: POST /studio/v1/{model}[/{custom_model}]/complete and /studio/v1/{model}/chat.

Bodies use camelCase (`maxTokens`, `numResults`); completions list one token object per word,
which is how clients count J2 tokens.
"""

from __future__ import annotations

from typing import Any

from ..controls import Controls
from ..textgen import reply_text, truncate_words
from ..wire import EmulatedResponse, json_response
from . import errors
from .chat import uuid_like

COMPLETION_LEAD = "Emulated completion of:"
CHAT_LEAD = "Emulated reply to:"
# The API's defaults when maxTokens is not sent.
COMPLETE_MAX_TOKENS = 16
CHAT_MAX_TOKENS = 300
MAX_RESULTS = 16


def token_objects(text: str) -> list[dict[str, Any]]:
    """One token per word, with its character range, shaped like J2's token list."""
    tokens: list[dict[str, Any]] = []
    position = 0
    for word in text.split():
        start = text.index(word, position)
        position = start + len(word)
        tokens.append(
            {
                "generatedToken": {"token": "\u2581" + word, "logprob": -0.5, "raw_logprob": -0.5},
                "topTokens": None,
                "textRange": {"start": start, "end": position},
            }
        )
    return tokens


def results_count(body: dict[str, Any]) -> int | None:
    count = body.get("numResults") or 1
    return count if isinstance(count, int) and 1 <= count <= MAX_RESULTS else None


def finish_reason(truncated: bool, limit: int) -> dict[str, Any]:
    return {"reason": "length", "length": limit} if truncated else {"reason": "endoftext"}


def complete(body: dict[str, Any], controls: Controls) -> EmulatedResponse:
    prompt = body.get("prompt")
    if not isinstance(prompt, str):
        return errors.missing_parameter("prompt")
    count = results_count(body)
    if count is None:
        return errors.invalid_value("numResults", f"numResults must be between 1 and {MAX_RESULTS}")
    limit = body.get("maxTokens") or COMPLETE_MAX_TOKENS
    completions = []
    for variant in range(count):
        text, truncated = truncate_words(
            reply_text(COMPLETION_LEAD, prompt, variant, controls.chunks), limit
        )
        completions.append(
            {
                "data": {"text": text, "tokens": token_objects(text)},
                "finishReason": finish_reason(truncated, limit),
            }
        )
    payload = {
        "id": uuid_like("ai21-j2-complete", body),
        "prompt": {"text": prompt, "tokens": token_objects(prompt)},
        "completions": completions,
    }
    return json_response(200, payload)


def chat(body: dict[str, Any], controls: Controls) -> EmulatedResponse:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return errors.missing_parameter("messages")
    count = results_count(body)
    if count is None:
        return errors.invalid_value("numResults", f"numResults must be between 1 and {MAX_RESULTS}")
    texts = [str(m.get("text", "")) for m in messages if isinstance(m, dict)]
    user_texts = [
        str(m.get("text", "")) for m in messages if isinstance(m, dict) and m.get("role") == "user"
    ]
    limit = body.get("maxTokens") or CHAT_MAX_TOKENS
    outputs = []
    for variant in range(count):
        source = user_texts[-1] if user_texts else (texts[-1] if texts else "")
        text, truncated = truncate_words(
            reply_text(CHAT_LEAD, source, variant, controls.chunks), limit
        )
        outputs.append(
            {"text": text, "role": "assistant", "finishReason": finish_reason(truncated, limit)}
        )
    return json_response(200, {"outputs": outputs})
