"""`python -m provider_emulator`: serve until SIGINT or SIGTERM, announcing the base URL."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from .controls import ControlError, check_default_controls
from .server import EmulatorServer


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m provider_emulator", description="Serve the LLM provider emulator."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind (default: a free one)")
    parser.add_argument("--ready-file", type=Path, help="write the base URL here once serving")
    parser.add_argument("--verbose", action="store_true", help="log each request to stderr")
    parser.add_argument(
        "--control",
        action="append",
        default=[],
        metavar="HEADER=VALUE",
        help="a control header applied to every request that does not send it, e.g. "
        "x-emulator-latency-ms=80 (repeatable)",
    )
    args = parser.parse_args(argv)
    try:
        args.default_controls = check_default_controls(
            dict(_split_control(parser, item) for item in args.control)
        )
    except ControlError as error:
        parser.error(str(error))
    return args


def _split_control(parser: argparse.ArgumentParser, item: str) -> tuple[str, str]:
    name, separator, value = item.partition("=")
    if not separator:
        parser.error(f"--control needs HEADER=VALUE, got {item!r}")
    return name, value


def write_ready_file(path: Path, base_url: str) -> None:
    # Written then renamed, so a watcher never reads a half-written URL.
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(base_url + "\n")
    os.replace(temporary, path)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stop = threading.Event()

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    with EmulatorServer(
        args.host, args.port, verbose=args.verbose, default_controls=args.default_controls
    ) as server:
        print(server.base_url, flush=True)
        if args.ready_file is not None:
            write_ready_file(args.ready_file, server.base_url)
        while not stop.wait(0.5):
            pass
    if args.ready_file is not None:
        args.ready_file.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
