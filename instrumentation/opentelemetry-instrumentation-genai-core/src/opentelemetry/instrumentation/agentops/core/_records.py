"""The provider-neutral record of one GenAI call.

A provider package maps an SDK's request, response and stream chunks onto these types; the
core turns them into spans, metrics and events. Nothing here knows about any provider.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from opentelemetry.util.genai.types import (
    InputMessage,
    MessagePart,
    OutputMessage,
    ToolDefinition,
)
from opentelemetry.util.types import AttributeValue

__all__ = ["Request", "Response", "StateT", "Usage"]

StateT = TypeVar("StateT")
"""What a mapper carries from a request to its response mapping (``Request.state``)."""


@dataclass(slots=True)
class Usage:
    """Token counts as the provider reported them, in semantic-convention terms.

    ``input_tokens`` includes cached tokens (read and written), as the conventions require;
    a provider that reports them separately (Anthropic) adds them up in its mapper. A count
    the provider did not report stays ``None`` and is not recorded.
    """

    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_read_input_tokens: int | None = None
    cache_creation_input_tokens: int | None = None
    reasoning_output_tokens: int | None = None
    estimated: bool = False
    """Set by the core only: counts guessed from the text of a stream the caller abandoned
    before the provider reported usage. Never recorded as ``gen_ai.usage.*``."""


@dataclass(slots=True)
class Request(Generic[StateT]):
    """What the caller asked for, known before the call is sent."""

    provider: str
    """``gen_ai.provider.name``."""
    operation: str
    """``gen_ai.operation.name``: chat, text_completion, embeddings, generate_content, ..."""
    model: str | None
    server_address: str | None = None
    server_port: int | None = None
    stream: bool = False

    temperature: float | None = None
    top_p: float | None = None
    top_k: float | None = None
    max_tokens: int | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    stop_sequences: list[str] | None = None
    seed: int | None = None
    choice_count: int | None = None
    output_type: str | None = None
    encoding_formats: list[str] | None = None
    conversation_id: str | None = None

    # Opt-in content: mappers fill these only when content capture is on.
    system_instructions: list[MessagePart] | None = None
    input_messages: list[InputMessage] | None = None
    tool_definitions: list[ToolDefinition] | None = None

    attributes: dict[str, AttributeValue] = field(default_factory=dict)
    """Further span attributes: registry names, or this project's (``agentops_semconv``)."""

    prompt_size: Callable[[], int] | None = None
    """Characters of prompt text, computed only if needed: the core estimates usage from it
    when a stream is abandoned before the provider reported any (see ``Usage.estimated``)."""

    state: StateT | None = None
    """Mapper-private data carried from the request to the response mapping."""

    groups_attempts: bool = False
    """The call is a routed call (``agentops.route``): it answers the caller with model calls
    of its own, trying deployments, retrying and falling back (LiteLLM's ``Router``). Its
    span (INTERNAL) is the parent of one inference span per attempt, which the core counts
    and summarizes on it (``agentops.route.*``); it records no usage, no GenAI metric and no
    call observer sees it, so nothing it groups is counted twice. A streamed routed call
    (``stream``) ends with its stream, after the attempt that answered."""


@dataclass(slots=True)
class Response:
    """What the provider answered, known when the call (or its stream) has finished."""

    id: str | None = None
    model: str | None = None
    finish_reasons: list[str] | None = None
    usage: Usage | None = None
    output_messages: list[OutputMessage] | None = None
    embedding_dimensions: int | None = None
    attributes: dict[str, AttributeValue] = field(default_factory=dict)
