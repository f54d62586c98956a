"""Transport-free request and response values exchanged with `core.handle`."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any


class Headers(Mapping[str, str]):
    """Read-only header map with case-insensitive lookups; keys are stored lower-cased."""

    def __init__(self, items: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        pairs = items.items() if isinstance(items, Mapping) else items
        merged: dict[str, str] = {}
        for name, value in pairs:
            key = name.lower()
            # Repeated headers are folded the way HTTP allows: comma-separated.
            merged[key] = f"{merged[key]}, {value}" if key in merged else value
        self._items = merged

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"


@dataclass(frozen=True)
class EmulatedRequest:
    """One HTTP request; `path` may include a query string. Header lookups ignore case."""

    method: str
    path: str
    headers: Mapping[str, str] = field(default_factory=Headers)
    body: bytes = b""

    def __post_init__(self) -> None:
        # Any mapping is accepted and wrapped, so lookups are case-insensitive everywhere.
        if not isinstance(self.headers, Headers):
            object.__setattr__(self, "headers", Headers(self.headers))

    def json(self) -> Any:
        """The body parsed as JSON; raises ValueError when it is not valid JSON."""
        return json.loads(self.body) if self.body else None

    def model(self) -> str | None:
        """The `model` of a JSON object body, or None when there is none to read."""
        try:
            body = self.json()
        except ValueError:
            return None
        model = body.get("model") if isinstance(body, dict) else None
        return model if isinstance(model, str) and model else None


@dataclass(frozen=True)
class Chunk:
    """One piece of a streamed body, sent after waiting `delay_s` seconds."""

    data: bytes
    delay_s: float = 0.0


@dataclass
class EmulatedResponse:
    """A response to send.

    `body` is bytes for a plain response, or a sequence of chunks for a stream (sent with chunked
    transfer encoding, one flush per chunk). `delay_s` is waited before anything is sent.
    `cut` asks the transport to drop the connection after the body instead of ending it
    properly, so the client sees an incomplete message. A stream sets `error_event` to the
    provider's own mid-stream error, encoded as one chunk, for the `stream-error` fault.
    """

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | list[Chunk] = b""
    delay_s: float = 0.0
    cut: bool = False
    error_event: bytes | None = None

    @property
    def is_stream(self) -> bool:
        return not isinstance(self.body, bytes)

    @property
    def chunks(self) -> list[Chunk]:
        """The body as chunks; a plain body is a single chunk."""
        return [Chunk(self.body)] if isinstance(self.body, bytes) else self.body

    def read(self) -> bytes:
        """The whole body at once, ignoring delays."""
        return b"".join(chunk.data for chunk in self.chunks)

    def iter_bytes(self, *, sleep: bool = True) -> Iterator[bytes]:
        """Yield the body chunk by chunk, waiting the per-chunk delays when `sleep` is true."""
        for chunk in self.chunks:
            if sleep and chunk.delay_s > 0:
                time.sleep(chunk.delay_s)
            yield chunk.data


def json_response(
    status: int, payload: Any, headers: Mapping[str, str] | None = None
) -> EmulatedResponse:
    body = json.dumps(payload, separators=(",", ":")).encode()
    all_headers = {"content-type": "application/json", **(headers or {})}
    return EmulatedResponse(status=status, headers=all_headers, body=body)
