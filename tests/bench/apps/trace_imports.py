"""Runs an app the way `opentelemetry-instrument` does (its `initialize()`, then the app) and
records which module first imported each module, and on which thread (see startup.py).

`-X importtime` gives each module's own time, but its nesting is global to the process, so a
thread importing at the same time (the cost processor preloads genai-prices on one) garbles
who imported what. A finder at the front of `sys.meta_path` sees every first import on the
importing thread itself, where the importing frame is on the stack.

Usage: python trace_imports.py OUTPUT.json APP.py
"""

from __future__ import annotations

import json
import runpy
import sys
import threading
import time
from types import FrameType
from typing import Any

_SKIPPED = ("importlib", "_frozen_importlib", "_frozen_importlib_external")


def _importer(frame: FrameType | None) -> str:
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if name != __name__ and not any(name == s or name.startswith(s + ".") for s in _SKIPPED):
            return str(name)
        frame = frame.f_back
    return "-"


class FirstImports:
    """A finder that finds nothing: it only notes who asked first."""

    def __init__(self) -> None:
        self.seen: dict[str, tuple[str, str]] = {}

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name not in self.seen and name not in sys.modules:
            self.seen[name] = (_importer(sys._getframe(1)), threading.current_thread().name)
        return None


def main() -> None:
    output, app = sys.argv[1], sys.argv[2]
    recorder = FirstImports()
    sys.meta_path.insert(0, recorder)
    from opentelemetry.instrumentation.auto_instrumentation import initialize

    initialize()
    runpy.run_path(app, run_name="__main__")
    # Background imports (the cost preload) finish before we read the record.
    deadline = time.monotonic() + 10
    for thread in threading.enumerate():
        if thread is not threading.current_thread():
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
    with open(output, "w") as file:
        json.dump(recorder.seen, file)


if __name__ == "__main__":
    main()
