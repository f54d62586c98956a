"""The demo app's calls, one module per provider SDK.

Each module names its ``SDK`` (the import name), the environment its client reads when the demo
points it at the emulator (``EMULATOR_ENV``, ``{emulator}`` standing for the emulator's base
URL), and ``run()``, which makes its calls. ``app.py`` runs every module whose SDK is installed,
in the seed's order. A module whose calls reach other providers through its SDK (LiteLLM's
Router) names them in ``PROVIDERS`` (``gen_ai.provider.name`` values): its calls are recorded
under those, not under its own.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from agentops_semconv.providers import instrumented

_HERE = Path(__file__).resolve().parent
# One module per provider, named <seed>_calls.py, run in the seed's order.
MODULES = tuple(
    f"{row.seed}_calls" for row in instrumented() if (_HERE / f"{row.seed}_calls.py").exists()
)


def say(text: str) -> None:
    print(f"[app] {text}", flush=True)


def installed() -> Iterator[ModuleType]:
    """The call modules whose SDK can be imported, in order."""
    for name in MODULES:
        module = importlib.import_module(f"calls.{name}")
        if importlib.util.find_spec(module.SDK) is not None:
            yield module


def emulator_environment(base_url: str) -> dict[str, str]:
    """What every module's client needs to reach the emulator at ``base_url``."""
    env: dict[str, str] = {}
    for module in installed():
        env.update({k: v.format(emulator=base_url) for k, v in module.EMULATOR_ENV.items()})
    return env
