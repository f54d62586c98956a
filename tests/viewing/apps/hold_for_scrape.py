"""Run an app, then keep its process, and so its Prometheus endpoint, alive until released.

    python hold_for_scrape.py APP.py [ARGS...]

Runs APP.py as ``__main__``; when it returns, writes the time to ``$HOLD_DONE_FILE``, waits
for ``$HOLD_RELEASE_FILE`` to exist (at most ``$HOLD_TIMEOUT_S`` seconds, default 120), then
exits with the app's exit code, so the telemetry SDK shuts down (and flushes) as usual.
"""

from __future__ import annotations

import os
import runpy
import sys
import time
from pathlib import Path


def main() -> int:
    script = sys.argv[1]
    sys.argv = sys.argv[1:]
    code = 0
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    sys.stdout.flush()
    # Written aside, then renamed: the test polls for the file and must never read it empty.
    done = Path(os.environ["HOLD_DONE_FILE"])
    partial = done.with_name(done.name + ".partial")
    partial.write_text(repr(time.time()))
    partial.replace(done)
    release = Path(os.environ["HOLD_RELEASE_FILE"])
    deadline = time.monotonic() + float(os.environ.get("HOLD_TIMEOUT_S", "120"))
    while not release.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return code


if __name__ == "__main__":
    sys.exit(main())
