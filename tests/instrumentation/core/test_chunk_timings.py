"""Chunk timing metrics of streams: noted on the read path, recorded in batches and when the
stream ends, with the points one record per chunk gives (counts, attributes, bounds), however
the stream ends and however long it is."""

from __future__ import annotations

import gc
from typing import Any

import fake_sdk
import pytest
from fake_instrumentation import FakeInstrumentor
from opentelemetry.instrumentation.agentops.core import _telemetry
from opentelemetry.instrumentation.agentops.core.settings import (
    AGENTOPS_GENAI_STREAM_CHUNK_TIMING,
)

MODEL = "fake-model"
ATTRIBUTES = {
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": "fake",
    "gen_ai.request.model": MODEL,
    "server.address": "fake.example.com",
    "server.port": 443,
    "gen_ai.response.model": f"{MODEL}-2026",
}
PER_CHUNK = "gen_ai.client.operation.time_per_output_chunk"
FIRST_CHUNK = "gen_ai.client.operation.time_to_first_chunk"
DURATION = "gen_ai.client.operation.duration"
# Longer than two batches, and not a multiple of one: the last batch is recorded at the end.
LONG = 2 * _telemetry.CHUNK_BATCH + 37


@pytest.fixture
def instrumented(telemetry, monkeypatch):
    fake_sdk.SENT.clear()
    monkeypatch.delenv(AGENTOPS_GENAI_STREAM_CHUNK_TIMING, raising=False)
    instrumentor = FakeInstrumentor()
    instrumentor.instrument(
        tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
    )
    yield instrumentor
    instrumentor.uninstrument()


def words(count: int) -> list[dict[str, str]]:
    """Messages whose reply streams ``count`` chunks (text chunks, then the usage chunk)."""
    # The reply is "reply to <content>": two words, the content's, one chunk each, and usage.
    return [{"role": "user", "content": " ".join(["word"] * (count - 3))}]


def only(points: dict[str, list[Any]], name: str) -> Any:
    (point,) = points[name]
    assert dict(point.attributes) == ATTRIBUTES
    return point


def assert_timings(telemetry: Any, chunks: int, streams: int = 1) -> None:
    points = telemetry.metrics()
    assert only(points, FIRST_CHUNK).count == streams
    per_chunk = only(points, PER_CHUNK)
    assert per_chunk.count == streams * (chunks - 1)
    assert sum(per_chunk.bucket_counts) == per_chunk.count
    assert 0 <= per_chunk.min <= per_chunk.max <= per_chunk.sum
    # The gaps of one stream add up to at most its duration.
    assert per_chunk.sum <= only(points, DURATION).sum


def test_a_long_stream_gives_one_point_per_chunk_gap(instrumented, telemetry):
    stream = fake_sdk.Client().chat.create(model=MODEL, messages=words(LONG), stream=True)
    assert len(list(stream)) == LONG
    assert_timings(telemetry, LONG)


def test_streams_after_the_first_add_to_the_same_points(instrumented, telemetry):
    # The first stream of an attribute set makes the SDK's aggregation; the others find it.
    client = fake_sdk.Client()
    for _ in range(3):
        assert len(list(client.chat.create(model=MODEL, messages=words(LONG), stream=True))) == LONG
    assert_timings(telemetry, LONG, streams=3)


@pytest.mark.parametrize("read", [10, _telemetry.CHUNK_BATCH + 5])
def test_an_abandoned_stream_keeps_the_points_of_what_was_read(instrumented, telemetry, read):
    stream = fake_sdk.Client().chat.create(model=MODEL, messages=words(LONG), stream=True)
    for index, _ in enumerate(stream):
        if index + 1 == read:
            break
    del stream
    gc.collect()
    assert_timings(telemetry, read)


def test_a_closed_stream_keeps_the_points_of_what_was_read(instrumented, telemetry):
    stream = fake_sdk.Client().chat.create(model=MODEL, messages=words(LONG), stream=True)
    iterator = iter(stream)
    for _ in range(_telemetry.CHUNK_BATCH + 2):
        next(iterator)
    stream.close()
    assert_timings(telemetry, _telemetry.CHUNK_BATCH + 2)


def test_a_stream_failing_mid_way_keeps_the_points_of_what_was_read(instrumented, telemetry):
    stream = fake_sdk.Client().chat.create(model=MODEL, messages=words(LONG), stream=True)
    stream._fail_after = _telemetry.CHUNK_BATCH + 9
    received = 0
    with pytest.raises(fake_sdk.FakeError):
        for _ in stream:
            received += 1
    assert received == _telemetry.CHUNK_BATCH + 9
    points = telemetry.metrics()
    (per_chunk,) = points[PER_CHUNK]
    assert per_chunk.count == received - 1
    assert dict(per_chunk.attributes) == ATTRIBUTES
    (first,) = points[FIRST_CHUNK]
    assert first.count == 1
    (duration,) = points[DURATION]
    assert duration.attributes["error.type"] == "fake_sdk.FakeError"


async def test_an_async_stream_gives_the_same_points(instrumented, telemetry):
    stream = await fake_sdk.Client().achat.create(model=MODEL, messages=words(LONG), stream=True)
    assert len([chunk async for chunk in stream]) == LONG
    assert_timings(telemetry, LONG)


def test_memory_per_stream_is_bounded_by_one_batch(instrumented, telemetry):
    stream = fake_sdk.Client().chat.create(
        model=MODEL, messages=words(10 * _telemetry.CHUNK_BATCH), stream=True
    )
    trace = stream._self_trace
    longest = 0
    for _ in stream:
        if trace._arrivals is not None:
            longest = max(longest, len(trace._arrivals))
    assert longest == _telemetry.CHUNK_BATCH  # never more than one batch waits
    assert_timings(telemetry, 10 * _telemetry.CHUNK_BATCH)


def test_with_chunk_timing_off_only_the_first_chunk_is_timed(telemetry, monkeypatch):
    monkeypatch.setenv(AGENTOPS_GENAI_STREAM_CHUNK_TIMING, "false")
    instrumentor = FakeInstrumentor()
    instrumentor.instrument(
        tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
    )
    try:
        stream = fake_sdk.Client().chat.create(model=MODEL, messages=words(LONG), stream=True)
        trace = stream._self_trace
        for _ in stream:
            assert trace._arrivals is None or len(trace._arrivals) == 1
    finally:
        instrumentor.uninstrument()
    points = telemetry.metrics()
    assert PER_CHUNK not in points
    assert only(points, FIRST_CHUNK).count == 1
