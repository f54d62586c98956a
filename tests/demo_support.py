"""What the demo app does, derived from what is installed (tests of the demo share it)."""

from __future__ import annotations

import sys
from pathlib import Path

from agentops_semconv.providers import instrumented

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

OPENAI_CALLS_PER_RUN = 5
"""examples/calls/openai_calls.py: a chat, a stream, a tool round trip (two chats), an embedding."""


def demo_providers() -> set[str]:
    """The providers the demo app's calls are recorded under (``gen_ai.provider.name``): each
    examples/calls module whose SDK is installed (what ``app.py`` runs, see
    examples/calls/__init__.py), or the providers a module routes to when it names them."""
    sys.path.insert(0, str(EXAMPLES))
    try:
        from calls import installed
    finally:
        sys.path.remove(str(EXAMPLES))
    by_seed = {row.seed: row.name for row in instrumented()}
    providers: set[str] = set()
    for module in installed():
        routed = getattr(module, "PROVIDERS", None)
        if routed is not None:
            providers.update(routed)
        else:
            providers.add(by_seed[module.__name__.rpartition(".")[2].removesuffix("_calls")])
    return providers
