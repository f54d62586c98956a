"""Reading a Messages request: prompt tokens, the user's last words, tools and formats."""

from __future__ import annotations

import json
from typing import Any

from ..textgen import IMAGE_TOKENS, count_words
from ..tooling import FunctionTool, choose_tool


def blocks_of(content: Any) -> list[dict[str, Any]]:
    """Message content as a list of blocks; a bare string is one text block."""
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if isinstance(content, list):
        return [block for block in content if isinstance(block, dict)]
    return []


def block_tokens(block: dict[str, Any]) -> int:
    """Words of a block's text (tool inputs as JSON), a flat cost per image or binary file."""
    kind = block.get("type")
    if kind == "text":
        return count_words(str(block.get("text", "")))
    if kind == "image":
        return IMAGE_TOKENS
    if kind == "document":
        return document_tokens(block.get("source"))
    if kind in ("tool_use", "server_tool_use"):
        return count_words(json.dumps(block.get("input", {})))
    if kind == "tool_result":
        return sum(block_tokens(part) for part in blocks_of(block.get("content")))
    if kind == "thinking":
        return count_words(str(block.get("thinking", "")))
    return 0


def document_tokens(source: Any) -> int:
    if not isinstance(source, dict):
        return 0
    if source.get("type") == "text":
        return count_words(str(source.get("data", "")))
    if source.get("type") == "content":
        return sum(block_tokens(part) for part in blocks_of(source.get("content")))
    # base64 or URL PDFs cost a flat amount, like images.
    return IMAGE_TOKENS


def input_tokens(body: dict[str, Any]) -> int:
    """The prompt: the system prompt and every block of every message."""
    total = sum(block_tokens(block) for block in blocks_of(body.get("system")))
    for message in body.get("messages") or []:
        if isinstance(message, dict):
            total += sum(block_tokens(block) for block in blocks_of(message.get("content")))
    return total


def text_of(blocks: list[dict[str, Any]]) -> str:
    return " ".join(str(b.get("text", "")) for b in blocks if b.get("type") == "text")


def last_user_text(messages: list[Any]) -> str:
    """Text of the last user turn that has any; turns holding only tool results are skipped."""
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            text = text_of(blocks_of(message.get("content")))
            if text:
                return text
    return ""


def answers_tool(messages: list[Any]) -> bool:
    """Whether the conversation ends with tool results, which the model answers in text."""
    last = messages[-1] if messages and isinstance(messages[-1], dict) else {}
    return last.get("role") == "user" and any(
        block.get("type") == "tool_result" for block in blocks_of(last.get("content"))
    )


def custom_tools(tools: Any) -> list[FunctionTool]:
    """Client tools (`name` and `input_schema`); server tools run on the API side and are
    never returned to the client as `tool_use`."""
    return [
        FunctionTool(tool["name"], tool.get("input_schema") or {})
        for tool in (tools if isinstance(tools, list) else [])
        if isinstance(tool, dict)
        and isinstance(tool.get("name"), str)
        and isinstance(tool.get("input_schema"), dict)
    ]


def pick_tool(body: dict[str, Any]) -> FunctionTool | None:
    """`tool_choice` `{"type": "tool", "name"}` forces one, `none` turns tools off; `auto`,
    `any` or no choice call the first tool, as the OpenAI emulation does."""
    choice = body.get("tool_choice") if isinstance(body.get("tool_choice"), dict) else {}
    forced = choice.get("name") if choice.get("type") == "tool" else None
    return choose_tool(
        custom_tools(body.get("tools")),
        forced if isinstance(forced, str) else None,
        disabled=choice.get("type") == "none",
    )


def output_schema(body: dict[str, Any]) -> Any:
    """The JSON schema structured outputs ask for: `output_config.format`, or the older beta
    top-level `output_format`; None for free text."""
    config = body.get("output_config") if isinstance(body.get("output_config"), dict) else {}
    for fmt in (config.get("format"), body.get("output_format")):
        if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
            return fmt.get("schema") if isinstance(fmt.get("schema"), dict) else {}
    return None


def thinking_enabled(body: dict[str, Any]) -> bool:
    thinking = body.get("thinking")
    return isinstance(thinking, dict) and thinking.get("type") in ("enabled", "adaptive")
