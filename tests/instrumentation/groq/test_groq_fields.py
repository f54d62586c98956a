"""Groq's timings as attributes, whatever shape or value they arrive in: models of any SDK
release, the dicts of releases that do not declare a field, and values no server should send
(left out, never raising into the caller's call)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest
from opentelemetry.instrumentation.agentops.groq._extension import (
    GroqFields,
    server_times,
    stream_usage,
)

TIMES = {"queue_time": 0.5, "prompt_time": 0.001, "completion_time": 0.25, "total_time": 0.251}
ATTRIBUTES = {
    "agentops.server.queue_time": 0.5,
    "agentops.server.prompt_time": 0.001,
    "agentops.server.completion_time": 0.25,
    "agentops.server.total_time": 0.251,
}


@pytest.mark.parametrize("shape", [dict, lambda **t: SimpleNamespace(**t)], ids=["dict", "model"])
def test_every_timing_is_read(shape):
    assert server_times(shape(prompt_tokens=3, **TIMES)) == ATTRIBUTES


@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf, True, "0.5", None, [0.5]])
def test_a_value_that_is_not_a_time_is_left_out(bad):
    assert server_times({**TIMES, "queue_time": bad}) == {
        k: v for k, v in ATTRIBUTES.items() if k != "agentops.server.queue_time"
    }


def test_integers_are_doubles_and_no_timing_is_nothing():
    assert server_times({"total_time": 1}) == {"agentops.server.total_time": 1.0}
    assert isinstance(server_times({"total_time": 1})["agentops.server.total_time"], float)
    assert server_times({"prompt_tokens": 3}) is None
    assert server_times(None) is None


def test_stream_usage_is_read_from_x_groq_model_or_dict():
    usage = {"prompt_tokens": 3, "completion_tokens": 2, **TIMES}
    assert stream_usage(SimpleNamespace(x_groq=SimpleNamespace(usage=usage))) is usage
    assert stream_usage(SimpleNamespace(x_groq={"id": "req_1", "usage": usage})) is usage
    assert stream_usage(SimpleNamespace(x_groq={"id": "req_1"})) is None
    assert stream_usage(SimpleNamespace(x_groq=None)) is None
    assert stream_usage(SimpleNamespace()) is None


def test_chunk_attributes_fall_back_to_the_usage_the_caller_asked_for():
    fields = GroqFields()
    usage_only = SimpleNamespace(choices=[], usage=SimpleNamespace(**TIMES))
    assert fields.chunk_attributes(usage_only) == ATTRIBUTES
    assert fields.chunk_attributes(SimpleNamespace(choices=[], usage=None)) is None
