"""Request headers that steer the emulator: faults, latency and stream shape.

They apply to every provider, so a test written against one provider carries over to the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

FAULT_HEADER = "x-emulator-fault"
DELAY_HEADER = "x-emulator-delay-ms"
LATENCY_HEADER = "x-emulator-latency-ms"
CHUNKS_HEADER = "x-emulator-chunks"
CHUNK_DELAY_HEADER = "x-emulator-chunk-delay-ms"
CACHED_TOKENS_HEADER = "x-emulator-cached-tokens"
CACHE_WRITE_TOKENS_HEADER = "x-emulator-cache-write-tokens"

# 529 is Anthropic's "overloaded"; other providers answer it with their generic server error.
HTTP_FAULTS = {f"http-{status}": status for status in (400, 401, 403, 404, 429, 500, 503, 529)}
OTHER_FAULTS = frozenset({"malformed-json", "stream-cut", "stream-error", "slow-first-chunk"})
FAULTS = frozenset(HTTP_FAULTS) | OTHER_FAULTS

DEFAULT_SLOW_FIRST_CHUNK_MS = 200
# Upper bound for any requested count, so a typo cannot make the emulator build a huge body.
MAX_COUNT = 100_000


class ControlError(ValueError):
    """An emulator control header has a value the emulator does not understand."""


@dataclass(frozen=True)
class Controls:
    fault: str | None = None
    delay_ms: int = DEFAULT_SLOW_FIRST_CHUNK_MS
    latency_ms: int = 0
    chunks: int | None = None
    chunk_delay_ms: int = 0
    cached_tokens: int = 0
    # Tokens written to a prompt cache; providers without cache writes ignore it.
    cache_write_tokens: int = 0

    @property
    def http_status(self) -> int | None:
        return HTTP_FAULTS.get(self.fault or "")


def _int_header(
    headers: Mapping[str, str], name: str, default: int | None, minimum: int
) -> int | None:
    raw = headers.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ControlError(f"{name} must be an integer, got {raw!r}") from None
    if not minimum <= value <= MAX_COUNT:
        raise ControlError(f"{name} must be between {minimum} and {MAX_COUNT}, got {value}")
    return value


CONTROL_HEADERS = frozenset(
    {
        FAULT_HEADER,
        DELAY_HEADER,
        LATENCY_HEADER,
        CHUNKS_HEADER,
        CHUNK_DELAY_HEADER,
        CACHED_TOKENS_HEADER,
    }
)


def check_default_controls(controls: Mapping[str, str]) -> dict[str, str]:
    """Server-wide control headers, lower-cased; raises ControlError for a bad one."""
    checked = {name.strip().lower(): value.strip() for name, value in controls.items()}
    for name in checked:
        if name not in CONTROL_HEADERS:
            known = ", ".join(sorted(CONTROL_HEADERS))
            raise ControlError(f"unknown control header {name!r}; known: {known}")
    parse_controls(checked)  # the values must be valid too
    return checked


def parse_controls(headers: Mapping[str, str]) -> Controls:
    fault = headers.get(FAULT_HEADER)
    fault = fault.strip().lower() if fault else None
    if fault is not None and fault not in FAULTS:
        known = ", ".join(sorted(FAULTS))
        raise ControlError(f"unknown {FAULT_HEADER} value {fault!r}; known values: {known}")
    return Controls(
        fault=fault,
        delay_ms=_int_header(headers, DELAY_HEADER, DEFAULT_SLOW_FIRST_CHUNK_MS, 0) or 0,
        latency_ms=_int_header(headers, LATENCY_HEADER, 0, 0) or 0,
        chunks=_int_header(headers, CHUNKS_HEADER, None, 1),
        chunk_delay_ms=_int_header(headers, CHUNK_DELAY_HEADER, 0, 0) or 0,
        cached_tokens=_int_header(headers, CACHED_TOKENS_HEADER, 0, 0) or 0,
        cache_write_tokens=_int_header(headers, CACHE_WRITE_TOKENS_HEADER, 0, 0) or 0,
    )
