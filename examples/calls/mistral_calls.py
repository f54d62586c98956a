"""Mistral: a streamed chat completion.

The Mistral SDK reads its key from MISTRAL_API_KEY but has no variable for its server, so this
app reads MISTRAL_SERVER_URL itself (unset: Mistral's own API). Both SDK layouts are supported:
``mistralai.client`` from 2.0 on, the top-level ``mistralai`` before.
"""

from __future__ import annotations

import os

try:  # mistralai >= 2.0
    from mistralai.client import Mistral
except ImportError:  # mistralai 1.x
    from mistralai import Mistral

from calls import say

SDK = "mistralai"
EMULATOR_ENV = {
    "MISTRAL_SERVER_URL": "{emulator}/mistral",
    "MISTRAL_API_KEY": "mistral-demo-not-a-real-key",
}

CHAT_MODEL = os.environ.get("DEMO_MISTRAL_MODEL", "mistral-small-latest")


def stream(client: Mistral) -> None:
    say("Mistral streamed chat completion ...")
    events = client.chat.stream(
        model=CHAT_MODEL,
        messages=[{"role": "user", "content": "Write one sentence about the mountains."}],
    )
    print("[app]   reply: ", end="", flush=True)
    for event in events:
        delta = event.data.choices[0].delta if event.data.choices else None
        if delta is not None and isinstance(delta.content, str):
            print(delta.content, end="", flush=True)
    print(flush=True)


def run() -> None:
    client = Mistral(
        api_key=os.environ.get("MISTRAL_API_KEY"),
        server_url=os.environ.get("MISTRAL_SERVER_URL") or None,
    )
    stream(client)
