"""Anthropic content blocks as the conventions' message parts (only when content is captured).

Requests and responses share one block vocabulary: ``text``, ``image`` and ``document`` (a
base64, URL, text or file source), ``tool_use`` and ``tool_result``, ``thinking`` and
``redacted_thinking``, and the server tools' ``server_tool_use`` and ``*_tool_result``
blocks. Blocks arrive as dicts (request parameters) or SDK models (responses); ``field``
reads both. Blocks of a type not listed here are left out rather than guessed at.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from opentelemetry.instrumentation.agentops.core.values import as_str, field, text_size
from opentelemetry.util.genai.types import (
    BlobPart,
    FilePart,
    FunctionToolDefinition,
    GenericToolDefinition,
    InputMessage,
    MessagePart,
    Modality,
    ReasoningPart,
    ServerToolCallPart,
    ServerToolCallResponsePart,
    TextPart,
    ToolCallRequestPart,
    ToolCallResponsePart,
    ToolDefinition,
)
from opentelemetry.util.genai.utils import decode_base64, image_from_url

__all__ = ["input_messages", "message_parts", "prompt_chars", "system_parts", "tool_definitions"]

_MODALITIES: Final = {"image": Modality.IMAGE, "document": Modality.DOCUMENT}
# Custom tools have no ``type`` (or ``custom``); server and client-defined built-in tools
# (``web_search_20250305``, ``bash_20250124``, ...) name their type.
_CUSTOM_TOOL_TYPES: Final = (None, "custom")


def _iterable(value: Any) -> bool:
    return isinstance(value, Iterable) and not isinstance(value, str | bytes | dict)


def _plain(value: Any) -> Any:
    """An SDK model as plain data (dicts, lists, scalars), for parts that keep a payload."""
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump(mode="json", exclude_none=True)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _media(block: Any, modality: Modality) -> list[MessagePart]:
    """An ``image`` or ``document`` block, by its source."""
    source = field(block, "source")
    kind = field(source, "type") if source is not None else None
    part: MessagePart | None = None
    if kind == "base64":
        data = decode_base64(str(field(source, "data", "")))
        if data is not None:
            mime_type = as_str(field(source, "media_type"))
            part = BlobPart(mime_type=mime_type, modality=modality, content=data)
    elif kind == "url":
        url = as_str(field(source, "url"))
        part = image_from_url(url, modality=modality) if url else None
    elif kind == "text":  # a plain-text document
        part = TextPart(content=str(field(source, "data", "")))
    elif kind == "file":
        file_id = as_str(field(source, "file_id"))
        if file_id:
            part = FilePart(mime_type=None, modality=modality, file_id=file_id)
    elif kind == "content":  # a document made of content blocks
        return message_parts(field(source, "content"))
    return [part] if part is not None else []


def _tool_result(block: Any) -> ToolCallResponsePart:
    content = field(block, "content")
    response = content if isinstance(content, str) or content is None else message_parts(content)
    return ToolCallResponsePart(response=response, id=as_str(field(block, "tool_use_id")))


def _part(block: Any) -> MessagePart | None:
    kind = field(block, "type")
    if kind == "text":
        return TextPart(content=str(field(block, "text", "")))
    if kind == "tool_use":
        return ToolCallRequestPart(
            name=str(field(block, "name", "")),
            id=as_str(field(block, "id")),
            arguments=_plain(field(block, "input")),
        )
    if kind == "tool_result":
        return _tool_result(block)
    if kind == "thinking":
        return ReasoningPart(content=str(field(block, "thinking", "")))
    if kind == "redacted_thinking":  # encrypted by the provider: there is no text to show
        return ReasoningPart(content="")
    if kind == "server_tool_use":
        return ServerToolCallPart(
            name=str(field(block, "name", "")),
            server_tool_call=_plain(field(block, "input")),
            id=as_str(field(block, "id")),
        )
    if isinstance(kind, str) and kind.endswith("_tool_result"):
        return ServerToolCallResponsePart(
            server_tool_call_response=_plain(field(block, "content")),
            id=as_str(field(block, "tool_use_id")),
        )
    return None


def _parts(block: Any) -> list[MessagePart]:
    modality = _MODALITIES.get(field(block, "type"))
    if modality is not None:
        return _media(block, modality)
    part = _part(block)
    return [part] if part is not None else []


def message_parts(content: Any) -> list[MessagePart]:
    """Parts of a message's ``content``: a string or a list of blocks."""
    if isinstance(content, str):
        return [TextPart(content=content)]
    if not _iterable(content):
        return []
    return [part for block in content for part in _parts(block)]


def system_parts(system: Any) -> list[MessagePart] | None:
    """The ``system`` prompt, a string or a list of text blocks."""
    return message_parts(system) or None


def input_messages(messages: Any) -> list[InputMessage]:
    if not _iterable(messages):
        return []
    return [
        InputMessage(
            role=str(field(message, "role", "user")),
            parts=message_parts(field(message, "content")),
        )
        for message in messages
    ]


def tool_definitions(tools: Any) -> list[ToolDefinition] | None:
    """Custom tools (name, description, ``input_schema``) and the built-in ones by type."""
    if not _iterable(tools):
        return None
    definitions: list[ToolDefinition] = []
    for tool in tools:
        kind = field(tool, "type")
        name = as_str(field(tool, "name"))
        if kind in _CUSTOM_TOOL_TYPES and name is not None:
            definitions.append(
                FunctionToolDefinition(
                    name=name,
                    description=as_str(field(tool, "description")),
                    parameters=_plain(field(tool, "input_schema")),
                )
            )
        else:
            definitions.append(GenericToolDefinition(name=name or str(kind), type=str(kind)))
    return definitions or None


def _block_chars(block: Any) -> int:
    kind = field(block, "type")
    if kind == "text":
        return text_size(field(block, "text"))
    if kind == "thinking":
        return text_size(field(block, "thinking"))
    if kind in ("tool_use", "server_tool_use"):
        return text_size(field(block, "input"))
    if kind == "tool_result":
        return _content_chars(field(block, "content"))
    if kind == "document":
        source = field(block, "source")
        if field(source, "type") == "text":
            return text_size(field(source, "data"))
        if field(source, "type") == "content":
            return _content_chars(field(source, "content"))
    return 0  # media and file references: no text to count


def _content_chars(content: Any) -> int:
    if isinstance(content, str):
        return len(content)
    if not _iterable(content):
        return 0
    return sum(_block_chars(block) for block in content)


def prompt_chars(system: Any, messages: Any) -> int:
    """Characters of prompt text (system prompt and messages, images and files left out), for
    the usage estimate of a stream abandoned before the provider reported usage."""
    total = _content_chars(system)
    if _iterable(messages):
        total += sum(_content_chars(field(message, "content")) for message in messages)
    return total
