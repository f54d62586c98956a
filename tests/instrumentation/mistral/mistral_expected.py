"""Helpers of the Mistral instrumentation tests: what the installed SDK has (read from it), how
its clients are made against the emulator, and the telemetry its results imply.

mistralai 1.x keeps its modules at the top (``mistralai.chat``); 2.0 moved them under
``mistralai.client`` (a namespace package). 1.0.x takes no per-call headers, so emulator control
headers go on the HTTP clients the SDK is given.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import inspect
from collections.abc import Callable, Mapping
from typing import Any

from conformance import expect

try:  # mistralai >= 2.0
    from mistralai.client import Mistral, models
    from mistralai.client import errors as sdk_errors
    from mistralai.client.utils import eventstreaming

    LAYOUT = "mistralai.client"
except ImportError:  # 1.x
    from mistralai import Mistral, models
    from mistralai.utils import eventstreaming

    sdk_errors = models
    LAYOUT = "mistralai"

SCOPE = "opentelemetry.instrumentation.agentops.mistral"
PROVIDER = "mistral_ai"
API_KEY = "mistral-test-key-0123456789"
MODEL = "mistral-small-latest"
FIM_MODEL = "codestral-latest"
EMBED_MODEL = "mistral-embed"

SDK_VERSION = importlib.metadata.version("mistralai")
SDK = f"mistralai {SDK_VERSION}"
Chat = importlib.import_module(f"{LAYOUT}.chat").Chat
Embeddings = importlib.import_module(f"{LAYOUT}.embeddings").Embeddings
CHAT_PARAMS = frozenset(inspect.signature(Chat.complete).parameters)
EMBED_PARAMS = frozenset(inspect.signature(Embeddings.create).parameters)
HAS_PARSE = hasattr(Chat, "parse")
NO_PARSE = f"{SDK} has no chat.parse"
# 1.0.x streams are plain generators; later ones EventStream / EventStreamAsync.
EventStream = getattr(eventstreaming, "EventStream", None)
EventStreamAsync = getattr(eventstreaming, "EventStreamAsync", None)
STREAMS_CLOSE = EventStream is None or hasattr(EventStream, "close")
STREAMS_ARE_CONTEXT_MANAGERS = EventStream is not None
SDKError = sdk_errors.SDKError
HTTPValidationError = sdk_errors.HTTPValidationError


def _module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


# mistralai 1.10 to 2.4 trace every request themselves whenever a tracer provider exists: the
# tracing hook is there and the opt-in switch of 2.5 (``extra/observability/telemetry.py``,
# ``MISTRAL_SDK_TELEMETRY``) not.
OPTS_IN = _module("mistralai.extra.observability.telemetry") is not None
TRACES_ITSELF = _module(f"{LAYOUT}._hooks.tracing") is not None and not OPTS_IN
NO_OPT_IN = f"{SDK} has no MISTRAL_SDK_TELEMETRY switch"


def http_module() -> Any:
    """The HTTP library this SDK version is built on (httpx, or httpx2 from mistralai 3.0)."""
    probe = Mistral(api_key="probe")
    return importlib.import_module(type(probe.sdk_configuration.client).__module__.split(".")[0])


HTTP = http_module()


def make_client(
    server_url: str, api_key: str = API_KEY, headers: Mapping[str, str] | None = None
) -> Any:
    """A client of ``server_url`` whose requests carry ``headers`` (sync and async)."""
    return Mistral(
        api_key=api_key,
        server_url=server_url,
        client=HTTP.Client(headers=dict(headers or {})),
        async_client=HTTP.AsyncClient(headers=dict(headers or {})),
    )


def with_headers(client: Any, headers: Mapping[str, str] | None) -> Any:
    """The same client (server and key) with control headers on every request."""
    if not headers:
        return client
    config = client.sdk_configuration
    return make_client(config.server_url, config.security.api_key, headers)


def method(resource: Any, name: str, asynchronous: bool) -> Any:
    return getattr(resource, f"{name}_async" if asynchronous else name)


def user(text: str = "tell me a short story") -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


error_type = expect.error_type


def dump(value: Any) -> Any:
    return value.model_dump()


def text_of(chunk: Any) -> str:
    """The text a stream event (or chunk) carries."""
    data = getattr(chunk, "data", chunk)
    return "".join(
        c.delta.content for c in data.choices if isinstance(getattr(c.delta, "content", None), str)
    )


# --- expected telemetry ------------------------------------------------------------------

assert_span = functools.partial(expect.assert_span, scope=SCOPE)


def assert_call(
    telemetry: Any,
    name: str,
    expected: dict[str, Any] | Callable[[Any], dict[str, Any]],
    *,
    input_tokens: int | None,
    output_tokens: int | None,
    streamed: bool = False,
) -> Any:
    """One span named ``name`` with exactly ``expected`` (or what ``expected(span)`` returns,
    for values only the span knows), and the metric points those attributes imply."""
    span = expect.only_span(telemetry)
    attributes = expected(span) if callable(expected) else expected
    assert_span(span, name, attributes)
    points = expect.assert_metrics(
        telemetry,
        expect.metric_attributes(attributes),
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        spans=[span],
        streamed=streamed,
    )
    if streamed:
        expect.assert_ttfc(points, expect.metric_attributes(attributes), span)
    return span


def base_attributes(emulator: Any, *, model: str = MODEL, operation: str = "chat") -> dict:
    return {
        "gen_ai.operation.name": operation,
        "gen_ai.provider.name": PROVIDER,
        "gen_ai.request.model": model,
        "server.address": "127.0.0.1",
        "server.port": emulator.port,
    }


def response_attributes(response: Any) -> dict[str, Any]:
    """What a chat or FIM response says, read from the SDK object."""
    return {
        "gen_ai.response.id": response.id,
        "gen_ai.response.model": response.model,
        "gen_ai.response.finish_reasons": tuple(c.finish_reason for c in response.choices),
        "gen_ai.usage.input_tokens": response.usage.prompt_tokens,
        "gen_ai.usage.output_tokens": response.usage.completion_tokens,
    }


def tokens(response: Any) -> dict[str, int]:
    """The token counts of a result, as ``assert_call`` takes them."""
    usage = response.usage
    return {"input_tokens": usage.prompt_tokens, "output_tokens": usage.completion_tokens}


def stream_attributes(events: list[Any], span: Any) -> dict[str, Any]:
    """What the events of a stream said (usage in the last one), and the stream's timing."""
    chunks = [event.data for event in events]
    last = chunks[-1]
    ttfc = span.attributes["gen_ai.response.time_to_first_chunk"]
    return {
        "gen_ai.request.stream": True,
        "gen_ai.response.id": chunks[0].id,
        "gen_ai.response.model": chunks[0].model,
        "gen_ai.response.finish_reasons": tuple(c.finish_reason for c in last.choices),
        "gen_ai.usage.input_tokens": last.usage.prompt_tokens,
        "gen_ai.usage.output_tokens": last.usage.completion_tokens,
        "gen_ai.response.time_to_first_chunk": ttfc,
    }
