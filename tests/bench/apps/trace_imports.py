"""Runs an app the way `opentelemetry-instrument` does (its `initialize()`, then the app) and
records, for every module loaded, which module imported it, on which thread, and the CPU time
its own code took (see startup.py).

`-X importtime` gives each module's own wall time, but its nesting is global to the process:
a thread importing at the same time (the cost processor preloads genai-prices on one) garbles
who imported what, and the main thread's figures absorb the time it waited for the other.
Here the importer is read from the importing thread's own stack (a finder at the front of
`sys.meta_path` that finds nothing), and each module's load is timed in CPU time of its
thread, nested loads subtracted.

Usage: python trace_imports.py OUTPUT.json APP.py
"""

from __future__ import annotations

import importlib._bootstrap as bootstrap
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


class ImportRecorder:
    """Who imported each module first (a finder that finds nothing) and its own CPU time."""

    def __init__(self) -> None:
        self.importers: dict[str, tuple[str, str]] = {}
        self.own_ns: dict[str, int] = {}
        self.main_thread_loads_ns = 0
        self._local = threading.local()

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name not in self.importers and name not in sys.modules:
            self.importers[name] = (_importer(sys._getframe(1)), threading.current_thread().name)
        return None

    def timed(self, load: Any) -> Any:
        def load_timed(spec: Any) -> Any:
            stack: list[int] = self._local.__dict__.setdefault("stack", [])
            stack.append(0)  # CPU time of the loads nested in this one
            started = time.thread_time_ns()
            try:
                return load(spec)
            finally:
                inclusive = time.thread_time_ns() - started
                nested = stack.pop()
                self.own_ns[spec.name] = inclusive - nested
                if stack:
                    stack[-1] += inclusive
                elif threading.current_thread() is threading.main_thread():
                    self.main_thread_loads_ns += inclusive

        return load_timed


def main() -> None:
    output, app = sys.argv[1], sys.argv[2]
    recorder = ImportRecorder()
    sys.meta_path.insert(0, recorder)
    # Every module load goes through this function of importlib's bootstrap, on the thread
    # that imports.
    loading = vars(bootstrap)
    loading["_load_unlocked"] = recorder.timed(loading["_load_unlocked"])
    from opentelemetry.instrumentation.auto_instrumentation import initialize

    started, loads_before = time.thread_time_ns(), recorder.main_thread_loads_ns
    initialize()
    # What initialize() itself ran on the main thread, imports aside: entry points, the
    # distro, the configurator, instrumenting.
    initialize_own_ns = (time.thread_time_ns() - started) - (
        recorder.main_thread_loads_ns - loads_before
    )
    runpy.run_path(app, run_name="__main__")
    # Background imports (the cost preload) finish before we read the record.
    deadline = time.monotonic() + 10
    for thread in threading.enumerate():
        if thread is not threading.current_thread():
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
    record = {
        "initialize_own_ms": initialize_own_ns / 1e6,
        "modules": {
            name: [importer, thread, recorder.own_ns.get(name, 0) / 1e6]
            for name, (importer, thread) in recorder.importers.items()
        },
    }
    with open(output, "w") as file:
        json.dump(record, file)


if __name__ == "__main__":
    main()
