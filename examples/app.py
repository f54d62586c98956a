"""A small LLM app with no OpenTelemetry code: telemetry comes from `opentelemetry-instrument`.

It makes the calls of every module in ``calls/`` whose provider SDK is installed (OpenAI: a chat
completion, a streamed chat completion, a tool call round trip and an embeddings call; Groq: a
chat completion and a streamed one; Anthropic: a message, a ``messages.stream()`` call and a
prompt-cached call). Each
client reads its usual environment variables, so the same code talks to the real providers or
to the emulator.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from calls import installed, say


def main() -> int:
    failed = 0
    for module in installed():
        try:
            module.run()
        except Exception as error:  # one provider's failure does not hide the others
            say(f"{module.SDK} failed: {type(error).__name__}: {error}")
            failed += 1
    say("done")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
