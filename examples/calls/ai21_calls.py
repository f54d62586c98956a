"""AI21: one Jamba chat completion.

The client reads AI21_API_KEY and AI21_API_HOST from the environment, so the same code talks
to AI21 or to the emulator. (ai21 >= 2.5.1 takes the full URL, ``.../studio/v1``; older
releases take the host and add it themselves.)
"""

from __future__ import annotations

import os

from ai21 import AI21Client
from ai21.models.chat import ChatMessage

from calls import say

SDK = "ai21"
EMULATOR_ENV = {
    "AI21_API_HOST": "{emulator}/ai21/studio/v1",
    "AI21_API_KEY": "ai21-demo-not-a-real-key",
}

CHAT_MODEL = os.environ.get("DEMO_AI21_MODEL", "jamba-mini")


def run() -> None:
    client = AI21Client()
    say("AI21 Jamba chat completion ...")
    response = client.chat.completions.create(
        model=CHAT_MODEL,
        messages=[ChatMessage(role="user", content="Name three colours of the sea.")],
    )
    say(f"  reply: {response.choices[0].message.content}")
