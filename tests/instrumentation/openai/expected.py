"""Helpers shared by the OpenAI instrumentation tests: what the installed SDK supports, how to
drive sync and async clients from one test body, and the expected telemetry.

Attribute and metric names are spelled out here as literal strings on purpose: the tests must
fail if the instrumentation (or the constants it imports) ever emits a different name.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import math
from typing import Any

import openai
from conformance.case import uninstrumented as uninstrumented
from conformance.metrics import metric_attributes  # noqa: F401 - the OpenAI tests import it here
from opentelemetry.trace import SpanKind, StatusCode

API_KEY = "sk-test-secret-key-0123456789"
SCOPE_NAME = "opentelemetry.instrumentation.agentops.openai"

DURATION = "gen_ai.client.operation.duration"
TOKEN_USAGE = "gen_ai.client.token.usage"
TTFC = "gen_ai.client.operation.time_to_first_chunk"
TIME_PER_CHUNK = "gen_ai.client.operation.time_per_output_chunk"

# The advisory bucket boundaries of the semantic conventions.
DURATION_BUCKETS = (
    0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
)  # fmt: skip
TOKEN_BUCKETS = (
    1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
)  # fmt: skip

CONTENT_ATTRIBUTES = (
    "gen_ai.input.messages",
    "gen_ai.output.messages",
    "gen_ai.system_instructions",
    "gen_ai.tool.definitions",
)


# --- what the installed SDK supports -------------------------------------------------------


def _optional_attr(module: str, *path: str) -> Any:
    try:
        value: Any = importlib.import_module(module)
    except ImportError:
        return None
    for name in path:
        value = getattr(value, name, None)
    return value


ChatCompletions = openai.resources.chat.completions.Completions
CHAT_CREATE_PARAMS = frozenset(inspect.signature(ChatCompletions.create).parameters)
EMBEDDINGS_CREATE_PARAMS = frozenset(
    inspect.signature(openai.resources.embeddings.Embeddings.create).parameters
)
Responses = _optional_attr("openai.resources.responses", "Responses")

SDK = f"openai {openai.__version__}"
HAS_RESPONSES = Responses is not None
HAS_RESPONSES_PARSE = HAS_RESPONSES and hasattr(Responses, "parse")
HAS_CHAT_PARSE = hasattr(ChatCompletions, "parse")
HAS_CHAT_STREAM_HELPER = hasattr(ChatCompletions, "stream")
HAS_STREAM_OPTIONS = "stream_options" in CHAT_CREATE_PARAMS
HAS_TOOLS = "tools" in CHAT_CREATE_PARAMS
HAS_STREAMING_RESPONSE = hasattr(ChatCompletions, "with_streaming_response")

NO_RESPONSES = f"{SDK} has no Responses API (openai.resources.responses)"
NO_RESPONSES_PARSE = f"{SDK} has no responses.parse"
NO_CHAT_PARSE = f"{SDK} has no chat.completions.parse"
NO_CHAT_STREAM_HELPER = f"{SDK} has no chat.completions.stream"
NO_STREAM_OPTIONS = f"{SDK} chat.completions.create takes no stream_options"
NO_TOOLS = f"{SDK} chat.completions.create takes no tools"
NO_STREAMING_RESPONSE = f"{SDK} has no with_streaming_response"


def http_module() -> Any:
    """The HTTP library the installed SDK is built on (httpx2 on openai 3, httpx before)."""
    base_client = importlib.import_module("openai._base_client")
    return getattr(base_client, "httpx2", None) or base_client.httpx


# --- driving sync and async clients from one test body ---------------------------------------


async def resolve(value: Any) -> Any:
    """The value itself for sync clients; awaited for async ones."""
    if inspect.isawaitable(value):
        return await value
    return value


async def drain(stream: Any) -> list[Any]:
    if hasattr(stream, "__aiter__"):
        return [chunk async for chunk in stream]
    return list(stream)


async def outcome(call: Any, received: list[Any] | None = None) -> tuple[Any, BaseException | None]:
    """Run ``call()`` (and drain it when it is a stream); the result or the exception raised.

    Chunks read from a stream are appended to ``received`` as they arrive, so a test can see
    what came before a failure."""
    chunks = received if received is not None else []
    try:
        result = await resolve(call())
        if isinstance(result, openai.Stream | openai.AsyncStream):
            if hasattr(result, "__aiter__"):
                async for chunk in result:
                    chunks.append(chunk)
            else:
                chunks.extend(result)
            result = chunks
    except Exception as error:
        return None, error
    return result, None


def strings_in(value: Any) -> list[str]:
    """Every string inside an attribute value or log body (nested sequences and mappings)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, bytes):
        return [value.decode(errors="replace")]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [*strings_in(k), *strings_in(v)]]
    if isinstance(value, list | tuple):
        return [s for item in value for s in strings_in(item)]
    return [str(value)] if value is not None else []


def assert_secret_absent(secret: str, spans: list[Any], records: list[Any] = ()) -> None:
    """``secret`` appears in no span name, attribute, status or event, nor in the Python log
    records and OpenTelemetry log records given."""
    texts: list[str] = []
    for span in spans:
        texts.append(span.name)
        texts.extend(strings_in(dict(span.attributes)))
        texts.extend(strings_in(span.status.description))
        for event in span.events:
            texts.append(event.name)
            texts.extend(strings_in(dict(event.attributes or {})))
    for record in records:
        if isinstance(record, logging.LogRecord):
            texts.append(record.getMessage())
            if record.exc_info:
                texts.append(logging.Formatter().formatException(record.exc_info))
        else:  # an OpenTelemetry log record
            log = getattr(record, "log_record", record)
            texts.extend(strings_in(log.body))
            texts.extend(strings_in(dict(log.attributes or {})))
            texts.extend(strings_in(getattr(log, "event_name", None)))
    leaks = [text for text in texts if secret in text]
    assert not leaks, leaks


def detail(obj: Any, name: str) -> Any:
    """A field of an SDK model or of a plain dict (older SDKs keep unknown fields as dicts)."""
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def dump(chunk: Any, *drop: str) -> dict[str, Any]:
    data = chunk.model_dump()
    for name in drop:
        data.pop(name, None)
    return data


# --- expected telemetry ------------------------------------------------------------------


def endpoint(emulator: Any) -> dict[str, Any]:
    return {"provider": "openai", "address": "127.0.0.1", "port": emulator.port}


def base_attributes(
    emulator: Any = None,
    *,
    operation: str = "chat",
    model: str,
    provider: str | None = None,
    address: str | None = None,
    port: int | None = None,
    api_type: str | None = "",
) -> dict[str, Any]:
    """Start attributes; ``openai.api.type`` is ``chat_completions`` for chat unless given
    (``responses``), or left out with ``api_type=None``."""
    where = endpoint(emulator) if emulator is not None else {}
    attributes = {
        "gen_ai.operation.name": operation,
        "gen_ai.provider.name": provider or where["provider"],
        "gen_ai.request.model": model,
        "server.address": address or where["address"],
        "server.port": port or where["port"],
    }
    if api_type == "" and operation == "chat":
        api_type = "chat_completions"
    if api_type:
        attributes["openai.api.type"] = api_type
    return attributes


def chat_response_attributes(response: Any) -> dict[str, Any]:
    """What a chat or legacy completion response says, read from the SDK object."""
    attributes: dict[str, Any] = {
        "gen_ai.response.model": response.model,
        "gen_ai.response.id": response.id,
        "gen_ai.response.finish_reasons": tuple(c.finish_reason for c in response.choices),
        "gen_ai.usage.input_tokens": response.usage.prompt_tokens,
        "gen_ai.usage.output_tokens": response.usage.completion_tokens,
    }
    fingerprint = getattr(response, "system_fingerprint", None)
    if fingerprint:
        attributes["openai.response.system_fingerprint"] = fingerprint
    tier = getattr(response, "service_tier", None)
    if tier:
        attributes["openai.response.service_tier"] = tier
    return attributes


def responses_response_attributes(response: Any, finish_reason: str = "stop") -> dict[str, Any]:
    return {
        "openai.api.type": "responses",
        "gen_ai.response.model": response.model,
        "gen_ai.response.id": response.id,
        "gen_ai.response.finish_reasons": (finish_reason,),
        "gen_ai.usage.input_tokens": response.usage.input_tokens,
        "gen_ai.usage.output_tokens": response.usage.output_tokens,
        "openai.response.service_tier": response.service_tier,
    }


def only_span(telemetry: Any) -> Any:
    spans = telemetry.spans()
    assert len(spans) == 1, [span.name for span in spans]
    return spans[0]


def assert_span(
    span: Any,
    name: str,
    attributes: dict[str, Any],
    *,
    error: BaseException | None = None,
    description: str | None = None,
) -> None:
    assert span.name == name
    assert span.kind is SpanKind.CLIENT
    assert span.instrumentation_scope.name == SCOPE_NAME
    assert span.parent is None
    assert span.end_time is not None
    assert dict(span.attributes) == attributes
    if error is None:
        assert span.status.status_code is StatusCode.UNSET
        assert span.status.description is None
    else:
        assert span.status.status_code is StatusCode.ERROR
        assert span.status.description == (description if description is not None else str(error))
    assert list(span.events) == []


def _span_seconds(span: Any) -> float:
    return (span.end_time - span.start_time) / 1e9


def assert_metrics(
    telemetry: Any,
    attributes: dict[str, Any],
    *,
    input_tokens: int | None = None,
    output_tokens: int | None = None,
    calls: int = 1,
    spans: list[Any] | None = None,
    streamed: bool = False,
) -> dict[str, list[Any]]:
    """One duration point (``calls`` measurements) and, when tokens are given, one token-usage
    point per token type, all carrying exactly ``attributes``; nothing else besides the
    stream timing histograms of a streamed call."""
    points = telemetry.metrics()
    units = telemetry.metric_units()
    expected_names = {DURATION}
    if input_tokens is not None or output_tokens is not None:
        expected_names.add(TOKEN_USAGE)
    present = {name for name, found in points.items() if found}
    extra = present - expected_names
    if streamed:
        assert TTFC in present
        extra -= {TTFC, TIME_PER_CHUNK}
    assert present >= expected_names, present
    assert not extra, extra

    (duration,) = points[DURATION]
    assert units[DURATION] == "s"
    assert dict(duration.attributes) == attributes
    assert duration.count == calls
    assert tuple(duration.explicit_bounds) == DURATION_BUCKETS
    assert duration.sum > 0
    if spans is not None:
        # Measured between the span's start and end, so it cannot exceed them.
        assert duration.sum <= sum(_span_seconds(span) for span in spans) + 1e-3

    if TOKEN_USAGE in expected_names:
        assert units[TOKEN_USAGE] == "{token}"
        by_type = {dict(p.attributes)["gen_ai.token.type"]: p for p in points[TOKEN_USAGE]}
        wanted = {"input": input_tokens, "output": output_tokens}
        wanted = {kind: count for kind, count in wanted.items() if count is not None}
        assert set(by_type) == set(wanted)
        for kind, count in wanted.items():
            point = by_type[kind]
            assert dict(point.attributes) == {**attributes, "gen_ai.token.type": kind}
            assert point.count == calls
            assert point.sum == count
            if calls == 1:
                assert point.min == point.max == count
            assert tuple(point.explicit_bounds) == TOKEN_BUCKETS
    return points


def assert_ttfc(points: dict[str, list[Any]], attributes: dict[str, Any], span: Any) -> float:
    """The time-to-first-chunk histogram has one measurement equal to the span's attribute;
    it and the per-chunk histogram carry the duration point's attributes."""
    (ttfc,) = points[TTFC]
    assert dict(ttfc.attributes) == attributes
    for per_chunk in points.get(TIME_PER_CHUNK, []):
        assert dict(per_chunk.attributes) == attributes
    assert ttfc.count == 1
    assert tuple(ttfc.explicit_bounds) == DURATION_BUCKETS
    value = span.attributes["gen_ai.response.time_to_first_chunk"]
    assert isinstance(value, float)
    assert math.isclose(ttfc.sum, value)
    assert 0 <= value <= _span_seconds(span)
    return value


def public_path_of(error_type: str, error: BaseException) -> None:
    """``error_type`` names ``type(error)`` by a public import path."""
    module_name, _, name = error_type.rpartition(".")
    assert module_name and not any(part.startswith("_") for part in error_type.split("."))
    assert getattr(importlib.import_module(module_name), name) is type(error)
    if isinstance(error, openai.OpenAIError):
        assert error_type == f"openai.{type(error).__name__}"
