"""Opt-in content of Ollama calls as the conventions' message parts (content capture only).

Ollama's messages are OpenAI-style role/content pairs (``chat_format`` reads those) with two
differences handled here: images travel beside the text in ``images`` (bytes, base64 text,
file paths, or ``ollama.Image`` from 0.4), and ``tools`` may be plain Python functions (0.4).
Image files are never read: a path is recorded as a URI part, as given.
"""

from __future__ import annotations

import inspect
import mimetypes
import os
from collections.abc import Iterable
from typing import Any, Final

from opentelemetry.instrumentation.agentops.core.chat_format import (
    chat_input_messages,
    chat_output_message,
    tool_definitions,
)
from opentelemetry.instrumentation.agentops.core.values import as_str, field
from opentelemetry.util.genai.types import (
    BlobPart,
    FunctionToolDefinition,
    InputMessage,
    MessagePart,
    Modality,
    OutputMessage,
    ReasoningPart,
    TextPart,
    ToolDefinition,
    UriPart,
)
from opentelemetry.util.genai.utils import decode_base64

__all__ = [
    "chat_messages",
    "chat_output",
    "image_parts",
    "prompt_messages",
    "text_output",
    "tool_schemas",
]

# What the SDK itself takes for a file name rather than base64 text.
_IMAGE_SUFFIXES: Final = (".png", ".jpg", ".jpeg", ".webp")


def _image_part(image: Any) -> MessagePart | None:
    value = getattr(image, "value", image)  # ollama.Image wraps the value it was given
    if isinstance(value, bytes | bytearray):
        return BlobPart(mime_type=None, modality=Modality.IMAGE, content=bytes(value))
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        return None
    if not value.lower().endswith(_IMAGE_SUFFIXES):
        data = decode_base64(value)
        if data is not None:
            return BlobPart(mime_type=None, modality=Modality.IMAGE, content=data)
    return UriPart(mime_type=mimetypes.guess_type(value)[0], modality=Modality.IMAGE, uri=value)


def image_parts(images: Any) -> list[MessagePart]:
    if not isinstance(images, Iterable) or isinstance(images, str | bytes):
        return []
    return [part for part in map(_image_part, images) if part is not None]


def chat_messages(messages: Any) -> list[InputMessage]:
    """Chat messages with their text, tool calls, tool results and images."""
    result = chat_input_messages(messages)
    if not result:
        return result
    # chat_input_messages makes one message per input message, in order.
    for message, recorded in zip(messages, result, strict=False):
        recorded.parts.extend(image_parts(field(message, "images")))
    return result


def prompt_messages(prompt: Any, images: Any) -> list[InputMessage]:
    """``generate``'s prompt and images as one user message."""
    parts: list[MessagePart] = []
    if isinstance(prompt, str) and prompt:
        parts.append(TextPart(content=prompt))
    parts.extend(image_parts(images))
    return [InputMessage(role="user", parts=parts)] if parts else []


def _with_thinking(output: OutputMessage, thinking: Any) -> OutputMessage:
    # An empty text part (the content of a reply that only calls tools) says nothing.
    output.parts = [p for p in output.parts if not (isinstance(p, TextPart) and not p.content)]
    if isinstance(thinking, str) and thinking:
        output.parts.insert(0, ReasoningPart(content=thinking))
    return output


def chat_output(message: Any, finish_reason: str | None) -> OutputMessage:
    """The assistant's message: thinking (0.9+ servers), text and tool calls."""
    return _with_thinking(chat_output_message(message, finish_reason), field(message, "thinking"))


def text_output(text: Any, thinking: Any, finish_reason: str | None) -> OutputMessage:
    """``generate``'s answer."""
    output = OutputMessage(
        role="assistant",
        parts=[TextPart(content=text)] if isinstance(text, str) else [],
        finish_reason=finish_reason,
    )
    return _with_thinking(output, thinking)


def _function_definition(function: Any) -> FunctionToolDefinition:
    """A Python function the SDK turns into a tool schema itself (from its docstring)."""
    doc = inspect.getdoc(function) or ""
    summary = doc.split("\n\n", 1)[0].strip()
    return FunctionToolDefinition(
        name=as_str(getattr(function, "__name__", None)) or "function",
        description=summary or None,
        parameters=None,
    )


def tool_schemas(tools: Any) -> list[ToolDefinition] | None:
    """Tools as schemas (dicts or ``ollama.Tool``, OpenAI's shape) or Python functions."""
    if not isinstance(tools, Iterable) or isinstance(tools, str | bytes):
        return None
    definitions: list[ToolDefinition] = []
    for tool in tools:
        if inspect.isfunction(tool) or inspect.ismethod(tool):
            definitions.append(_function_definition(tool))
        else:
            definitions.extend(tool_definitions([tool]) or ())
    return definitions or None
