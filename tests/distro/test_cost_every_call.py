"""Cost and cost limits count every call whatever the trace sampler decides, streams the caller
abandons included, and keep impossible token counts out."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import openai
import pytest
import test_client_helpers as helpers
from agentops import CostLimitExceeded
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON, TraceIdRatioBased
from test_client_helpers import MESSAGES, chat, openai_client

_isolated_hooks = helpers._isolated_hooks
agentops_client = helpers.agentops_client

COST = "agentops.client.cost"


class Pipeline:
    def __init__(self, sampler) -> None:
        self.exporter = InMemorySpanExporter()
        self.tracer_provider = TracerProvider(sampler=sampler)
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.exporter))
        self.reader = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.reader])

    def cost(self) -> float:
        data = self.reader.get_metrics_data()
        total = 0.0
        for rm in data.resource_metrics if data else ():
            for sm in rm.scope_metrics:
                for metric in sm.metrics:
                    if metric.name == COST:
                        total += sum(point.value for point in metric.data.data_points)
        return total

    def shutdown(self) -> None:
        self.tracer_provider.shutdown()
        self.meter_provider.shutdown()


@pytest.fixture
def pipelines() -> Iterator[list[Pipeline]]:
    made: list[Pipeline] = []
    yield made
    for pipeline in made:
        pipeline.shutdown()


def configured(agentops_client, pipelines, sampler, **kwargs) -> Pipeline:
    pipeline = Pipeline(sampler)
    pipelines.append(pipeline)
    agentops_client.configure(
        tracer_provider=pipeline.tracer_provider,
        meter_provider=pipeline.meter_provider,
        **kwargs,
    )
    return pipeline


def one_call_cost(emulator, agentops_client, pipelines) -> float:
    reference = configured(agentops_client, pipelines, ALWAYS_ON)
    chat(openai_client(emulator))
    (span,) = reference.exporter.get_finished_spans()
    agentops_client.uninstrument()
    return span.attributes["agentops.cost.total_usd"]


@pytest.mark.parametrize("sampler", [TraceIdRatioBased(0.25), ALWAYS_OFF], ids=["25%", "off"])
def test_the_cost_counter_sees_every_call_whatever_the_sampler(
    emulator, agentops_client, pipelines, sampler
):
    per_call = one_call_cost(emulator, agentops_client, pipelines)
    pipeline = configured(agentops_client, pipelines, sampler)
    client = openai_client(emulator)
    for _ in range(20):
        chat(client)
    assert len(pipeline.exporter.get_finished_spans()) < 20  # some (or all) not sampled
    assert pipeline.cost() == pytest.approx(20 * per_call)


def test_a_hard_limit_trips_with_sampling_off(emulator, agentops_client, pipelines):
    per_call = one_call_cost(emulator, agentops_client, pipelines)
    configured(
        agentops_client,
        pipelines,
        ALWAYS_OFF,
        cost_limits=[{"name": "budget", "limit_usd": per_call * 2.5, "hard": True}],
    )
    client = openai_client(emulator)
    for _ in range(3):
        chat(client)
    assert agentops_client.running_cost("budget") == pytest.approx(3 * per_call)
    with pytest.raises(CostLimitExceeded):
        chat(client)


def test_an_abandoned_stream_is_priced_from_an_estimate_and_counted(
    emulator, agentops_client, pipelines
):
    pipeline = configured(
        agentops_client,
        pipelines,
        ALWAYS_ON,
        cost_limits=[{"name": "budget", "limit_usd": 100.0}],
    )
    stream = chat(openai_client(emulator), stream=True)
    for _chunk in stream:
        break  # the common break at the first answer
    stream.close()
    (span,) = pipeline.exporter.get_finished_spans()
    assert span.attributes["agentops.usage.estimated"] is True
    assert span.attributes["agentops.cost.status"] == "estimated"
    cost = span.attributes["agentops.cost.total_usd"]
    assert cost > 0
    assert "gen_ai.usage.input_tokens" not in span.attributes
    assert agentops_client.running_cost("budget") == pytest.approx(cost)
    assert pipeline.cost() == pytest.approx(cost)


class _BadUsage(BaseHTTPRequestHandler):
    """A chat completions server reporting impossible token counts."""

    usage: ClassVar[dict[str, int]] = {}

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        body = json.dumps(
            {
                "id": "chatcmpl-bad",
                "object": "chat.completion",
                "created": 1700000000,
                "model": "gpt-4o-mini",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": "hi"},
                        "finish_reason": "stop",
                    }
                ],
                "usage": self.usage,
            }
        ).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.mark.parametrize(
    ("usage", "recorded"),
    [
        (
            {"prompt_tokens": -5, "completion_tokens": 3, "total_tokens": -2},
            {"gen_ai.usage.output_tokens": 3},  # the negative count is dropped
        ),
        (
            {"prompt_tokens": 10**12, "completion_tokens": 3, "total_tokens": 10**12 + 3},
            # Kept on the span as reported, so the bad report can be seen.
            {"gen_ai.usage.input_tokens": 10**12, "gen_ai.usage.output_tokens": 3},
        ),
    ],
    ids=["negative", "absurd"],
)
def test_bad_token_counts_are_neither_recorded_nor_priced(
    agentops_client, pipelines, caplog, usage, recorded
):
    handler = type("Handler", (_BadUsage,), {"usage": usage})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        pipeline = configured(agentops_client, pipelines, ALWAYS_ON)
        client = openai.OpenAI(
            api_key="sk-test", base_url=f"http://127.0.0.1:{server.server_port}/v1", max_retries=0
        )
        with caplog.at_level(logging.WARNING):
            client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    finally:
        server.shutdown()
    (span,) = pipeline.exporter.get_finished_spans()
    assert span.attributes["agentops.cost.status"] == "invalid_usage"
    assert "agentops.cost.total_usd" not in span.attributes
    usage = {k: v for k, v in span.attributes.items() if k.startswith("gen_ai.usage.")}
    assert usage == recorded
    assert pipeline.cost() == 0.0
    points = {}
    data = pipeline.reader.get_metrics_data()
    for rm in data.resource_metrics:
        for sm in rm.scope_metrics:
            for metric in sm.metrics:
                if metric.name == "gen_ai.client.token.usage":
                    for point in metric.data.data_points:
                        points[point.attributes["gen_ai.token.type"]] = point.sum
    assert points == {}  # not usable: neither count reaches the token metric
    assert not [r for r in caplog.records if r.name.startswith("opentelemetry.sdk")]
