"""Whether a request gets a tool call instead of text, and with which tool and arguments."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..schema_instance import instance_for


@dataclass(frozen=True)
class FunctionTool:
    name: str
    parameters: Any


@dataclass(frozen=True)
class ToolCall:
    call_id: str
    name: str
    arguments: str


def chat_tools(tools: Any) -> list[FunctionTool]:
    """Function tools of a Chat Completions request: `{"type": "function", "function": {...}}`."""
    found: list[FunctionTool] = []
    for tool in tools if isinstance(tools, list) else []:
        function = tool.get("function") if isinstance(tool, dict) else None
        if isinstance(function, dict) and isinstance(function.get("name"), str):
            found.append(FunctionTool(function["name"], function.get("parameters") or {}))
    return found


def responses_tools(tools: Any) -> list[FunctionTool]:
    """Function tools of a Responses request: `{"type": "function", "name": ..., ...}`."""
    return [
        FunctionTool(tool["name"], tool.get("parameters") or {})
        for tool in (tools if isinstance(tools, list) else [])
        if isinstance(tool, dict)
        and tool.get("type") == "function"
        and isinstance(tool.get("name"), str)
    ]


def named_choice(tool_choice: Any) -> str | None:
    """The tool a `tool_choice` object forces, in either API's shape, if it names one."""
    if not isinstance(tool_choice, dict):
        return None
    function = tool_choice.get("function")
    if isinstance(function, dict) and isinstance(function.get("name"), str):
        return str(function["name"])
    name = tool_choice.get("name")
    return name if isinstance(name, str) else None


def pick_tool(tools: list[FunctionTool], tool_choice: Any) -> FunctionTool | None:
    """The tool to call: the named one, else the first; None when tools are off or absent."""
    if not tools or tool_choice == "none":
        return None
    wanted = named_choice(tool_choice)
    if wanted is not None:
        return next((tool for tool in tools if tool.name == wanted), None)
    return tools[0]


def arguments_for(tool: FunctionTool) -> str:
    """Arguments JSON built from the tool's parameter schema (minimal valid values)."""
    arguments = instance_for(tool.parameters)
    # Arguments are always an object, even when the schema is empty or not an object schema.
    return json.dumps(arguments if isinstance(arguments, dict) else {})
