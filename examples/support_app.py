"""A support assistant on the seed's Client API: tags, business value, cost limits and error
reports, so the report and the dashboard have every figure to show.

For each ticket it searches a knowledge base (an embeddings call tagged ``use_case=search``)
and answers (a chat call tagged ``use_case=support`` and the customer's tier): gold customers
get ``gpt-4o`` with a streamed answer, the others ``gpt-4o-mini``. Each answered ticket is
worth something to the business (``record_llm_metric``), which gives the ROI per model. Two
tickets arrive empty and the app forgets to check: the API rejects them and the app reports
the error (``record_llm_error``). A small demo budget is crossed on the way (an alert), a
daily one is not.

Telemetry is configured by ``Client().configure`` from the standard ``OTEL_*`` variables
(``examples/run_demo.py`` sends it to a file). Against the emulator::

    uv run --no-sync python -m provider_emulator --port 8900 &
    OPENAI_BASE_URL=http://127.0.0.1:8900/openai/v1 OPENAI_API_KEY=sk-emulator \\
    OTEL_TRACES_EXPORTER=llm_console OTEL_METRICS_EXPORTER=llm_console OTEL_LOGS_EXPORTER=none \\
        uv run --no-sync python examples/support_app.py

Against OpenAI it makes 20 small billed requests (two are rejected before any token is used).
"""

from __future__ import annotations

import os
import sys

import agentops
import openai
from agentops import Client
from openai import OpenAI

GOLD_MODEL = os.environ.get("SUPPORT_GOLD_MODEL", "gpt-4o")
FREE_MODEL = os.environ.get("SUPPORT_FREE_MODEL", "gpt-4o-mini")
EMBEDDING_MODEL = os.environ.get("DEMO_EMBEDDING_MODEL", "text-embedding-3-small")
# What an answered ticket is worth to the business, in USD, by tier.
VALUE_USD = {"gold": 4.0, "free": 0.5}

TICKETS = [
    ("gold", "My invoice shows a double charge for March, please check it."),
    ("free", "How do I reset my password on the mobile app?"),
    ("gold", "The export to CSV times out on our largest project."),
    ("free", ""),
    ("free", "Can I change the language of the dashboard to Portuguese?"),
    ("gold", "Our single sign-on login loops back to the start page."),
    ("free", "Where can I download last year's receipts?"),
    ("free", ""),
    ("gold", "Please explain what changes with the new pricing tiers."),
    ("free", "Is there a keyboard shortcut to archive a conversation?"),
]


def say(text: str) -> None:
    print(f"[support] {text}", flush=True)


def answer(llm: OpenAI, tier: str, text: str) -> str:
    # The app's bug: an empty ticket becomes a request without messages.
    messages = [{"role": "user", "content": text}] if text else []
    model = GOLD_MODEL if tier == "gold" else FREE_MODEL
    if tier == "gold":
        chunks = llm.chat.completions.create(model=model, messages=messages, stream=True)
        return "".join(
            chunk.choices[0].delta.content or ""
            for chunk in chunks
            if chunk.choices and chunk.choices[0].delta
        )
    response = llm.chat.completions.create(model=model, messages=messages)
    return response.choices[0].message.content or ""


def main() -> int:
    client = Client()
    client.configure(
        api_key=os.environ.get("AGENTOPS_API_KEY"),
        llm_config={
            "providers": ["openai"],
            "track_tokens": True,
            "track_costs": True,
            "track_latency": True,
        },
    )
    client.add_cost_limit(name="daily", limit_usd=5.0, window_seconds=86_400)
    client.add_cost_limit(
        name="demo-budget",
        limit_usd=0.0005,
        on_exceed=lambda alert: say(
            f"budget alert: {alert.name} crossed, ${alert.spent_usd:.6f} spent"
        ),
    )
    llm = OpenAI()
    answered = failed = 0
    for number, (tier, text) in enumerate(TICKETS, start=1):
        with agentops.tags(use_case="search"):
            llm.embeddings.create(model=EMBEDDING_MODEL, input=[text or "(empty ticket)"])
        model = GOLD_MODEL if tier == "gold" else FREE_MODEL
        with agentops.tags(use_case="support", customer_tier=tier):
            try:
                reply = answer(llm, tier, text)
            except openai.OpenAIError as error:
                failed += 1
                client.record_llm_error(
                    provider="openai", error=error, context={"ticket": str(number)}
                )
                say(f"ticket {number} ({tier}): failed, {type(error).__name__} reported")
                continue
            client.record_llm_metric(
                provider="openai",
                metric_name="business_value",
                value=VALUE_USD[tier],
                model=model,
                tags={"customer_tier": tier},
            )
        answered += 1
        say(f"ticket {number} ({tier}, {model}): {reply[:60]}")
    say(
        f"done: {answered} answered, {failed} failed; "
        f"${client.running_cost('daily'):.6f} of the daily budget spent"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
