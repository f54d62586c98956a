"""The seed document's own example code, runnable: ``Client().configure(...)``, an OpenAI chat,
a custom business metric and an error report.

Run it against the local emulator (no key, no network)::

    uv run --no-sync python -m provider_emulator --port 8900 &
    OPENAI_BASE_URL=http://127.0.0.1:8900/openai/v1 OPENAI_API_KEY=sk-emulator \\
    OTEL_TRACES_EXPORTER=llm_console OTEL_METRICS_EXPORTER=llm_console \\
    OTEL_LOGS_EXPORTER=console \\
        uv run --no-sync python examples/seed_client_app.py

or against OpenAI and your OTLP backend: set ``OPENAI_API_KEY``,
``OTEL_EXPORTER_OTLP_ENDPOINT`` and, if the backend wants one, ``AGENTOPS_API_KEY`` (sent as
``authorization: Bearer <key>``). It makes one small billed request (the second call is
rejected by the API before any token is used).
"""

from __future__ import annotations

import os

import agentops
from agentops import Client
from openai import OpenAI

MODEL = os.environ.get("SEED_APP_MODEL", "gpt-4")


def main() -> None:
    # -- Configuração de Monitoramento (the seed's configuration) --
    client = Client()
    client.configure(
        api_key=os.environ.get("AGENTOPS_API_KEY"),
        llm_config={
            "providers": ["openai", "anthropic"],
            "track_tokens": True,
            "track_costs": True,
            "track_latency": True,
        },
    )
    # -- Filtros de Eventos: only these models are monitored --
    client.configure(
        llm_filters={
            "openai": ["gpt-4", "gpt-3.5-turbo"],
            "anthropic": ["claude-3"],
            "cohere": ["command", "command-light"],
        }
    )
    # Best practice from the seed: set cost limits and alerts.
    client.add_cost_limit(
        name="daily-budget",
        limit_usd=5.0,
        window_seconds=86_400,
        on_exceed=lambda alert: print(f"[app] budget alert: ${alert.spent_usd:.2f} spent"),
    )

    # -- Interceptação Automática: an ordinary OpenAI call, traced --
    openai_client = OpenAI()
    with agentops.tags(use_case="support"):
        response = openai_client.chat.completions.create(
            model=MODEL,
            messages=[{"role": "user", "content": "Olá!"}],
        )
    print(f"[app] reply: {response.choices[0].message.content}")

    # -- Métricas Customizadas: business value per model, for ROI --
    client.record_llm_metric(
        provider="openai",
        metric_name="business_value",
        value=100,
        tags={"use_case": "support", "model": MODEL},
    )

    # -- Tratamento de Erros: a request the API rejects (no messages) --
    try:
        openai_client.chat.completions.create(model=MODEL, messages=[])
    except Exception as e:
        client.record_llm_error(
            provider="openai",
            error=e,
            context={"step": "chat_completion"},
        )
        print(f"[app] error recorded: {type(e).__name__}")


if __name__ == "__main__":
    main()
