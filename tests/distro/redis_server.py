"""A real ``redis-server`` (Debian's) on loopback for the budget store tests; it can be
killed, restarted on the same port, frozen (SIGSTOP: connections hang, as with a stuck
server) and thawed. Not a conftest: imported by the tests that need it."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from server_tools import find_tool, free_port


class RedisServer:
    """One ``redis-server`` process without persistence: a restart starts empty."""

    def __init__(self, binary: str, directory: Path) -> None:
        self.binary = binary
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = directory / "redis.log"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=5)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
                "--logfile",
                str(self.log),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                if self.client().ping():
                    return
            except redis.ConnectionError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = self.log.read_text() if self.log.exists() else ""
                raise RuntimeError(f"redis-server did not start:\n{log}")
            time.sleep(0.02)

    def kill(self) -> None:
        """SIGKILL: the server dies without saving anything."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait(10)

    def restart(self) -> None:
        self.kill()
        self.start()

    def freeze(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGCONT)

    def command_calls(self) -> dict[str, int]:
        """Calls per command since the server started (``INFO commandstats``)."""
        stats = self.client().info("commandstats")
        return {name.removeprefix("cmdstat_"): int(value["calls"]) for name, value in stats.items()}


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    binary = find_tool(
        "redis-server", "apt-get install redis-server (Debian)", "/usr/bin/redis-server"
    )
    server = RedisServer(binary, tmp_path)
    server.start()
    yield server
    server.kill()
