"""Reading message content and prompts in the OpenAI shape, and counting their tokens."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from ..textgen import IMAGE_TOKENS, count_words


def text_of(content: Any) -> tuple[str, int]:
    """Text and image count of message content: a string, or a list of typed parts."""
    if isinstance(content, str):
        return content, 0
    if not isinstance(content, list):
        return "", 0
    texts: list[str] = []
    images = 0
    for part in content:
        if isinstance(part, str):
            texts.append(part)
        elif isinstance(part, dict):
            kind = part.get("type")
            if kind in ("image_url", "input_image", "image"):
                images += 1
            elif isinstance(part.get("text"), str):
                texts.append(part["text"])
            elif isinstance(part.get("refusal"), str):
                texts.append(part["refusal"])
    return " ".join(texts), images


def arguments_text(arguments: Any) -> str:
    """Tool-call arguments as text: a JSON string as sent, or an object (Mistral allows one)."""
    if isinstance(arguments, str):
        return arguments
    return "" if arguments is None else json.dumps(arguments)


def prompt_tokens(messages: list[Any]) -> int:
    """Words of all message text and tool-call arguments, plus a flat cost per image."""
    total = 0
    for message in messages:
        if not isinstance(message, dict):
            continue
        text, images = text_of(message.get("content"))
        total += count_words(text) + images * IMAGE_TOKENS
        for call in message.get("tool_calls") or []:
            function = call.get("function") if isinstance(call, dict) else None
            if isinstance(function, dict):
                total += count_words(arguments_text(function.get("arguments")))
    return total


def last_user_text(messages: list[Any]) -> str:
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            return text_of(message.get("content"))[0]
    return ""


class PromptItem(NamedTuple):
    """One prompt or embedding input: its text (empty for token arrays), tokens and hash key."""

    text: str
    tokens: int
    key: str


def prompts_of(raw: Any) -> list[PromptItem] | None:
    """A string, list of strings, token array or list of token arrays; None if invalid."""
    if isinstance(raw, str):
        return [PromptItem(raw, count_words(raw), raw)]
    if not isinstance(raw, list) or not raw:
        return None
    if all(isinstance(token, int) for token in raw):
        return [PromptItem("", len(raw), repr(raw))]
    found: list[PromptItem] = []
    for item in raw:
        if isinstance(item, str):
            found.append(PromptItem(item, count_words(item), item))
        elif isinstance(item, list) and all(isinstance(token, int) for token in item):
            found.append(PromptItem("", len(item), repr(item)))
        else:
            return None
    return found
