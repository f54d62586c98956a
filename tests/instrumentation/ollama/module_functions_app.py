"""Calls ``ollama.chat`` & co., the module's functions, with ``OLLAMA_HOST`` set before
``ollama`` is imported (as a user does); prints the results and the spans as JSON.

Run by test_ollama_module.py in a fresh interpreter: ``python module_functions_app.py ORDER``,
ORDER ``instrument-first`` (instrumenting before ``import ollama``: the patches wait for the
import) or ``import-first``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from opentelemetry.instrumentation.agentops.ollama import OllamaInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

MESSAGES = [{"role": "user", "content": "tell me a short story please"}]


def dump(value: Any) -> Any:
    return value.model_dump() if hasattr(value, "model_dump") else dict(value)


def main(order: str) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    if order == "instrument-first":
        OllamaInstrumentor().instrument(tracer_provider=provider)
        assert "ollama" not in sys.modules
    import ollama

    if order == "import-first":
        OllamaInstrumentor().instrument(tracer_provider=provider)

    results = {
        "chat": dump(ollama.chat("llama3.2:3b", MESSAGES)),  # positional, as users write it
        "stream": dump(list(ollama.chat("llama3.2:3b", MESSAGES, stream=True))[-1]),
        "generate": dump(ollama.generate("llama3.2:3b", "Say hello")),
    }
    if hasattr(ollama, "embed"):
        results["embed"] = dump(ollama.embed("all-minilm", ["one", "two"]))
    spans = [
        {"name": span.name, "attributes": dict(span.attributes)}
        for span in exporter.get_finished_spans()
    ]
    print(json.dumps({"results": results, "spans": spans}))


if __name__ == "__main__":
    main(sys.argv[1])
