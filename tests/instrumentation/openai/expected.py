"""Helpers shared by the OpenAI instrumentation tests: what the installed SDK supports, how to
drive sync and async clients from one test body, and the expected telemetry (the checks every
provider shares are in ``conformance.expect``, re-exported here).
"""

from __future__ import annotations

import functools
import importlib
import inspect
from typing import Any

import openai
from conformance import expect
from conformance.expect import (  # noqa: F401 - re-exported for the OpenAI tests
    CONTENT_ATTRIBUTES,
    DURATION,
    TIME_PER_CHUNK,
    TOKEN_USAGE,
    TTFC,
    assert_metrics,
    assert_secret_absent,
    assert_ttfc,
    drain,
    metric_attributes,
    only_span,
    resolve,
    uninstrumented,
)

API_KEY = "sk-test-secret-key-0123456789"
SCOPE_NAME = "opentelemetry.instrumentation.agentops.openai"
assert_span = functools.partial(expect.assert_span, scope=SCOPE_NAME)


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


def public_path_of(error_type: str, error: BaseException) -> None:
    """``error_type`` names ``type(error)`` by a public import path."""
    module_name, _, name = error_type.rpartition(".")
    assert module_name and not any(part.startswith("_") for part in error_type.split("."))
    assert getattr(importlib.import_module(module_name), name) is type(error)
    if isinstance(error, openai.OpenAIError):
        assert error_type == f"openai.{type(error).__name__}"
