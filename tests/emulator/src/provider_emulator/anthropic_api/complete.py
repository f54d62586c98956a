"""POST /v1/complete: the legacy Text Completions API (SDKs before 1.0), plain and streamed."""

from __future__ import annotations

from typing import Any

from ..controls import Controls
from ..sse import sse_event, sse_response
from ..textgen import cut_at_stop, make_id, reply_text, split_text, truncate_words
from ..wire import EmulatedResponse, json_response
from . import errors

HUMAN_PROMPT = "\n\nHuman:"
AI_PROMPT = "\n\nAssistant:"
COMPLETION_LEAD = "Emulated completion of:"


def create(body: dict[str, Any], controls: Controls) -> EmulatedResponse:
    prompt = body.get("prompt")
    if not isinstance(prompt, str):
        return errors.missing_field("prompt")
    if not prompt.startswith(HUMAN_PROMPT) or AI_PROMPT not in prompt:
        return errors.error_response(
            400, f'prompt must start with "{HUMAN_PROMPT}" and contain "{AI_PROMPT}"'
        )
    limit = body.get("max_tokens_to_sample")
    if not isinstance(limit, int) or limit < 1:
        return errors.missing_field("max_tokens_to_sample")
    text = reply_text(COMPLETION_LEAD, last_human_turn(prompt), words=controls.chunks)
    # The prompt's own turn marker ends every completion, as the real model is trained to.
    text, stop = cut_at_stop(text, [*(body.get("stop_sequences") or []), HUMAN_PROMPT])
    text, truncated = truncate_words(text, limit)
    completion = {
        "type": "completion",
        "id": make_id("compl_", "completion", body),
        "completion": text,
        "stop_reason": "max_tokens" if truncated else "stop_sequence",
        "stop": None if truncated else (stop or HUMAN_PROMPT),
        "model": body["model"],
        "log_id": make_id("", "log", body),
    }
    headers = errors.base_headers(body)
    if not body.get("stream"):
        return json_response(200, completion, headers)
    events = stream_events(completion, controls)
    return sse_response(events, headers, error_event=errors.stream_error_event(body))


def last_human_turn(prompt: str) -> str:
    human = prompt.rsplit(HUMAN_PROMPT, 1)[-1]
    return human.split(AI_PROMPT, 1)[0].strip()


def stream_events(completion: dict[str, Any], controls: Controls) -> list[bytes]:
    """`completion` events carrying text pieces, a ping, and a last one with the stop reason."""
    pending = {**completion, "stop_reason": None, "stop": None}
    events = [
        sse_event({**pending, "completion": piece}, "completion")
        for piece in split_text(completion["completion"], controls.chunks)
    ]
    events.insert(1 if events else 0, sse_event({"type": "ping"}, "ping"))
    events.append(sse_event({**completion, "completion": ""}, "completion"))
    return events
