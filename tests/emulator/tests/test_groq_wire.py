"""Groq wire checks that need the newest SDK's types (typed `x_groq`, raw responses).

The checks that also run on old SDKs live in test_groq_wire_any_sdk.py.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import groq
import pytest
from groq import Groq
from provider_emulator import EmulatorServer

MODEL = "llama-3.1-8b-instant"
MESSAGES = [{"role": "user", "content": "Hello there emulator"}]


@pytest.fixture
def client(emulator: EmulatorServer) -> Groq:
    return Groq(base_url=emulator.groq_base_url, api_key="gsk-emulator", max_retries=0)


def test_typed_x_groq_and_timings(client: Groq) -> None:
    completion = client.chat.completions.create(model=MODEL, messages=MESSAGES)
    assert completion.x_groq.id.startswith("req_")
    assert completion.service_tier == "on_demand"
    assert completion.usage.queue_time == 0.0125
    assert completion.usage.prompt_time == pytest.approx(3 * 0.0001)
    assert completion.usage.completion_time == pytest.approx(6 * 0.002)

    chunks = list(client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True))
    assert chunks[0].x_groq.id == chunks[-1].x_groq.id
    assert chunks[-1].x_groq.usage.total_tokens == 9
    assert chunks[-1].usage is None


def test_raw_response_headers(client: Groq) -> None:
    raw = client.chat.completions.with_raw_response.create(model=MODEL, messages=MESSAGES)
    completion = raw.parse()
    assert raw.headers["x-request-id"] == completion.x_groq.id
    assert raw.headers["content-type"] == "application/json"


def test_n_above_one_is_rejected(client: Groq) -> None:
    with pytest.raises(groq.BadRequestError, match="must be between 1 and 1"):
        client.chat.completions.create(model=MODEL, messages=MESSAGES, n=2)


def test_missing_messages_and_unknown_path(client: Groq, emulator: EmulatorServer) -> None:
    with pytest.raises(groq.BadRequestError, match="'messages' : property 'messages' is missing"):
        client.chat.completions.create(model=MODEL, messages=[])
    request = urllib.request.Request(
        emulator.groq_base_url + "/openai/v1/nope", data=b"{}", method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request)
    assert caught.value.code == 404
    assert json.loads(caught.value.read())["error"]["code"] == "unknown_url"


def test_malformed_json_and_unknown_fault(client: Groq) -> None:
    with pytest.raises(json.JSONDecodeError):
        client.chat.completions.create(
            model=MODEL, messages=MESSAGES, extra_headers={"x-emulator-fault": "malformed-json"}
        )
    with pytest.raises(groq.BadRequestError, match="unknown x-emulator-fault"):
        client.chat.completions.create(
            model=MODEL, messages=MESSAGES, extra_headers={"x-emulator-fault": "nope"}
        )
