"""Anthropic: a message, a ``messages.stream()`` call read through ``text_stream``, and a call
whose prompt is partly served from the prompt cache.

The client reads ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL from the environment, so the same code
talks to Anthropic or to the emulator.
"""

from __future__ import annotations

import os

from anthropic import Anthropic

from calls import say

SDK = "anthropic"
EMULATOR_ENV = {
    "ANTHROPIC_BASE_URL": "{emulator}/anthropic",
    "ANTHROPIC_API_KEY": "sk-ant-demo-not-a-real-key",
    # The emulator reports these as cached prompt tokens (a real API reports its own).
    "DEMO_ANTHROPIC_CACHE_HEADERS": "1",
}

MODEL = os.environ.get("DEMO_ANTHROPIC_MODEL", "claude-haiku-4-5")
SYSTEM = [
    {
        "type": "text",
        "text": "You are a concise assistant for a small bakery. " * 8,
        # Marks the system prompt for the prompt cache: later calls read it from there.
        "cache_control": {"type": "ephemeral"},
    }
]


def message(client: Anthropic) -> None:
    say("anthropic message ...")
    reply = client.messages.create(
        model=MODEL,
        max_tokens=100,
        messages=[{"role": "user", "content": "Say hello in five words."}],
    )
    say(f"  reply: {reply.content[0].text}")


def stream(client: Anthropic) -> None:
    say("anthropic messages.stream() ...")
    print("[app]   reply: ", end="", flush=True)
    with client.messages.stream(
        model=MODEL,
        max_tokens=100,
        messages=[{"role": "user", "content": "Write one sentence about bread."}],
    ) as reply:
        for text in reply.text_stream:
            print(text, end="", flush=True)
        final = reply.get_final_message()
    print(flush=True)
    say(f"  {final.usage.output_tokens} output tokens")


def cached(client: Anthropic) -> None:
    say("anthropic message with a cached system prompt ...")
    headers = (
        {"x-emulator-cached-tokens": "64", "x-emulator-cache-write-tokens": "8"}
        if os.environ.get("DEMO_ANTHROPIC_CACHE_HEADERS")
        else {}
    )
    reply = client.messages.create(
        model=MODEL,
        max_tokens=100,
        system=SYSTEM,
        messages=[{"role": "user", "content": "What time do you open?"}],
        extra_headers=headers,
    )
    usage = reply.usage
    say(
        f"  {usage.input_tokens} new input tokens, {usage.cache_read_input_tokens} read from "
        f"the cache, {usage.cache_creation_input_tokens} written to it"
    )


def run() -> None:
    client = Anthropic()
    message(client)
    stream(client)
    cached(client)
