"""Content of the OpenAI-style chat format, which several SDKs share.

OpenAI, Groq, Mistral, LiteLLM and Ollama all take ``messages`` as role/content pairs with
``tool_calls`` on assistant messages and ``tool`` results, and ``tools`` as function schemas.
These helpers turn that shape into the conventions' message parts. They run only when
content capture is on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from opentelemetry.instrumentation.agentops.core._records import Request
from opentelemetry.instrumentation.agentops.core.values import as_str_list, field, text_size
from opentelemetry.util.genai.types import (
    BlobPart,
    FilePart,
    FunctionToolDefinition,
    GenericToolDefinition,
    InputMessage,
    MessagePart,
    Modality,
    OutputMessage,
    TextPart,
    ToolCallRequestPart,
    ToolCallResponsePart,
    ToolDefinition,
)
from opentelemetry.util.genai.utils import decode_base64, image_from_url

__all__ = [
    "FINISH_REASONS",
    "chat_input_messages",
    "chat_output_message",
    "chat_prompt_size",
    "content_parts",
    "record_text_prompt",
    "tool_arguments",
    "tool_definitions",
]

FINISH_REASONS = {"tool_calls": "tool_call", "function_call": "tool_call"}
"""Provider finish reasons that differ from the conventions' ``FinishReason`` values."""


def tool_arguments(arguments: Any) -> Any:
    """Tool-call arguments as structured data when they are a JSON string."""
    if isinstance(arguments, str):
        try:
            return json.loads(arguments)
        except ValueError:
            return arguments
    return arguments


def content_parts(content: Any) -> list[MessagePart]:
    """Parts of a message ``content``: a string or a list of typed parts."""
    if content is None:
        return []
    if isinstance(content, str):
        return [TextPart(content=content)]
    parts: list[MessagePart] = []
    if not isinstance(content, Iterable):
        return parts
    for item in content:
        kind = field(item, "type")
        if kind in ("text", "input_text", "output_text"):
            parts.append(TextPart(content=str(field(item, "text", ""))))
        elif kind in ("image_url", "input_image"):
            image = field(item, "image_url")
            url = field(image, "url") if image is not None and not isinstance(image, str) else image
            if isinstance(url, str):
                part = image_from_url(url)
                if part is not None:
                    parts.append(part)
        elif kind == "input_audio":
            audio = field(item, "input_audio")
            data = decode_base64(str(field(audio, "data", "")))
            if data is not None:
                fmt = field(audio, "format")
                parts.append(
                    BlobPart(
                        mime_type=f"audio/{fmt}" if fmt else None,
                        modality=Modality.AUDIO,
                        content=data,
                    )
                )
        elif kind in ("file", "input_file"):
            file = field(item, "file", item)
            file_id = field(file, "file_id")
            if isinstance(file_id, str):
                parts.append(FilePart(mime_type=None, modality=Modality.DOCUMENT, file_id=file_id))
        elif kind == "refusal":
            parts.append(TextPart(content=str(field(item, "refusal", ""))))
    return parts


def _call_part(function: Any, call_id: Any) -> ToolCallRequestPart:
    return ToolCallRequestPart(
        name=str(field(function, "name", "")),
        id=call_id if isinstance(call_id, str) else None,
        arguments=tool_arguments(field(function, "arguments")),
    )


def _requested_calls(message: Any) -> list[MessagePart]:
    """Tool calls an assistant message asks for, including the legacy ``function_call``."""
    parts: list[MessagePart] = []
    for call in field(message, "tool_calls") or ():
        function = field(call, "function")
        if function is not None:
            parts.append(_call_part(function, field(call, "id")))
    function_call = field(message, "function_call")
    if function_call is not None:
        parts.append(_call_part(function_call, None))
    return parts


def chat_prompt_size(messages: Any) -> int:
    """Characters of message text (content and tool-call arguments), for usage estimates."""
    if not isinstance(messages, Iterable) or isinstance(messages, str | bytes):
        return text_size(messages)
    total = 0
    for message in messages:
        total += text_size(field(message, "content"))
        for call in field(message, "tool_calls") or ():
            total += text_size(field(field(call, "function"), "arguments"))
    return total


def chat_input_messages(messages: Any) -> list[InputMessage]:
    result: list[InputMessage] = []
    if not isinstance(messages, Iterable) or isinstance(messages, str | bytes):
        return result
    for message in messages:
        role = str(field(message, "role", "user"))
        content = field(message, "content")
        if role in ("tool", "function"):
            parts: list[MessagePart] = [
                ToolCallResponsePart(
                    response=content if isinstance(content, str) else content_parts(content),
                    id=field(message, "tool_call_id"),
                )
            ]
        else:
            parts = content_parts(content)
            parts.extend(_requested_calls(message))
        result.append(InputMessage(role=role, parts=parts, name=field(message, "name")))
    return result


def chat_output_message(message: Any, finish_reason: str | None) -> OutputMessage:
    parts = content_parts(field(message, "content"))
    refusal = field(message, "refusal")
    if isinstance(refusal, str):
        parts.append(TextPart(content=refusal))
    parts.extend(_requested_calls(message))
    return OutputMessage(
        role=str(field(message, "role", None) or "assistant"),
        parts=parts,
        finish_reason=FINISH_REASONS.get(finish_reason or "", finish_reason),
    )


def tool_definitions(tools: Any) -> list[ToolDefinition] | None:
    """Tool schemas in the OpenAI shape (``{"type": "function", "function": {...}}``) or the
    flat Responses-API shape (``{"type": "function", "name": ...}``)."""
    if not isinstance(tools, Iterable) or isinstance(tools, str | bytes):
        return None
    definitions: list[ToolDefinition] = []
    for tool in tools:
        kind = str(field(tool, "type", "function"))
        spec = field(tool, "function") or tool
        name = field(spec, "name")
        if kind == "function" and isinstance(name, str):
            definitions.append(
                FunctionToolDefinition(
                    name=name,
                    description=field(spec, "description"),
                    parameters=field(spec, "parameters"),
                )
            )
        else:
            definitions.append(GenericToolDefinition(name=str(name or kind), type=kind))
    return definitions or None


def record_text_prompt(request: Request[Any], prompt: Any, capture_content: bool) -> None:
    """A text completion's prompt (a string, or a list of strings sent as one batch): its size
    for usage estimates and, with content capture on, one user message per prompt."""
    request.prompt_size = lambda: text_size(prompt)
    if capture_content:
        prompts = [prompt] if isinstance(prompt, str) else as_str_list(prompt) or []
        request.input_messages = [
            InputMessage(role="user", parts=[TextPart(content=text)]) for text in prompts
        ]
