"""`make demo`: two apps against the provider emulator, then the report of what they did.

1. `examples/app.py`, an unmodified OpenAI app, under `opentelemetry-instrument`: its spans
   and metrics are printed by the console exporters and written to the OTLP JSON file.
2. `examples/support_app.py`, on the seed's `Client` API (tags, business value, cost limits,
   error reports): its telemetry goes to the same file only.
3. `agentops report` over the file: per model and per tag, with an HTML page.

The emulator answers every request after a short latency and reports a few cached prompt
tokens (server-wide control headers), so latency and cache figures have something to show.
No API key and no network access are needed. The exit code is the first failure's, else 0.

`--output-dir DIR` (default `demo-output/` at the repository root) receives
`telemetry.otlp.jsonl` (rewritten at each run) and `report.html`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent
ROOT = EXAMPLES.parent
APP = EXAMPLES / "app.py"
SUPPORT_APP = EXAMPLES / "support_app.py"
DEFAULT_OUTPUT = ROOT / "demo-output"
TELEMETRY_FILE = "telemetry.otlp.jsonl"
REPORT_FILE = "report.html"
sys.path.insert(0, str(EXAMPLES))

from calls import emulator_environment  # noqa: E402

READY_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 5.0
# Longer than the demo runs: spans and metrics are printed once, when the app exits.
EXPORT_DELAY_MS = "600000"
# Every emulator answer waits this long, and every chat call reads this many prompt tokens
# from the cache, unless the request says otherwise (the apps do not know the emulator).
EMULATOR_CONTROLS = {"x-emulator-latency-ms": "40", "x-emulator-cached-tokens": "8"}


class DemoError(RuntimeError):
    """The demo could not be set up; the message says what to do."""


@dataclass(frozen=True)
class DemoApp:
    """One app of the demo and how it is started."""

    name: str
    script: Path
    service: str
    under_instrument: bool
    """Run under `opentelemetry-instrument` (else the app's own Client sets telemetry up)."""
    console: bool
    """Also print spans and metrics with the console exporters."""

    def command(self, python: str = sys.executable) -> list[str]:
        if self.under_instrument:
            return [find_script("opentelemetry-instrument"), python, str(self.script)]
        return [python, str(self.script)]


DEMO_APPS = (
    DemoApp("an unmodified OpenAI app", APP, "llm-demo", under_instrument=True, console=True),
    DemoApp(
        "the seed's Client API",
        SUPPORT_APP,
        "support-assistant",
        under_instrument=False,
        console=False,
    ),
)


def find_script(name: str) -> str:
    """A console script of this environment: next to the running interpreter."""
    bin_dir = Path(sys.executable).parent
    for candidate in (bin_dir / name, bin_dir / f"{name}.exe"):
        if candidate.is_file():
            return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    raise DemoError(
        f"{name} was not found next to {sys.executable}; "
        "run `uv sync --all-packages` (or `make demo`) to install the development tools"
    )


def start_emulator(ready_file: Path) -> subprocess.Popen[bytes]:
    # The emulator prints its URL on stdout; we read it from the ready file instead.
    command = [sys.executable, "-m", "provider_emulator", "--port", "0"]
    for name, value in EMULATOR_CONTROLS.items():
        command += ["--control", f"{name}={value}"]
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


def app_environment(app: DemoApp, base_url: str, telemetry_file: Path) -> dict[str, str]:
    env = dict(os.environ)
    file_exporter = "agentops_otlp_file"
    exporters = f"llm_console,{file_exporter}" if app.console else file_exporter
    env.update(emulator_environment(base_url))
    env.update(
        {
            "OTEL_SERVICE_NAME": app.service,
            "OTEL_TRACES_EXPORTER": exporters,
            "OTEL_METRICS_EXPORTER": exporters,
            # Logs (GenAI exceptions, cost-limit alerts) go to the file only.
            "OTEL_LOGS_EXPORTER": file_exporter,
            "AGENTOPS_OTLP_FILE": str(telemetry_file),
            "OTEL_METRIC_EXPORT_INTERVAL": EXPORT_DELAY_MS,
            # Keeps span lines together after the app's own output instead of mid-stream.
            "OTEL_BSP_SCHEDULE_DELAY": EXPORT_DELAY_MS,
        }
    )
    return env


def report_command(telemetry_file: Path, html: Path) -> list[str]:
    return [
        find_script("agentops"),
        "report",
        str(telemetry_file),
        "--by",
        "model",
        "--by",
        "tag",
        "--html",
        str(html),
    ]


def header(base_url: str, output_dir: Path) -> str:
    controls = ", ".join(f"{name}: {value}" for name, value in EMULATOR_CONTROLS.items())
    return "\n".join(
        [
            "== LLM telemetry demo ==",
            f"provider emulator : {base_url} (OpenAI API at {base_url}/openai/v1)",
            f"                    every answer with {controls}",
            f"telemetry file    : {output_dir / TELEMETRY_FILE} (OTLP JSON lines)",
            "",
        ]
    )


def step(number: int, app: DemoApp, command: Sequence[str]) -> str:
    shown = " ".join(
        ["opentelemetry-instrument", "python", _relative(app.script)]
        if app.under_instrument
        else ["python", _relative(app.script)]
    )
    output = (
        "console (span lines, then the metrics table) and the telemetry file"
        if app.console
        else "the telemetry file only"
    )
    return "\n".join(
        [
            f"-- {number}/{len(DEMO_APPS)}: {app.name}: {shown}",
            f"   service {app.service}; telemetry to {output}",
            "",
        ]
    )


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def run(output_dir: Path) -> int:
    output_dir.mkdir(parents=True, exist_ok=True)
    telemetry_file = output_dir / TELEMETRY_FILE
    html = output_dir / REPORT_FILE
    telemetry_file.unlink(missing_ok=True)  # the exporters append: start from nothing
    commands = [app.command() for app in DEMO_APPS]
    report = report_command(telemetry_file, html)
    exit_code = 0
    with tempfile.TemporaryDirectory(prefix="llm-demo-") as directory:
        ready_file = Path(directory) / "emulator.url"
        emulator = start_emulator(ready_file)
        try:
            base_url = wait_until_ready(emulator, ready_file)
            print(header(base_url, output_dir), flush=True)
            for number, (app, command) in enumerate(zip(DEMO_APPS, commands, strict=True), 1):
                print(step(number, app, command), flush=True)
                result = subprocess.run(
                    command, env=app_environment(app, base_url, telemetry_file), check=False
                )
                print(flush=True)
                exit_code = exit_code or result.returncode
        finally:
            stop(emulator)
    print("-- report: agentops report " + " ".join(report[2:]), flush=True)
    print(flush=True)
    result = subprocess.run(report, check=False)
    if result.returncode == 0:
        print(f"Open {html} in a browser for the charts.", flush=True)
    return exit_code or result.returncode


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the LLM telemetry demo.")
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=DEFAULT_OUTPUT,
        help=f"where the telemetry file and the HTML report go (default {DEFAULT_OUTPUT})",
    )
    args = parser.parse_args(argv)
    try:
        return run(args.output_dir.resolve())
    except DemoError as error:
        print(f"demo failed: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        # The app got the same Ctrl-C; the emulator was stopped on the way out.
        return 128 + signal.SIGINT


if __name__ == "__main__":
    sys.exit(main())
