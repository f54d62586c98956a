"""What the installed cohere SDK supports, how to drive it, and the expected telemetry.

Names are literal strings on purpose: the tests must fail if the instrumentation (or the
constants it imports) ever emits a different name. Expected values are read from the SDK's
own results, never typed in.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
from collections.abc import Mapping
from typing import Any

import cohere
import pytest
from cohere.base_client import BaseCohere
from conformance.expect import DURATION, TIME_PER_CHUNK, TOKEN_USAGE, TTFC
from conformance.metrics import metric_attributes
from opentelemetry.trace import SpanKind, StatusCode

SDK = f"cohere {cohere.__version__}"
SCOPE = "opentelemetry.instrumentation.agentops.cohere"
API_KEY = "co-test-key-0123456789abcdef"
V1_MODEL = "command-r-plus"
V2_MODEL = "command-a-03-2025"
EMBED_MODEL = "embed-english-v3.0"
RERANK_MODEL = "rerank-v3.5"

V1_TOOL = {
    "name": "get_weather",
    "description": "Current weather",
    "parameter_definitions": {"city": {"type": "str", "required": True}},
}
V2_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


# --- what the installed SDK has ----------------------------------------------------------------


def _optional(module: str, name: str) -> Any:
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


V2Client = _optional("cohere.v2.client", "V2Client")
HAS_V2 = V2Client is not None
NO_V2 = f"{SDK} has no v2 client (cohere.v2, from 5.8)"
HAS_V2_EMBED = HAS_V2 and "embed" in vars(V2Client)
NO_V2_EMBED = f"{SDK} has no V2Client.embed / rerank (ClientV2 uses the v1 ones)"
CHAT_SIGNATURE = frozenset(inspect.signature(BaseCohere.chat).parameters)
V2_CHAT_SIGNATURE = frozenset(inspect.signature(V2Client.chat).parameters) if HAS_V2 else ()
HAS_GENERATE = hasattr(BaseCohere, "generate")


def _swallows_close(stream_function: Any) -> bool:
    """Whether a stream generator wraps its ``yield`` in ``except: pass`` (cohere 5.8's v2
    stream): it swallows the GeneratorExit of ``close()``, so closing or dropping it mid-way
    raises ``RuntimeError: generator ignored GeneratorExit``, uninstrumented too."""
    source = inspect.getsource(stream_function)
    return re.search(r"yield [^\n]*\n\s*except:\s*\n\s*pass", source) is not None


V1_STREAM_RELEASABLE = not _swallows_close(BaseCohere.chat_stream)
V2_STREAM_RELEASABLE = HAS_V2 and not _swallows_close(V2Client.chat_stream)


def _chat_source() -> str:
    """The code of v1 chat that turns HTTP statuses into exceptions (a raw client on 7.x)."""
    raw = _optional("cohere.raw_base_client", "RawBaseCohere")
    return inspect.getsource(raw.chat if raw is not None else BaseCohere.chat)


# cohere 5.4.0's chat raises TooManyRequestsError for 429 and ApiError for any other status;
# later SDKs have a class per status.
CHAT_STATUS_CLASSES = "raise UnauthorizedError" in _chat_source()


def chat_error_type(status: int) -> str:
    """``error.type`` of a failed v1 chat with this HTTP status, on the installed SDK."""
    classes = {
        400: "BadRequestError",
        401: "UnauthorizedError",
        403: "ForbiddenError",
        404: "NotFoundError",
        429: "TooManyRequestsError",
        500: "InternalServerError",
        503: "ServiceUnavailableError",
    }
    name = classes.get(status)
    if name is None or (not CHAT_STATUS_CLASSES and status != 429):
        return "cohere.core.ApiError"
    return f"cohere.{name}"


def base_url(emulator: Any) -> str:
    """cohere < 5.8 takes a base URL ending in /v1; later ones the bare prefix."""
    return emulator.cohere_base_url if HAS_V2 else emulator.cohere_v1_base_url


def make_client(emulator: Any, version: str, asynchronous: bool, api_key: str = API_KEY) -> Any:
    if version == "v2" and not HAS_V2:
        pytest.skip(NO_V2)
    kinds = {
        ("v1", False): "Client",
        ("v1", True): "AsyncClient",
        ("v2", False): "ClientV2",
        ("v2", True): "AsyncClientV2",
    }
    kind = getattr(cohere, kinds[version, asynchronous])
    return kind(api_key=api_key, base_url=base_url(emulator))


def options(**headers: str) -> dict[str, Any]:
    """Request options: no retries (an injected fault is seen once), emulator headers."""
    return {"max_retries": 0, "additional_headers": dict(headers)}


def count(value: Any) -> int:
    """A count as the SDK reports it (a float on cohere 7), as the integer it stands for."""
    assert float(value).is_integer()
    return int(value)


def get(value: Any, *path: str) -> Any:
    """A nested field of SDK models, or of dicts (cohere 5.8 keeps v2 stream deltas it does
    not type as plain dicts)."""
    for name in path:
        value = value.get(name) if isinstance(value, dict) else getattr(value, name)
    return value


def dump(value: Any) -> Any:
    dumper = getattr(value, "model_dump", None) or value.dict
    return dumper()


# --- driving sync and async clients from one test body --------------------------------------


async def resolve(value: Any) -> Any:
    return (await value) if inspect.isawaitable(value) else value


async def drain(stream: Any) -> list[Any]:
    if hasattr(stream, "__aiter__"):
        return [chunk async for chunk in stream]
    return list(stream)


# --- expected telemetry --------------------------------------------------------------------


def start_attributes(
    emulator: Any, operation: str, model: str | None, *, stream: bool = False
) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "gen_ai.operation.name": operation,
        "gen_ai.provider.name": "cohere",
    }
    if model is not None:
        attributes["gen_ai.request.model"] = model
    attributes["server.address"] = "127.0.0.1"
    attributes["server.port"] = emulator.port
    if stream:
        attributes["gen_ai.request.stream"] = True
    return attributes


def usage_attributes(usage: Any) -> dict[str, Any]:
    """From a v1 ``meta`` or v2 ``usage``: the billed counts, as integers."""
    billed = usage.billed_units
    attributes = {
        "gen_ai.usage.input_tokens": count(billed.input_tokens),
        "gen_ai.usage.output_tokens": count(billed.output_tokens),
    }
    cached = getattr(usage, "cached_tokens", None)
    if cached:
        attributes["gen_ai.usage.cache_read.input_tokens"] = count(cached)
    return attributes


def only_span(telemetry: Any) -> Any:
    spans = telemetry.spans()
    assert len(spans) == 1, [span.name for span in spans]
    return spans[0]


def assert_span(
    span: Any, name: str, attributes: Mapping[str, Any], *, error: str | None = None
) -> None:
    """Name, kind, scope, status and the exact attribute set (stream timing checked apart)."""
    assert span.name == name
    assert span.kind is SpanKind.CLIENT
    assert span.instrumentation_scope.name == SCOPE
    assert span.end_time is not None
    found = dict(span.attributes)
    ttfc = found.pop("gen_ai.response.time_to_first_chunk", None)
    if attributes.get("gen_ai.request.stream"):
        assert isinstance(ttfc, float)
        assert 0 <= ttfc <= (span.end_time - span.start_time) / 1e9
    else:
        assert ttfc is None
    assert found == dict(attributes)
    if error is None:
        assert span.status.status_code is StatusCode.UNSET
    else:
        assert span.status.status_code is StatusCode.ERROR
        assert found["error.type"] == error


def assert_metrics(
    telemetry: Any,
    span: Any,
    *,
    input_tokens: int | None = None,
    output_tokens: int | None = None,
) -> None:
    """One duration point and one token point per reported token type, with exactly the
    call's metric attributes; stream timing points only for streams."""
    expected = metric_attributes(span.attributes, error_type=span.attributes.get("error.type"))
    points = {name: found for name, found in telemetry.metrics().items() if found}
    (duration,) = points.pop(DURATION)
    assert dict(duration.attributes) == expected
    assert duration.count == 1
    assert 0 < duration.sum <= (span.end_time - span.start_time) / 1e9
    tokens = {dict(p.attributes)["gen_ai.token.type"]: p for p in points.pop(TOKEN_USAGE, [])}
    wanted = {"input": input_tokens, "output": output_tokens}
    wanted = {kind: value for kind, value in wanted.items() if value is not None}
    assert {kind: (p.count, p.sum) for kind, p in tokens.items()} == {
        kind: (1, value) for kind, value in wanted.items()
    }
    for kind, point in tokens.items():
        assert dict(point.attributes) == {**expected, "gen_ai.token.type": kind}
    if span.attributes.get("gen_ai.request.stream"):
        (first,) = points.pop(TTFC)
        assert dict(first.attributes) == expected
        assert first.sum == span.attributes["gen_ai.response.time_to_first_chunk"]
        for per_chunk in points.pop(TIME_PER_CHUNK, []):
            assert dict(per_chunk.attributes) == expected
    assert points == {}


async def uninstrumented(instrumentor: Any, telemetry: Any, work: Any) -> Any:
    """``work()`` (awaited if need be) with the SDK unpatched; instrumented again after."""
    instrumentor.uninstrument()
    try:
        return await resolve(work())
    finally:
        instrumentor.instrument(
            tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
        )


# -- message parts as the span carries them (JSON) ---------------------------------------------


def text(content: str) -> dict[str, Any]:
    return {"type": "text", "content": content}


def reasoning(content: str) -> dict[str, Any]:
    return {"type": "reasoning", "content": content}


def tool_call(name: str, call_id: str | None, arguments: Any) -> dict[str, Any]:
    return {"type": "tool_call", "name": name, "id": call_id, "arguments": arguments}


def tool_result(response: Any, call_id: str | None) -> dict[str, Any]:
    return {"type": "tool_call_response", "response": response, "id": call_id}


def message(role: str, *parts: dict[str, Any], name: str | None = None) -> dict[str, Any]:
    return {"role": role, "parts": list(parts), "name": name}


def output(*parts: dict[str, Any], finish_reason: str) -> list[dict[str, Any]]:
    return [
        {"role": "assistant", "parts": list(parts), "finish_reason": finish_reason, "name": None}
    ]


def content_of(span: Any) -> dict[str, Any]:
    keys = (
        "gen_ai.system_instructions",
        "gen_ai.input.messages",
        "gen_ai.output.messages",
        "gen_ai.tool.definitions",
    )
    return {key: json.loads(span.attributes[key]) for key in keys if key in span.attributes}


def assert_call(
    telemetry: Any, name: str, attributes: Mapping[str, Any], *, error: str | None = None
) -> Any:
    """The call's one span (exact attributes) and its metric points, token points from the
    span's usage; returns the span."""
    span = only_span(telemetry)
    assert_span(span, name, attributes, error=error)
    assert_metrics(
        telemetry,
        span,
        input_tokens=attributes.get("gen_ai.usage.input_tokens"),
        output_tokens=attributes.get("gen_ai.usage.output_tokens"),
    )
    return span
