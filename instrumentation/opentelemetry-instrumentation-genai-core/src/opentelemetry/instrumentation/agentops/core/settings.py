"""Every switch the core and the distro share, parsed in one place.

``Settings.from_env()`` reads the environment once; instrumentors read it when they instrument
and the distro reads the same object when it decides which pipelines to build, so the two can
never disagree (a core emitting events into a pipeline the distro did not build loses them).

Content capture accepts the modes of ``opentelemetry-util-genai`` (``SPAN_ONLY``,
``EVENT_ONLY``, ``SPAN_AND_EVENT``, ``NO_CONTENT``) and the boolean spellings users type
(``true``/``1``/``yes``/``on`` mean ``SPAN_ONLY``), which the library alone would reject.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Final

from opentelemetry.util.genai.environment_variables import (
    OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT,
    OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT,
)
from opentelemetry.util.genai.types import ContentCapturingMode

__all__ = [
    "AGENTOPS_GENAI_CONTENT_MAX_LENGTH",
    "AGENTOPS_GENAI_STREAM_CHUNK_TIMING",
    "AGENTOPS_STREAM_USAGE",
    "DEFAULT_CONTENT_MAX_LENGTH",
    "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT",
    "OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT",
    "Settings",
]

AGENTOPS_GENAI_CONTENT_MAX_LENGTH: Final = "AGENTOPS_GENAI_CONTENT_MAX_LENGTH"
"""Longest text part (characters) or binary part (bytes) recorded when content is on."""

AGENTOPS_STREAM_USAGE: Final = "AGENTOPS_STREAM_USAGE"
"""``false`` stops asking providers for token usage on streams the caller did not ask it for."""

_LEGACY_STREAM_USAGE: Final = "AGENTOPS_OPENAI_STREAM_USAGE"
"""The earlier, OpenAI-only name of ``AGENTOPS_STREAM_USAGE``; still honoured."""

AGENTOPS_GENAI_STREAM_CHUNK_TIMING: Final = "AGENTOPS_GENAI_STREAM_CHUNK_TIMING"
"""``false`` turns off the per-chunk ``time_per_output_chunk`` metric (time to first chunk
and the call's duration are still recorded)."""

DEFAULT_CONTENT_MAX_LENGTH: Final = 16384

_logger = logging.getLogger("opentelemetry.instrumentation.agentops.core")
_TRUE_WORDS: Final = frozenset({"true", "1", "yes", "on"})
_FALSE_WORDS: Final = frozenset({"false", "0", "no", "off"})


@dataclass(frozen=True, slots=True)
class Settings:
    """What is recorded, decided once per instrumentation."""

    content_mode: ContentCapturingMode = ContentCapturingMode.NO_CONTENT
    emit_events: bool = False
    """Whether ``gen_ai.client.inference.operation.details`` events are emitted."""
    content_max_length: int = DEFAULT_CONTENT_MAX_LENGTH
    record_tokens: bool = True
    """Token counts on spans and ``gen_ai.client.token.usage`` points."""
    record_latency: bool = True
    """Duration, time-to-first-chunk and time-per-chunk metric points."""
    stream_chunk_timing: bool = True
    """``gen_ai.client.operation.time_per_output_chunk`` points (needs ``record_latency``)."""
    stream_usage: bool = True
    """Ask providers for usage on streams the caller did not ask it for."""

    @property
    def content_on_span(self) -> bool:
        return self.content_mode in (
            ContentCapturingMode.SPAN_ONLY,
            ContentCapturingMode.SPAN_AND_EVENT,
        )

    @property
    def content_in_events(self) -> bool:
        return self.content_mode in (
            ContentCapturingMode.EVENT_ONLY,
            ContentCapturingMode.SPAN_AND_EVENT,
        )

    @property
    def capture_content(self) -> bool:
        """Whether mappers read message content at all."""
        return self.content_mode is not ContentCapturingMode.NO_CONTENT

    def with_signals(self, *, tokens: bool, latency: bool) -> Settings:
        return replace(self, record_tokens=tokens, record_latency=latency)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        mode = _content_mode(env)
        return cls(
            content_mode=mode,
            emit_events=_events(env, mode),
            content_max_length=_content_max_length(env),
            stream_chunk_timing=_flag(env, AGENTOPS_GENAI_STREAM_CHUNK_TIMING, default=True),
            stream_usage=_flag(
                env,
                AGENTOPS_STREAM_USAGE,
                default=_flag(env, _LEGACY_STREAM_USAGE, default=True),
            ),
        )


def _content_mode(env: Mapping[str, str]) -> ContentCapturingMode:
    raw = env.get(OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT, "").strip()
    word = raw.lower()
    if word in _TRUE_WORDS:
        return ContentCapturingMode.SPAN_ONLY
    if not word or word in _FALSE_WORDS:
        return ContentCapturingMode.NO_CONTENT
    try:
        return ContentCapturingMode[raw.upper()]
    except KeyError:
        _logger.warning(
            "%s=%r is not understood; use true, false, SPAN_ONLY, EVENT_ONLY or "
            "SPAN_AND_EVENT. Message content will not be captured.",
            OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT,
            raw,
        )
        return ContentCapturingMode.NO_CONTENT


def _events(env: Mapping[str, str], mode: ContentCapturingMode) -> bool:
    """As ``OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT`` says, else when content goes to events."""
    word = env.get(OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT, "").strip().lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    if word:
        _logger.warning(
            "%s=%r is not understood; use true or false.",
            OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT,
            word,
        )
    return mode in (ContentCapturingMode.EVENT_ONLY, ContentCapturingMode.SPAN_AND_EVENT)


def _flag(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    word = env.get(name, "").strip().lower()
    if not word:
        return default
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    _logger.warning("%s=%r is not understood; use true or false. Using %s.", name, word, default)
    return default


def _content_max_length(env: Mapping[str, str]) -> int:
    raw = env.get(AGENTOPS_GENAI_CONTENT_MAX_LENGTH, "").strip()
    if not raw:
        return DEFAULT_CONTENT_MAX_LENGTH
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value <= 0:
        _logger.warning(
            "%s=%r is not a positive integer; using %d.",
            AGENTOPS_GENAI_CONTENT_MAX_LENGTH,
            raw,
            DEFAULT_CONTENT_MAX_LENGTH,
        )
        return DEFAULT_CONTENT_MAX_LENGTH
    return value
