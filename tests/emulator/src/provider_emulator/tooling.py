"""Tool calls shared by every provider: which tool a request gets, and its arguments.

Providers parse their own tool and tool-choice shapes into `FunctionTool` and a forced name;
the decision itself is the same everywhere: with tools offered and not switched off, the model
calls the forced tool, else the first one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .schema_instance import instance_for


@dataclass(frozen=True)
class FunctionTool:
    name: str
    parameters: Any


@dataclass(frozen=True)
class ToolCall:
    call_id: str
    name: str
    arguments: str


def choose_tool(
    tools: list[FunctionTool], forced: str | None = None, disabled: bool = False
) -> FunctionTool | None:
    """The tool to call: the forced one, else the first; None when tools are off or absent."""
    if not tools or disabled:
        return None
    if forced is not None:
        return next((tool for tool in tools if tool.name == forced), None)
    return tools[0]


def arguments_for(tool: FunctionTool) -> str:
    """Arguments JSON built from the tool's parameter schema (minimal valid values)."""
    arguments = instance_for(tool.parameters)
    # Arguments are always an object, even when the schema is empty or not an object schema.
    return json.dumps(arguments if isinstance(arguments, dict) else {})
