"""Server-wide control headers: `EmulatorServer(default_controls=...)` and `--control`."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from openai import OpenAI
from provider_emulator import EmulatorServer
from provider_emulator.controls import ControlError

MESSAGES = [{"role": "user", "content": "Say hello to the defaults"}]


def test_defaults_apply_to_requests_without_the_header() -> None:
    controls = {"X-Emulator-Cached-Tokens": "7", "x-emulator-latency-ms": "150"}
    with EmulatorServer(default_controls=controls) as emulator:
        client = OpenAI(base_url=emulator.openai_base_url, api_key="sk-emulator", max_retries=0)
        started = time.perf_counter()
        plain = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
        assert time.perf_counter() - started >= 0.15
        assert plain.usage.prompt_tokens_details.cached_tokens == 7
        # A request's own header wins over the default.
        own = client.chat.completions.create(
            model="gpt-4o-mini",
            messages=MESSAGES,
            extra_headers={"x-emulator-cached-tokens": "2", "x-emulator-latency-ms": "0"},
        )
        assert own.usage.prompt_tokens_details.cached_tokens == 2
        assert own.usage.prompt_tokens == plain.usage.prompt_tokens - 5


@pytest.mark.parametrize(
    "controls",
    [{"x-emulator-latncy-ms": "5"}, {"x-emulator-latency-ms": "soon"}, {"authorization": "x"}],
)
def test_bad_defaults_are_refused(controls: dict[str, str]) -> None:
    with pytest.raises(ControlError):
        EmulatorServer(default_controls=controls)


def test_command_line_refuses_a_bad_control() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "provider_emulator", "--control", "x-emulator-chunks=0"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "x-emulator-chunks must be between 1" in result.stderr
