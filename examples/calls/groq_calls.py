"""Groq: a chat completion and a streamed one, whose spans carry Groq's server timings.

`Groq()` takes its key and base URL from GROQ_API_KEY and GROQ_BASE_URL: the demo points them
at the emulator; unset, the calls go to Groq itself.
"""

from __future__ import annotations

import os

from groq import Groq

from calls import say

SDK = "groq"
EMULATOR_ENV = {
    "GROQ_BASE_URL": "{emulator}/groq",
    "GROQ_API_KEY": "gsk-demo-not-a-real-key",
}

MODEL = os.environ.get("DEMO_GROQ_MODEL", "llama-3.1-8b-instant")


def chat(client: Groq) -> None:
    say("groq chat completion ...")
    response = client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "Name three fast animals."}]
    )
    say(f"  reply: {response.choices[0].message.content}")


def stream(client: Groq) -> None:
    say("groq streamed chat completion ...")
    prompt = [{"role": "user", "content": "Write one sentence about speed."}]
    with client.chat.completions.create(model=MODEL, messages=prompt, stream=True) as chunks:
        pieces = [chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices]
    say(f"  reply, in {len(pieces)} chunks: {''.join(pieces)}")


def run() -> None:
    client = Groq()
    chat(client)
    stream(client)
