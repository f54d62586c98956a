"""Ollama wire checks for every SDK since ollama 0.0.1, each gated on the API it needs.

Responses are read by subscript (`r["message"]["content"]`), which works on the dicts of
ollama < 0.4 and on the typed responses after. Checked with the newest SDK and with 0.0.1 and
0.3.3. `embed` (/api/embed) is new in 0.3.0; `base_url=` became `host=` after 0.1.2.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from importlib.metadata import version
from typing import Any

import httpx
import ollama
import pytest
from provider_emulator import EmulatorServer

SDK_VERSION = tuple(int(part) for part in version("ollama").split(".")[:3])
MODEL = "llama3.2:3b"
USER = "Tell me a short story about a brave little toaster please"
REPLY = "Emulated reply to: Tell me a short story about a brave..."
COUNTS = ("prompt_eval_count", "eval_count")
DURATIONS = ("total_duration", "load_duration", "prompt_eval_duration", "eval_duration")

has_embed = pytest.mark.skipif(SDK_VERSION < (0, 3, 0), reason="embed is new in 0.3.0")


def make_client(
    emulator: EmulatorServer, headers: dict[str, str] | None = None, *, asynchronous: bool = False
) -> Any:
    cls = ollama.AsyncClient if asynchronous else ollama.Client
    host_argument = "host" if "host" in inspect.signature(cls.__init__).parameters else "base_url"
    return cls(**{host_argument: emulator.ollama_host}, headers=headers or {})


@pytest.fixture
def client(emulator: EmulatorServer) -> Any:
    return make_client(emulator)


def user(text: str = USER) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


def error_text(error: ollama.ResponseError) -> str:
    """The server's error text (0.0.1 keeps it only as the exception's message)."""
    return getattr(error, "error", None) or str(error.args[0])


def assert_final_counts(part: Any, prompt: int, completion: int) -> None:
    assert part["done"] is True
    assert (part["prompt_eval_count"], part["eval_count"]) == (prompt, completion)
    for name in DURATIONS:
        assert isinstance(part[name], int) and part[name] > 0
    assert part["total_duration"] > part["prompt_eval_duration"] + part["eval_duration"]


def test_chat_plain(client: Any, emulator: EmulatorServer) -> None:
    response = client.chat(model=MODEL, messages=user())
    assert response["model"] == MODEL
    assert response["message"]["role"] == "assistant"
    assert response["message"]["content"] == REPLY
    assert response["done_reason"] == "stop"
    assert_final_counts(response, 11, 11)
    (sent,) = emulator.requests
    assert sent.path == "/ollama/api/chat"
    assert sent.body["stream"] is False


def test_chat_stream_counts_on_the_done_line(client: Any) -> None:
    parts = list(client.chat(model=MODEL, messages=user(), stream=True))
    assert "".join(part["message"]["content"] for part in parts) == REPLY
    assert all(part["done"] is False for part in parts[:-1])
    assert all(part.get("eval_count") is None for part in parts[:-1])
    assert parts[-1]["done_reason"] == "stop"
    assert_final_counts(parts[-1], 11, 11)


def test_generate_plain_and_stream(client: Any) -> None:
    response = client.generate(model="llama3.2", prompt="Once upon a time")
    assert response["response"] == "Emulated completion of: Once upon a time"
    assert_final_counts(response, 4, 7)
    assert response["context"] == list(range(1, 12))
    parts = list(client.generate(model="llama3.2", prompt="Once upon a time", stream=True))
    assert "".join(part["response"] for part in parts) == response["response"]
    assert parts[-1]["context"] == response["context"]


def test_options_num_predict_and_stop(client: Any, emulator: EmulatorServer) -> None:
    options = {"num_predict": 3, "temperature": 0.2, "top_p": 0.9, "top_k": 40, "seed": 7}
    cut = client.chat(model=MODEL, messages=user(), options=options)
    assert cut["message"]["content"] == "Emulated reply to:"
    assert cut["done_reason"] == "length"
    assert cut["eval_count"] == 3
    assert emulator.requests[0].body["options"]["num_predict"] == 3

    stopped = client.generate(model=MODEL, prompt="one two three", options={"stop": ["two"]})
    assert stopped["response"] == "Emulated completion of: one"
    assert stopped["done_reason"] == "stop"


def test_format_json(client: Any) -> None:
    response = client.chat(model=MODEL, messages=user("Say hi"), format="json")
    assert response["message"]["content"] == '{"message": "Emulated reply to: Say hi"}'


def test_embeddings(client: Any, emulator: EmulatorServer) -> None:
    response = client.embeddings(model="nomic-embed-text", prompt="one two")
    assert len(response["embedding"]) == 8
    assert emulator.requests[0].path == "/ollama/api/embeddings"
    again = client.embeddings(model="nomic-embed-text", prompt="one two")
    assert again["embedding"] == response["embedding"]


@has_embed
def test_embed_string_and_list(client: Any) -> None:
    single = client.embed(model="all-minilm", input="one two")
    batch = client.embed(model="all-minilm", input=["one two", "three"])
    assert single["embeddings"][0] == batch["embeddings"][0]
    assert len(batch["embeddings"]) == 2
    assert (single["prompt_eval_count"], batch["prompt_eval_count"]) == (2, 3)


def test_show(client: Any) -> None:
    info = client.show("llama3.2")
    # Typed responses (0.4 and later) name the field `modelinfo`.
    model_info = info["modelinfo"] if SDK_VERSION >= (0, 4, 0) else info["model_info"]
    assert model_info["llama.context_length"] == 131072
    assert info["details"]["family"] == "llama"
    assert "tools" in info["capabilities"]


def test_missing_model_is_a_404(client: Any) -> None:
    with pytest.raises(ollama.ResponseError) as caught:
        client.chat(model="missing-model:7b", messages=user())
    assert caught.value.status_code == 404
    assert error_text(caught.value) == "model 'missing-model:7b' not found"
    with pytest.raises(ollama.ResponseError):
        list(client.chat(model="missing-model", messages=user(), stream=True))


@pytest.mark.parametrize("status", [400, 401, 403, 404, 429, 500, 503, 529])
@pytest.mark.parametrize("stream", [False, True])
def test_http_faults(emulator: EmulatorServer, status: int, stream: bool) -> None:
    client = make_client(emulator, {"x-emulator-fault": f"http-{status}"})
    with pytest.raises(ollama.ResponseError) as caught:
        result = client.chat(model=MODEL, messages=user(), stream=stream)
        if stream:
            list(result)
    assert caught.value.status_code == status
    assert error_text(caught.value)


def test_stream_error_line(emulator: EmulatorServer) -> None:
    client = make_client(emulator, {"x-emulator-fault": "stream-error", "x-emulator-chunks": "10"})
    received = []
    with pytest.raises(ollama.ResponseError) as caught:
        for part in client.chat(model=MODEL, messages=user(), stream=True):
            received.append(part)
    assert "error was encountered while running the model" in error_text(caught.value)
    # Half of the 11 lines (10 content, the done line) arrive before the error line.
    assert len(received) == 5
    assert all(part["done"] is False for part in received)


def test_stream_cut(emulator: EmulatorServer) -> None:
    client = make_client(emulator, {"x-emulator-fault": "stream-cut", "x-emulator-chunks": "10"})
    received = []
    with pytest.raises(httpx.RemoteProtocolError):
        for part in client.chat(model=MODEL, messages=user(), stream=True):
            received.append(part)
    assert 0 < len(received) < 11
    assert all(part["done"] is False for part in received)


def test_control_headers(emulator: EmulatorServer) -> None:
    headers = {
        "x-emulator-chunks": "4",
        "x-emulator-latency-ms": "250",
        # Ollama reports no cached tokens: the header is accepted and changes nothing.
        "x-emulator-cached-tokens": "5",
    }
    client = make_client(emulator, headers)
    start = time.perf_counter()
    parts = list(client.chat(model=MODEL, messages=user(), stream=True))
    assert time.perf_counter() - start >= 0.25
    assert len(parts) == 5
    assert_final_counts(parts[-1], 11, 4)


def test_ollama_host_environment_variable(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OLLAMA_HOST", emulator.ollama_host)
    assert ollama.Client().chat(model=MODEL, messages=user())["message"]["content"] == REPLY


def test_async_plain_and_stream(emulator: EmulatorServer) -> None:
    async def run() -> tuple[str, str, Any]:
        client = make_client(emulator, asynchronous=True)
        response = await client.chat(model=MODEL, messages=user())
        stream = await client.chat(model=MODEL, messages=user(), stream=True)
        parts = [part async for part in stream]
        text = "".join(part["message"]["content"] for part in parts)
        return response["message"]["content"], text, parts[-1]

    plain, streamed, last = asyncio.run(run())
    assert plain == streamed == REPLY
    assert_final_counts(last, 11, 11)
