"""One compatibility run: ``python tests/compat/run.py NAME`` (``make test`` runs them all).

Each ``NAME.toml`` here describes a virtual environment: pinned requirements (an old SDK with
the dependency versions of its time, or the oldest / newest OpenTelemetry releases the ranges
admit), the workspace packages to install (editable, without their pinned dependencies
resolved anew), and the test paths to run in it. The environment is built once under
``.compat/NAME`` and rebuilt only when the file changes; runs are independent, so the Makefile
runs them in parallel.

Keys: ``requirements`` (list), ``packages`` (workspace paths, installed editable),
``tests`` (paths), ``pytest`` (extra pytest arguments), ``description``.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
COMMON = ["pytest>=8.3,<10", "pytest-asyncio>=0.24,<2"]
# Every run needs these workspace packages: the suite's conftest uses the emulator and the
# OpenTelemetry SDK; the packages below depend on semconv and the core.
ALWAYS = ["semconv", "instrumentation/opentelemetry-instrumentation-genai-core", "tests/emulator"]


def uv(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "uv", *args], check=True, cwd=ROOT)


def build(name: str, spec: dict, venv: Path) -> None:
    stamp = venv / ".spec-sha256"
    digest = hashlib.sha256((HERE / f"{name}.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    uv("venv", "--quiet", "--clear", "--python", "3.11", str(venv))
    python = str(venv / "bin" / "python")
    editable = [arg for path in [*ALWAYS, *spec.get("packages", [])] for arg in ("-e", path)]
    uv("pip", "install", "--quiet", "--python", python, *COMMON, *spec["requirements"], *editable)
    stamp.write_text(digest)


def main() -> int:
    name = sys.argv[1]
    spec = tomllib.loads((HERE / f"{name}.toml").read_text())
    venv = ROOT / ".compat" / name
    build(name, spec, venv)
    print(f"== compatibility run {name}: {spec.get('description', '')}", flush=True)
    command = [
        str(venv / "bin" / "python"),
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-q",
        *spec.get("pytest", []),
        *spec["tests"],
    ]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(command, cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
