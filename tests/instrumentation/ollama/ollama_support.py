"""Helpers of the Ollama instrumentation tests: what the installed SDK has, clients pointed at
the emulator, and the telemetry expected from an SDK result.

Expected values are read from the SDK's own results (by subscript, which works on the dicts of
ollama < 0.4 and on the typed responses after). Attribute and metric names are spelled out as
literal strings: the tests must fail if the instrumentation emits different ones.
"""

from __future__ import annotations

import inspect
from importlib.metadata import version
from typing import Any

import ollama
from conformance.case import drain, resolve
from conformance.expect import DURATION, TIME_PER_CHUNK, TOKEN_USAGE, TTFC
from opentelemetry.trace import SpanKind, StatusCode

SCOPE = "opentelemetry.instrumentation.agentops.ollama"
SDK_VERSION = version("ollama")
SDK = f"ollama {SDK_VERSION}"

# -- what the installed SDK has --------------------------------------------------------------

_CLIENT_PARAMETERS = inspect.signature(ollama.Client.__init__).parameters
HOST_ARGUMENT = "host" if "host" in _CLIENT_PARAMETERS else "base_url"
HAS_EMBED = hasattr(ollama.Client, "embed")
NO_EMBED = f"{SDK} has no Client.embed (/api/embed is new in 0.3.0)"
HAS_TOOLS = "tools" in inspect.signature(ollama.Client.chat).parameters
NO_TOOLS = f"{SDK} chat takes no tools"
# Typed responses (pydantic models) from 0.4.0 on; dicts before.
TYPED = hasattr(getattr(ollama, "ChatResponse", None), "model_fields")
NOT_TYPED = f"{SDK} returns dicts, not typed responses"
# Python functions as tools came with the typed responses (0.4.0).
HAS_FUNCTION_TOOLS = TYPED and HAS_TOOLS
NO_FUNCTION_TOOLS = f"{SDK} takes no Python functions as tools"
# 0.0.1 to 0.3 accept only these roles in chat messages.
ROLE_CHECKED = not HAS_TOOLS

# Ollama's durations (ns) and the attributes (s) they become.
TIMINGS = {
    "agentops.server.total_time": "total_duration",
    "agentops.server.load_time": "load_duration",
    "agentops.server.prompt_time": "prompt_eval_duration",
    "agentops.server.completion_time": "eval_duration",
}


def make_client(
    emulator: Any,
    *,
    asynchronous: bool = False,
    headers: dict[str, str] | None = None,
    host: str | None = None,
) -> Any:
    cls = ollama.AsyncClient if asynchronous else ollama.Client
    # The emulator speaks plain HTTP: no TLS context to build (70 ms per client otherwise).
    return cls(**{HOST_ARGUMENT: host or emulator.ollama_host}, headers=headers or {}, verify=False)


# -- driving sync and async clients from one test body -----------------------------------------


async def stream_of(call: Any) -> list[Any]:
    """Make a streamed call (sync or async) and read it to the end."""
    return await drain(await resolve(call()))


def dump(value: Any) -> Any:
    """A comparable form of a result or stream part."""
    return value.model_dump() if hasattr(value, "model_dump") else dict(value)


# -- expected telemetry --------------------------------------------------------------------------


def start_attributes(emulator: Any, model: str, operation: str = "chat") -> dict[str, Any]:
    return {
        "gen_ai.operation.name": operation,
        "gen_ai.provider.name": "ollama",
        "gen_ai.request.model": model,
        "server.address": "127.0.0.1",
        "server.port": emulator.port,
    }


def timings(result: Any) -> dict[str, float]:
    """The server's durations the result reports, in seconds."""
    return {key: result[name] / 1e9 for key, name in TIMINGS.items() if _has(result, name)}


def _has(result: Any, name: str) -> bool:
    try:
        return result[name] is not None
    except KeyError:
        return False


def final_attributes(result: Any) -> dict[str, Any]:
    """What a chat or generate result (or a stream's last part) says."""
    return {
        "gen_ai.response.model": result["model"],
        "gen_ai.response.finish_reasons": (result["done_reason"],),
        "gen_ai.usage.input_tokens": result["prompt_eval_count"],
        "gen_ai.usage.output_tokens": result["eval_count"],
        **timings(result),
    }


def only_span(telemetry: Any) -> Any:
    spans = telemetry.spans()
    assert len(spans) == 1, [span.name for span in spans]
    return spans[0]


def assert_span(span: Any, name: str, attributes: dict[str, Any]) -> None:
    assert span.name == name
    assert span.kind is SpanKind.CLIENT
    assert span.instrumentation_scope.name == SCOPE
    assert span.status.status_code is StatusCode.UNSET
    assert dict(span.attributes) == attributes


def streamed(span: Any, attributes: dict[str, Any]) -> dict[str, Any]:
    """``attributes`` plus what a stream adds: the request flag and time to first chunk."""
    ttfc = span.attributes["gen_ai.response.time_to_first_chunk"]
    assert isinstance(ttfc, float)
    assert 0 <= ttfc <= (span.end_time - span.start_time) / 1e9
    return {
        **attributes,
        "gen_ai.request.stream": True,
        "gen_ai.response.time_to_first_chunk": ttfc,
    }


def assert_metrics(
    telemetry: Any,
    attributes: dict[str, Any],
    *,
    input_tokens: int | None,
    output_tokens: int | None,
    stream_parts: int | None = None,
) -> None:
    """One duration point, token points for the counts given, and for a stream of
    ``stream_parts`` parts its time to first chunk and one time per chunk for each other part;
    nothing else (in particular no ``gen_ai.server.*`` metric)."""
    points = {name: found for name, found in telemetry.metrics().items() if found}
    expected = {DURATION}
    if input_tokens is not None or output_tokens is not None:
        expected.add(TOKEN_USAGE)
    if stream_parts is not None:
        expected.add(TTFC)
        if stream_parts > 1:
            expected.add(TIME_PER_CHUNK)
    assert set(points) == expected
    (duration,) = points[DURATION]
    assert dict(duration.attributes) == attributes
    assert duration.count == 1
    if TOKEN_USAGE in expected:
        by_type = {p.attributes["gen_ai.token.type"]: p for p in points[TOKEN_USAGE]}
        wanted = {"input": input_tokens, "output": output_tokens}
        wanted = {kind: count for kind, count in wanted.items() if count is not None}
        assert {kind: p.sum for kind, p in by_type.items()} == wanted
        for kind, point in by_type.items():
            assert dict(point.attributes) == {**attributes, "gen_ai.token.type": kind}
    if stream_parts is not None:
        (first,) = points[TTFC]
        assert dict(first.attributes) == attributes
        assert first.count == 1
        if stream_parts > 1:
            (per_chunk,) = points[TIME_PER_CHUNK]
            assert dict(per_chunk.attributes) == attributes
            assert per_chunk.count == stream_parts - 1
