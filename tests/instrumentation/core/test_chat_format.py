"""The core's helpers for chat and text-completion formats, on plain data (no SDK)."""

from __future__ import annotations

import pytest
from opentelemetry.instrumentation.agentops.core import Request
from opentelemetry.instrumentation.agentops.core.chat_format import record_text_prompt
from opentelemetry.util.genai.types import InputMessage, TextPart


def new_request() -> Request[None]:
    return Request(operation="text_completion", provider="fake", model="m")


@pytest.mark.parametrize(
    ("prompt", "texts"),
    [("Say hi", ["Say hi"]), (["one", "two"], ["one", "two"]), (None, []), (42, [])],
)
def test_a_text_prompt_is_one_user_message_per_prompt_with_content_on(prompt, texts) -> None:
    request = new_request()
    record_text_prompt(request, prompt, capture_content=True)
    assert request.input_messages == [
        InputMessage(role="user", parts=[TextPart(content=text)]) for text in texts
    ]
    assert request.prompt_size is not None
    assert request.prompt_size() == sum(len(text) for text in texts)


def test_a_text_prompt_is_only_sized_with_content_off() -> None:
    request = new_request()
    record_text_prompt(request, "Say hi", capture_content=False)
    assert request.input_messages is None
    assert request.prompt_size is not None and request.prompt_size() == len("Say hi")
