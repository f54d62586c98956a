"""The OpenAI-format stream accumulator on chunk shapes the SDKs differ in.

Some SDKs declare tool calls on their delta type (objects), others keep them as the plain
dicts the server sent (pydantic extras: AI21's stream deltas); both must give the same output
message as the unstreamed reply.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from opentelemetry.instrumentation.agentops.core.openai_compatible import ChatStreamState
from opentelemetry.util.genai.types import OutputMessage, ToolCallRequestPart


def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> SimpleNamespace:
    choice = SimpleNamespace(index=0, delta=SimpleNamespace(**delta), finish_reason=finish_reason)
    return SimpleNamespace(id="chunk-1", choices=[choice], usage=None)


def as_objects(call: dict[str, Any]) -> SimpleNamespace:
    return SimpleNamespace(**{**call, "function": SimpleNamespace(**call["function"])})


CALL = {"index": 0, "id": "call_1", "type": "function"}


@pytest.mark.parametrize("shape", ["dicts", "objects"])
def test_streamed_tool_calls_become_one_tool_call_part(shape: str) -> None:
    pieces = [
        {**CALL, "function": {"name": "get_weather", "arguments": '{"city": '}},
        {"index": 0, "function": {"arguments": '"Paris"}'}},
    ]
    calls = pieces if shape == "dicts" else [as_objects({"id": None, **p}) for p in pieces]
    state = ChatStreamState(capture_content=True)
    chunks = [
        chunk({"role": "assistant", "content": ""}),
        chunk({"content": None, "tool_calls": [calls[0]]}),
        chunk({"content": None, "tool_calls": [calls[1]]}),
        chunk({"content": None}, finish_reason="tool_calls"),
    ]
    assert all(state.add(c) for c in chunks)

    response = state.response()
    assert response.finish_reasons == ["tool_calls"]
    # No empty text part from the first chunk's "": as the unstreamed reply reads.
    assert response.output_messages == [
        OutputMessage(
            role="assistant",
            parts=[
                ToolCallRequestPart(name="get_weather", id="call_1", arguments={"city": "Paris"})
            ],
            finish_reason="tool_call",
        )
    ]
