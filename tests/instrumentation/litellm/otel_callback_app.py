"""LiteLLM with its own OpenTelemetry callback on (``litellm.callbacks = ["otel"]``) and this
project's instrumentation on, in an app whose global tracer provider is the SDK's (as the
distro sets it up); prints every exported span as JSON.

Run by test_litellm_otel_callback.py in a fresh interpreter (the callback sets a global
tracer provider of its own when none exists): ``python otel_callback_app.py API_BASE``.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ["OTEL_EXPORTER"] = "in_memory"  # LiteLLM's exporter, if its spans were recorded

from opentelemetry import trace
from opentelemetry.instrumentation.agentops.litellm import LiteLLMInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
    InMemorySpanExporter,
)

MESSAGES = [{"role": "user", "content": "a secret prompt the callback must not copy"}]


def main(api_base: str) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    LiteLLMInstrumentor().instrument(tracer_provider=provider)
    import litellm

    litellm.callbacks = ["otel"]
    arguments = {
        "model": "openai/gpt-4o-mini",
        "messages": MESSAGES,
        "api_base": api_base,
        "api_key": "sk-callback-test",
    }
    plain = litellm.completion(**arguments)

    async def in_a_loop() -> None:
        await litellm.acompletion(**arguments)
        await asyncio.sleep(0.5)  # LiteLLM logs async calls from a worker task

    asyncio.run(in_a_loop())
    litellm.completion(**arguments)  # a later call flushes what the worker carried over
    provider.force_flush()
    print(
        json.dumps(
            {
                "reply": plain.choices[0].message.content,
                "usage": [plain.usage.prompt_tokens, plain.usage.completion_tokens],
                "spans": [
                    {
                        "name": span.name,
                        "scope": span.instrumentation_scope.name,
                        "attributes": dict(span.attributes),
                    }
                    for span in exporter.get_finished_spans()
                ],
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
