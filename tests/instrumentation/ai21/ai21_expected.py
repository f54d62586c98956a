"""What the installed ai21 SDK offers, how to build its clients, and the expected telemetry.

Every capability is read from the installed SDK itself (its modules and signatures), so one
test suite runs on ai21 2.0.0 (Jurassic-2 only), 2.5.2 (Jamba chat, streams, async) and 4.x.
Attribute and metric names are literal strings on purpose: a renamed constant must fail here.
"""

from __future__ import annotations

import importlib
import inspect
import math
from typing import Any

import ai21
import pytest
from conformance.expect import DURATION, TOKEN_USAGE, TTFC
from opentelemetry.trace import SpanKind, StatusCode

SCOPE = "opentelemetry.instrumentation.agentops.ai21"
API_KEY = "ai21-test-key-0123456789"
RESOURCES = "ai21.clients.studio.resources"


def _attribute(module: str, name: str) -> Any:
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def _parameters(function: Any) -> frozenset[str]:
    return frozenset(inspect.signature(function).parameters) if function else frozenset()


SDK_VERSION = tuple(int(part) for part in ai21.__version__.split(".")[:3])
SDK = f"ai21 {ai21.__version__}"
ChatCompletions = _attribute(f"{RESOURCES}.chat.chat_completions", "ChatCompletions")
StudioCompletion = _attribute(f"{RESOURCES}.studio_completion", "StudioCompletion")
JAMBA_PARAMS = _parameters(ChatCompletions and ChatCompletions.create)
COMPLETION_PARAMS = _parameters(StudioCompletion and StudioCompletion.create)

# Each feature: whether the installed SDK has it, and what to say when it does not.
FEATURES: dict[str, tuple[bool, str]] = {
    "jamba": (ChatCompletions is not None, "has no Jamba chat.completions (new in 2.2)"),
    "streams": ("stream" in JAMBA_PARAMS, "chat.completions.create takes no stream (new in 2.5)"),
    # ai21 2.0 has a module __getattr__ that answers None for unknown names.
    "async": (
        getattr(ai21, "AsyncAI21Client", None) is not None,
        "has no AsyncAI21Client (new in 2.5)",
    ),
    "tools": ("tools" in JAMBA_PARAMS, "chat.completions.create takes no tools (new in 2.13)"),
    "response_format": (
        "response_format" in JAMBA_PARAMS,
        "chat.completions.create takes no response_format (new in 2.13)",
    ),
    # ai21 3.0 still ships StudioCompletion but no longer gives clients a ``completion``.
    "j2_completion": (
        _attribute("ai21.clients.studio.ai21_client", "StudioCompletion") is not None,
        "clients have no completion (gone since 3.0)",
    ),
    "custom_model": (
        "custom_model" in COMPLETION_PARAMS,
        "completion.create takes no custom_model (removed in 3.0)",
    ),
}


def has(feature: str) -> bool:
    return FEATURES[feature][0]


def missing(feature: str) -> str:
    """Why a test of ``feature`` is skipped on the installed SDK."""
    return f"{SDK} {FEATURES[feature][1]}"


def needs(feature: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(not has(feature), reason=missing(feature))


PER_CHUNK = "gen_ai.client.operation.time_per_output_chunk"
_METRIC_KEYS = (
    "gen_ai.operation.name",
    "gen_ai.provider.name",
    "gen_ai.request.model",
    "server.address",
    "server.port",
)


# --- clients -------------------------------------------------------------------------------


def api_host(emulator: Any) -> str:
    """The emulator's URL in the form the installed SDK takes: up to 2.5.0 the host (the SDK
    adds ``/studio/v1``), from 2.5.1 on the full URL."""
    return emulator.ai21_api_host if SDK_VERSION <= (2, 5, 0) else emulator.ai21_base_url


def make_client(
    emulator: Any,
    asynchronous: bool = False,
    *,
    api_key: str = API_KEY,
    headers: dict[str, str] | None = None,
) -> Any:
    """A client on the emulator. Control headers go on the client: ``create(**kwargs)`` puts
    unknown keywords in the body. The SDK's default retry count is 0."""
    kind = ai21.AsyncAI21Client if asynchronous else ai21.AI21Client
    return kind(api_key=api_key, api_host=api_host(emulator), headers=headers)


def jamba_messages(*turns: tuple[str, str]) -> list[Any]:
    from ai21.models.chat import ChatMessage

    return [ChatMessage(role=role, content=text) for role, text in turns]


def j2_messages(*texts: str) -> list[Any]:
    from ai21.models import ChatMessage, RoleType

    return [ChatMessage(role=RoleType.USER, text=text) for text in texts]


def dump(value: Any) -> Any:
    """A comparable form of an SDK result: pydantic models (3.x, 4.x) or dataclasses (2.x)."""
    if hasattr(value, "model_dump"):
        return value.model_dump()
    return value.to_dict()


def j2_usage(response: Any) -> tuple[int, int]:
    """Jurassic-2 completion usage as clients count it: the lengths of the token lists."""
    return len(response.prompt.tokens), sum(len(c.data.tokens) for c in response.completions)


async def resolve(value: Any) -> Any:
    return (await value) if inspect.isawaitable(value) else value


async def drain(stream: Any) -> list[Any]:
    if hasattr(stream, "__aiter__"):
        return [chunk async for chunk in stream]
    return list(stream)


# --- expected telemetry ----------------------------------------------------------------------


def start_attributes(emulator: Any, model: str, operation: str = "chat") -> dict[str, Any]:
    return {
        "gen_ai.operation.name": operation,
        "gen_ai.provider.name": "ai21",
        "gen_ai.request.model": model,
        "server.address": "127.0.0.1",
        "server.port": emulator.port,
    }


def jamba_result_attributes(response: Any) -> dict[str, Any]:
    """What a Jamba answer says, read from the SDK object (it has no model field)."""
    return {
        "gen_ai.response.id": response.id,
        "gen_ai.response.finish_reasons": tuple(c.finish_reason for c in response.choices),
        "gen_ai.usage.input_tokens": response.usage.prompt_tokens,
        "gen_ai.usage.output_tokens": response.usage.completion_tokens,
    }


def only_span(telemetry: Any) -> Any:
    spans = telemetry.spans()
    assert len(spans) == 1, [span.name for span in spans]
    return spans[0]


def assert_span(span: Any, attributes: dict[str, Any], error: BaseException | None = None) -> None:
    """The span's name, kind, scope, exact attributes and status."""
    assert (
        span.name == f"{attributes['gen_ai.operation.name']} {attributes['gen_ai.request.model']}"
    )
    assert span.kind is SpanKind.CLIENT
    assert span.instrumentation_scope.name == SCOPE
    assert "gen_ai.response.model" not in span.attributes
    assert dict(span.attributes) == attributes
    if error is None:
        assert span.status.status_code is StatusCode.UNSET
    else:
        assert span.status.status_code is StatusCode.ERROR
        assert span.status.description == str(error)


def point_attributes(span_attributes: dict[str, Any]) -> dict[str, Any]:
    """The attributes every metric point of the call carries."""
    keys = (*_METRIC_KEYS, "error.type")
    return {key: span_attributes[key] for key in keys if key in span_attributes}


def assert_points(
    telemetry: Any,
    span: Any,
    *,
    tokens: tuple[int, int] | None = None,
    streamed: bool = False,
) -> None:
    """Exactly the call's metric points: one duration; token points only for reported usage;
    the chunk timings only for a stream (time to first chunk equal to the span's)."""
    expected_attributes = point_attributes(dict(span.attributes))
    points = {name: found for name, found in telemetry.metrics().items() if found}
    names = {DURATION} | ({TOKEN_USAGE} if tokens else set()) | ({TTFC} if streamed else set())
    assert set(points) - {PER_CHUNK} == names
    assert streamed or PER_CHUNK not in points
    (duration,) = points[DURATION]
    assert dict(duration.attributes) == expected_attributes
    assert duration.count == 1
    assert 0 < duration.sum <= (span.end_time - span.start_time) / 1e9 + 1e-3
    if tokens:
        by_type = {p.attributes["gen_ai.token.type"]: p for p in points[TOKEN_USAGE]}
        assert {kind: p.sum for kind, p in by_type.items()} == dict(
            zip(("input", "output"), tokens, strict=True)
        )
        for kind, point in by_type.items():
            assert dict(point.attributes) == {**expected_attributes, "gen_ai.token.type": kind}
            assert point.count == 1
    if streamed:
        # Measured as chunks arrive: before any error is known.
        chunk_attributes = {k: v for k, v in expected_attributes.items() if k != "error.type"}
        (first,) = points[TTFC]
        assert dict(first.attributes) == chunk_attributes
        assert math.isclose(first.sum, span.attributes["gen_ai.response.time_to_first_chunk"])
        for per_chunk in points.get(PER_CHUNK, []):
            assert dict(per_chunk.attributes) == chunk_attributes
