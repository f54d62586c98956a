"""`make demo`: run examples/app.py under `opentelemetry-instrument` against the emulator.

Starts the provider emulator on a free local port, runs the unmodified app with the console
exporters selected through environment variables, stops the emulator (also on Ctrl-C or an
error) and exits with the app's exit code. No API key and no network access are needed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent
APP = EXAMPLES / "app.py"
sys.path.insert(0, str(EXAMPLES))

from calls import emulator_environment  # noqa: E402

READY_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 5.0
# Longer than the demo runs: spans and metrics are printed once, when the app exits.
EXPORT_DELAY_MS = "600000"


class DemoError(RuntimeError):
    """The demo could not be set up; the message says what to do."""


def find_instrument_script() -> str:
    """`opentelemetry-instrument` of this environment: next to the running interpreter."""
    bin_dir = Path(sys.executable).parent
    for name in ("opentelemetry-instrument", "opentelemetry-instrument.exe"):
        candidate = bin_dir / name
        if candidate.is_file():
            return str(candidate)
    found = shutil.which("opentelemetry-instrument")
    if found:
        return found
    raise DemoError(
        f"opentelemetry-instrument was not found next to {sys.executable}; "
        "run `uv sync --all-packages` (or `make demo`) to install the development tools"
    )


def start_emulator(ready_file: Path) -> subprocess.Popen[bytes]:
    # The emulator prints its URL on stdout; we read it from the ready file instead.
    command = [sys.executable, "-m", "provider_emulator", "--port", "0"]
    return subprocess.Popen([*command, "--ready-file", str(ready_file)], stdout=subprocess.DEVNULL)


def wait_until_ready(emulator: subprocess.Popen[bytes], ready_file: Path) -> str:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if ready_file.exists():
            url = ready_file.read_text().strip()
            if url:
                return url
        if emulator.poll() is not None:
            raise DemoError(f"the provider emulator exited early with code {emulator.returncode}")
        time.sleep(0.05)
    raise DemoError(f"the provider emulator was not ready after {READY_TIMEOUT_S:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def app_environment(base_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(emulator_environment(base_url))
    env.update(
        {
            "OTEL_SERVICE_NAME": "llm-demo",
            "OTEL_TRACES_EXPORTER": "llm_console",
            "OTEL_METRICS_EXPORTER": "llm_console",
            "OTEL_LOGS_EXPORTER": "none",
            "OTEL_METRIC_EXPORT_INTERVAL": EXPORT_DELAY_MS,
            # Keeps span lines together after the app's own output instead of mid-stream.
            "OTEL_BSP_SCHEDULE_DELAY": EXPORT_DELAY_MS,
        }
    )
    return env


def header(base_url: str) -> str:
    return "\n".join(
        [
            "== LLM telemetry demo ==",
            f"provider emulator : {base_url} (OpenAI API at {base_url}/openai/v1)",
            "command           : opentelemetry-instrument python examples/app.py",
            "exporters         : OTEL_TRACES_EXPORTER=llm_console"
            " OTEL_METRICS_EXPORTER=llm_console",
            "output            : the app's lines, one line per LLM call, then the metrics",
            "",
        ]
    )


def run() -> int:
    instrument = find_instrument_script()
    with tempfile.TemporaryDirectory(prefix="llm-demo-") as directory:
        ready_file = Path(directory) / "emulator.url"
        emulator = start_emulator(ready_file)
        try:
            base_url = wait_until_ready(emulator, ready_file)
            print(header(base_url), flush=True)
            app = subprocess.run(
                [instrument, sys.executable, str(APP)], env=app_environment(base_url), check=False
            )
            return app.returncode
        finally:
            stop(emulator)


def main() -> int:
    try:
        return run()
    except DemoError as error:
        print(f"demo failed: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        # The app got the same Ctrl-C; the emulator was stopped on the way out.
        return 128 + signal.SIGINT


if __name__ == "__main__":
    sys.exit(main())
