"""What the demo app does, derived from what is installed (tests of the demo share it)."""

from __future__ import annotations

import sys
from pathlib import Path

from agentops_semconv.providers import instrumented

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

OPENAI_CALLS_PER_RUN = 5
"""examples/calls/openai_calls.py: a chat, a stream, a tool round trip (two chats), an embedding."""


def demo_providers() -> set[str]:
    """The providers the demo app calls: each examples/calls module whose SDK is installed
    (what ``app.py`` runs, see examples/calls/__init__.py), by ``gen_ai.provider.name``."""
    sys.path.insert(0, str(EXAMPLES))
    try:
        from calls import installed
    finally:
        sys.path.remove(str(EXAMPLES))
    seeds = {module.__name__.rpartition(".")[2].removesuffix("_calls") for module in installed()}
    return {row.name for row in instrumented() if row.seed in seeds}
