"""Shared by the viewing tests: where the repository and the stack are, and (from
``tests/server_tools.py``) finding the servers and browsers the tests run, free ports. (Not a
conftest: the suite's root conftest would shadow the module name.)"""

from __future__ import annotations

from pathlib import Path

from server_tools import REQUIRE_ENV, find_tool, free_port

__all__ = ["REQUIRE_ENV", "ROOT", "STACK", "find_tool", "free_port"]

ROOT = Path(__file__).resolve().parents[2]
STACK = ROOT / "examples" / "stack"
