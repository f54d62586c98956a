"""Starts the cost processor's price loading, then at once does what openai 2.x does with an
HTTP client of its own: look ``httpx2`` up in ``sys.modules`` and read its classes
(``is_httpx2_sync_client`` and the timeout check), then builds a real openai client on
``httpx2.Client()`` and calls the emulator. Prints one JSON line: what failed, and which
modules each thread imported.

``python import_race_app.py startup``: the processor loads prices when it is created.
``python import_race_app.py first_call``: the default, prices load as the first model call
starts; that call is made through the instrumented openai SDK on the default HTTP client
(openai imports httpx, not httpx2), and the racing client is built right after it.

Run in a fresh interpreter (the race needs httpx2 not imported yet).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from importlib.abc import MetaPathFinder

imports: list[tuple[str, str]] = []


class RecordImports(MetaPathFinder):
    """Sees every module that gets loaded (modules already loaded never reach finders)."""

    def find_spec(self, fullname, path=None, target=None):
        imports.append((threading.current_thread().name, fullname))
        return None


sys.meta_path.insert(0, RecordImports())

from agentops.cost import CostSpanProcessor  # noqa: E402


def loading() -> bool:
    return any(thread.name.startswith("agentops-cost") for thread in threading.enumerate())


mode = sys.argv[1]
failures: list[str] = []
loaded_before_first_call = None
if mode == "startup":
    CostSpanProcessor(preload="startup")
else:
    import openai
    from opentelemetry.instrumentation.agentops.openai import OpenAIInstrumentor
    from opentelemetry.sdk.trace import TracerProvider

    provider = TracerProvider()
    provider.add_span_processor(CostSpanProcessor())
    OpenAIInstrumentor().instrument(tracer_provider=provider)
    first = openai.OpenAI(api_key="sk-race", base_url=os.environ["OPENAI_BASE_URL"])
    loaded_before_first_call = "genai_prices" in sys.modules
    first.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "first call"}]
    )
checks = 0
# As long as a thread of ours is loading prices (at most 30 s), look the way openai 2.x does.
deadline = time.monotonic() + 30
while loading() and time.monotonic() < deadline:
    module = sys.modules.get("httpx2")
    if module is not None:
        try:
            module.Client, module.AsyncClient, module.Timeout  # noqa: B018
        except AttributeError as error:
            failures.append(str(error))
    checks += 1
    time.sleep(0.0005)

import httpx2  # noqa: E402
import openai  # noqa: E402

client = openai.OpenAI(
    api_key="sk-race", base_url=os.environ["OPENAI_BASE_URL"], http_client=httpx2.Client()
)
reply = client.chat.completions.create(
    model="gpt-4o-mini", messages=[{"role": "user", "content": "race"}]
)
background = sorted({name for thread, name in imports if thread != "MainThread"})
print(
    json.dumps(
        {
            "failures": failures[:3],
            "failure_count": len(failures),
            "checks": checks,
            "background_imports": background,
            "reply": reply.choices[0].message.content,
            "prices_loaded_before_first_call": loaded_before_first_call,
        }
    )
)
