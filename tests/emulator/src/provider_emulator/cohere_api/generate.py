"""POST /v1/generate (`cohere.Client.generate`, SDKs that still have it), plain and streamed."""

from __future__ import annotations

from typing import Any

from ..controls import Controls
from ..ndjson import ndjson_response
from ..textgen import count_words, cut_at_stop, reply_text, split_text, truncate_words
from ..wire import EmulatedResponse, json_response
from . import errors
from .common import STREAM_CONTENT_TYPE, counts, limit_of, uuid_for

COMPLETION_LEAD = "Emulated completion of:"
MAX_GENERATIONS = 5


def create(body: dict[str, Any], controls: Controls) -> EmulatedResponse:
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt:
        return errors.bad_request("prompt must be a non-empty string")
    n = body.get("num_generations") or 1
    if not isinstance(n, int) or not 1 <= n <= MAX_GENERATIONS:
        return errors.bad_request(f"num_generations must be between 1 and {MAX_GENERATIONS}")
    generations = []
    for index in range(n):
        text = reply_text(COMPLETION_LEAD, prompt, index, controls.chunks)
        text, _stop = cut_at_stop(text, body.get("stop_sequences"))
        text, truncated = truncate_words(text, limit_of(body))
        generations.append(
            {
                "id": uuid_for("generation", body, index),
                "text": text,
                "index": index,
                "finish_reason": "MAX_TOKENS" if truncated else "COMPLETE",
            }
        )
    output = sum(count_words(generation["text"]) for generation in generations)
    usage = counts(count_words(prompt), output, controls)
    meta = {"api_version": {"version": "1"}, "billed_units": usage["billed_units"]}
    response = {"id": uuid_for("generate", body), "generations": generations, "prompt": prompt}
    headers = errors.trace_headers(body)
    if not body.get("stream"):
        return json_response(200, {**response, "meta": meta}, headers)
    lines: list[dict[str, Any]] = []
    for generation in generations:
        extra = {"index": generation["index"]} if n > 1 else {}
        lines.extend(
            {"text": piece, "is_finished": False, "event_type": "text-generation", **extra}
            for piece in split_text(generation["text"], controls.chunks)
        )
    finish = generations[-1]["finish_reason"]
    end = {"is_finished": True, "event_type": "stream-end", "finish_reason": finish}
    lines.append({**end, "response": response})
    error = {"is_finished": True, "event_type": "stream-error", "finish_reason": "ERROR"}
    return ndjson_response(
        lines,
        STREAM_CONTENT_TYPE,
        headers,
        error={**error, "err": "internal server error", "index": 0},
    )
