"""OpenAI's tool and tool-choice shapes, parsed for the shared tool-call decision."""

from __future__ import annotations

from typing import Any

from ..tooling import FunctionTool, choose_tool


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
    return choose_tool(tools, named_choice(tool_choice), disabled=tool_choice == "none")
