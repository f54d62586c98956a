"""POST /v1/completions: the legacy text completion endpoint, plain and streamed."""

from __future__ import annotations

from typing import Any

from ..controls import Controls
from ..openai_compat.content import prompts_of
from ..sse import sse_event, sse_response
from ..textgen import CREATED, count_words, make_id, reply_text, split_text, truncate_words
from ..wire import EmulatedResponse, json_response
from . import errors
from .chat import DONE, MAX_CHOICES
from .common import base_headers, system_fingerprint

COMPLETION_LEAD = "Emulated completion of:"
# The legacy endpoint's own default when max_tokens is not sent.
DEFAULT_MAX_TOKENS = 16


def create(body: dict[str, Any], controls: Controls) -> EmulatedResponse:
    if body.get("prompt") is None:
        return errors.missing_parameter("prompt")
    prompts = prompts_of(body["prompt"])
    if prompts is None:
        return errors.invalid_value("prompt", "Invalid 'prompt': expected a string or list.")
    n = body.get("n") or 1
    if not isinstance(n, int) or not 1 <= n <= MAX_CHOICES:
        return errors.invalid_value("n", f"Invalid 'n': must be between 1 and {MAX_CHOICES}.")
    stream = bool(body.get("stream"))
    limit = body.get("max_tokens") or DEFAULT_MAX_TOKENS

    choices: list[tuple[str, str]] = []
    completion_tokens = 0
    for text, _, _ in prompts:
        for variant in range(n):
            reply = reply_text(COMPLETION_LEAD, text, variant, controls.chunks)
            reply, truncated = truncate_words(reply, limit)
            completion_tokens += count_words(reply)
            if body.get("echo"):
                reply = f"{text} {reply}" if text else reply
            choices.append((reply, "length" if truncated else "stop"))
    prompt_tokens = sum(item.tokens for item in prompts)
    usage = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }
    model = body["model"]
    meta = {
        "id": make_id("cmpl-", "completion", body),
        "object": "text_completion",
        "created": CREATED,
        "model": model,
        "system_fingerprint": system_fingerprint(model),
    }
    headers = base_headers(body)
    if stream:
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        events = stream_events(meta, choices, usage if include_usage else None, controls)
        return sse_response(events, headers, error_event=errors.stream_error_event())
    entries = [
        {"text": text, "index": index, "logprobs": None, "finish_reason": finish}
        for index, (text, finish) in enumerate(choices)
    ]
    return json_response(200, {**meta, "choices": entries, "usage": usage}, headers)


def stream_events(
    meta: dict[str, Any],
    choices: list[tuple[str, str]],
    usage: dict[str, Any] | None,
    controls: Controls,
) -> list[bytes]:
    """Text deltas per choice, then a finishing chunk; usage as in chat when asked for."""
    base = {**meta, "usage": None} if usage is not None else meta

    def chunk(index: int, text: str, finish: str | None = None) -> bytes:
        entry = {"text": text, "index": index, "logprobs": None, "finish_reason": finish}
        return sse_event({**base, "choices": [entry]})

    events: list[bytes] = []
    for index, (text, finish) in enumerate(choices):
        events.extend(chunk(index, piece) for piece in split_text(text, controls.chunks))
        events.append(chunk(index, "", finish))
    if usage is not None:
        events.append(sse_event({**base, "choices": [], "usage": usage}))
    events.append(DONE)
    return events
