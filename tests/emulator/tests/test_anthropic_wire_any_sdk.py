"""Emulator checks that use only Anthropic SDK APIs present since anthropic 0.32.0.

They pass with the newest SDK and with old ones (see the emulator README for the pins), so
instrumentation can be tested across SDK versions against the same emulator. Parts that only
some versions have (legacy completions before 1.0, count_tokens) are checked where they exist.
"""

from __future__ import annotations

import importlib

import anthropic
import pytest
from anthropic import Anthropic, AsyncAnthropic
from provider_emulator import EmulatorServer

# anthropic >= 1.0 uses httpx2, older ones httpx; either may be installed beside the other.
HTTP_LIBRARY = "httpx2" if hasattr(anthropic._base_client, "httpx2") else "httpx"
http = importlib.import_module(HTTP_LIBRARY)

MODEL = "claude-haiku-4-5"
MESSAGES = [{"role": "user", "content": "Hello there brave emulator"}]
REPLY = "Emulated reply to: Hello there brave emulator"
TOOL = {
    "name": "lookup",
    "input_schema": {
        "type": "object",
        "properties": {"query": {"type": "string"}},
        "required": ["query"],
    },
}


@pytest.fixture
def client(emulator: EmulatorServer) -> Anthropic:
    return Anthropic(base_url=emulator.anthropic_base_url, api_key="sk-ant-emulator", max_retries=0)


def usage_field(usage: object, name: str) -> object:
    """A usage count the SDK may not declare (0.32 knows only input and output tokens)."""
    value = getattr(usage, name, None)
    if value is None:
        value = (getattr(usage, "model_extra", None) or {}).get(name)
    return value


def test_create(client: Anthropic, emulator: EmulatorServer) -> None:
    message = client.messages.create(model=MODEL, max_tokens=100, messages=MESSAGES)
    assert message.content[0].text == REPLY
    assert message.stop_reason == "end_turn"
    assert message.usage.input_tokens == 4
    assert message.usage.output_tokens == 7
    assert emulator.requests[0].path == "/anthropic/v1/messages"


def test_stream(client: Anthropic) -> None:
    events = list(
        client.messages.create(model=MODEL, max_tokens=100, messages=MESSAGES, stream=True)
    )
    assert [events[0].type, events[-1].type] == ["message_start", "message_stop"]
    text = "".join(e.delta.text for e in events if e.type == "content_block_delta")
    assert text == REPLY
    end = next(e for e in events if e.type == "message_delta")
    assert end.usage.output_tokens == 7
    with client.messages.stream(model=MODEL, max_tokens=100, messages=MESSAGES) as stream:
        assert "".join(stream.text_stream) == REPLY
        final = stream.get_final_message()
    assert final.usage.output_tokens == 7


async def test_async_stream(emulator: EmulatorServer) -> None:
    client = AsyncAnthropic(
        base_url=emulator.anthropic_base_url, api_key="sk-ant-emulator", max_retries=0
    )
    stream = await client.messages.create(
        model=MODEL, max_tokens=100, messages=MESSAGES, stream=True
    )
    pieces = [e.delta.text async for e in stream if e.type == "content_block_delta"]
    assert "".join(pieces) == REPLY


def test_tool_use(client: Anthropic) -> None:
    message = client.messages.create(model=MODEL, max_tokens=100, messages=MESSAGES, tools=[TOOL])
    assert message.stop_reason == "tool_use"
    assert message.content[0].type == "tool_use"
    assert message.content[0].input == {"query": "example"}


def test_cache_tokens(client: Anthropic) -> None:
    raw = client.messages.with_raw_response.create(
        model=MODEL,
        max_tokens=100,
        messages=MESSAGES,
        extra_headers={"x-emulator-cached-tokens": "12", "x-emulator-cache-write-tokens": "3"},
    )
    usage = raw.parse().usage
    assert usage.input_tokens == 4
    assert usage_field(usage, "cache_read_input_tokens") == 12
    assert usage_field(usage, "cache_creation_input_tokens") == 3


def test_count_tokens_where_available(client: Anthropic) -> None:
    if hasattr(client.messages, "count_tokens"):
        counter = client.messages.count_tokens
    elif hasattr(getattr(client, "beta", None), "messages") and hasattr(
        client.beta.messages, "count_tokens"
    ):
        counter = client.beta.messages.count_tokens  # 0.40: beta only
    else:
        pytest.skip(f"anthropic {anthropic.__version__} has no count_tokens")
    assert counter(model=MODEL, messages=MESSAGES).input_tokens == 4


def test_legacy_completions_where_available(client: Anthropic) -> None:
    if not hasattr(client, "completions"):
        pytest.skip(f"anthropic {anthropic.__version__} has no legacy completions")
    prompt = f"{anthropic.HUMAN_PROMPT} Hello there{anthropic.AI_PROMPT}"
    completion = client.completions.create(
        model="claude-2.1", prompt=prompt, max_tokens_to_sample=50
    )
    assert completion.completion == "Emulated completion of: Hello there"
    assert completion.stop_reason == "stop_sequence"
    stream = client.completions.create(
        model="claude-2.1", prompt=prompt, max_tokens_to_sample=50, stream=True
    )
    chunks = list(stream)
    assert "".join(chunk.completion for chunk in chunks) == "Emulated completion of: Hello there"
    assert chunks[-1].stop_reason == "stop_sequence"


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("http-400", anthropic.BadRequestError),
        ("http-401", anthropic.AuthenticationError),
        ("http-403", anthropic.PermissionDeniedError),
        ("http-404", anthropic.NotFoundError),
        ("http-429", anthropic.RateLimitError),
        ("http-500", anthropic.InternalServerError),
        # Newer SDKs raise subclasses (ServiceUnavailableError, OverloadedError).
        ("http-503", anthropic.InternalServerError),
        ("http-529", anthropic.InternalServerError),
    ],
)
def test_http_faults(client: Anthropic, fault: str, error: type[Exception]) -> None:
    with pytest.raises(error) as raised:
        client.messages.create(
            model=MODEL, max_tokens=10, messages=MESSAGES, extra_headers={"x-emulator-fault": fault}
        )
    assert raised.value.status_code == int(fault.removeprefix("http-"))
    assert raised.value.body["type"] == "error"


def test_stream_error(client: Anthropic) -> None:
    stream = client.messages.create(
        model=MODEL,
        max_tokens=100,
        messages=MESSAGES,
        stream=True,
        extra_headers={"x-emulator-fault": "stream-error"},
    )
    with pytest.raises(anthropic.APIStatusError) as raised:
        list(stream)
    assert raised.value.body["error"]["type"] == "overloaded_error"


def test_stream_cut(client: Anthropic) -> None:
    stream = client.messages.create(
        model=MODEL,
        max_tokens=100,
        messages=MESSAGES,
        stream=True,
        extra_headers={"x-emulator-fault": "stream-cut"},
    )
    with pytest.raises((anthropic.APIConnectionError, http.RemoteProtocolError)):
        list(stream)
