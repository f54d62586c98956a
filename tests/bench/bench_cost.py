"""Time CostSpanProcessor's hook per span, after each model's first price lookup.

Run: ``uv run --frozen python tests/bench/bench_cost.py``. Spans are ended on a provider
without the processor, then the hook (``_on_ending``, what the SDK calls on the thread that
ends the span) runs on each; the figure is the mean over a batch, median of several batches.
The budget is 5 µs per span for every scenario. Like ``run.py`` it prints PASS/FAIL and
always exits 0: it is a report.
"""

from __future__ import annotations

import gc
import statistics
import time

from agentops import _tag_keys
from agentops.cost import CostSpanProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider

BUDGET_US = 5.0
SPANS_PER_BATCH = 20_000
BATCHES = 7

CHAT = {
    "gen_ai.operation.name": "chat",
    "server.address": "api.example.com",
    "gen_ai.usage.input_tokens": 1200,
    "gen_ai.usage.output_tokens": 300,
}

SCENARIOS: dict[str, dict[str, object]] = {
    "openai gpt-4o-mini, service tier": {
        **CHAT,
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
        "openai.response.service_tier": "default",
    },
    "anthropic claude-3-5-sonnet, cache": {
        **CHAT,
        "gen_ai.provider.name": "anthropic",
        "gen_ai.request.model": "claude-3-5-sonnet-20241022",
        "gen_ai.response.model": "claude-3-5-sonnet-20241022",
        "gen_ai.usage.cache_read.input_tokens": 200,
        "gen_ai.usage.cache_creation.input_tokens": 100,
    },
    "deepseek-chat, time-of-day price": {
        **CHAT,
        "gen_ai.provider.name": "deepseek",
        "gen_ai.request.model": "deepseek-chat",
        "gen_ai.response.model": "deepseek-chat",
    },
    "openai gpt-4o-mini, two tags, cache read": {
        **CHAT,
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
        "gen_ai.usage.cache_read.input_tokens": 200,
        "agentops.tag.use_case": "support",
        "agentops.tag.tier": "gold",
    },
    "unknown model": {
        **CHAT,
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "no-such-model",
    },
    "non-GenAI span": {"http.request.method": "GET", "url.path": "/"},
}


def _ended_spans(tracer_provider: TracerProvider, attributes: dict, count: int) -> list:
    tracer = tracer_provider.get_tracer("bench")
    spans = []
    for _ in range(count):
        span = tracer.start_span("chat", attributes=attributes)
        span.end()
        spans.append(span)
    return spans


def _time_batch(hook, spans: list) -> float:
    """Mean µs per span for one batch."""
    gc.disable()
    try:
        start = time.perf_counter_ns()
        for span in spans:
            hook(span)
        elapsed = time.perf_counter_ns() - start
    finally:
        gc.enable()
    return elapsed / len(spans) / 1000


def main() -> None:
    tracer_provider = TracerProvider()
    meter_provider = MeterProvider(metric_readers=[InMemoryMetricReader()])
    processor = CostSpanProcessor(meter_provider=meter_provider, preload=False)
    hook = processor._on_ending  # what the SDK calls (agentops._compat maps it to on_ending)
    # As agentops.tags does for the keys it makes; an app with no tags pays nothing for them.
    _tag_keys.note(["agentops.tag.use_case", "agentops.tag.tier"])

    failed = False
    print(f"CostSpanProcessor hook, µs per span (median of {BATCHES} x {SPANS_PER_BATCH})")
    for name, attributes in SCENARIOS.items():
        # The first lookup loads genai-prices and resolves the model: not measured.
        hook(_ended_spans(tracer_provider, attributes, 1)[0])
        means = [
            _time_batch(hook, _ended_spans(tracer_provider, attributes, SPANS_PER_BATCH))
            for _ in range(BATCHES)
        ]
        median = statistics.median(means)
        verdict = "PASS" if median <= BUDGET_US else "FAIL"
        failed |= verdict == "FAIL"
        print(f"  {name:<36} {median:6.2f} µs  (best {min(means):.2f})  {verdict}")
    print(f"budget {BUDGET_US:.1f} µs per span: {'FAIL' if failed else 'PASS'}")


if __name__ == "__main__":
    main()
