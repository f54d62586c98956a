"""The instrumentation of ``fake_sdk``: a provider package in miniature, pure mapping."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any, ClassVar

from opentelemetry.instrumentation.agentops.core import (
    Alteration,
    Call,
    CallShape,
    GenAIInstrumentor,
    Mapper,
    NativeTracing,
    Patch,
    Request,
    Response,
    StreamAccumulator,
    StreamHelpers,
    Usage,
)
from opentelemetry.instrumentation.agentops.core.chat_format import (
    chat_input_messages,
    chat_prompt_size,
)
from opentelemetry.instrumentation.agentops.core.values import as_float, as_str, field, text_size
from opentelemetry.util.genai.types import OutputMessage, TextPart

MODULE = "fake_sdk"


def usage_of(value: Any) -> Usage | None:
    if not isinstance(value, dict):
        return None
    return Usage(input_tokens=value.get("input"), output_tokens=value.get("output"))


class FakeMapper(Mapper[dict[str, Any]]):
    stream_helpers: ClassVar[StreamHelpers | None] = StreamHelpers(
        drain=frozenset({"until_done", "get_final_message"}),
        views={"text_stream": lambda chunk: chunk.get("text")},
    )

    def __init__(self, *, streams: bool = False, alter: bool = False) -> None:
        self.streams = streams
        self.alter = alter
        self.rejected = 0

    def request(self, call: Call, capture_content: bool) -> Request[dict[str, Any]] | None:
        request: Request[dict[str, Any]] = Request(
            provider="fake",
            operation="chat",
            model=as_str(call.get("model")),
            server_address="fake.example.com",
            server_port=443,
            stream=self.streams or call.get("stream") is True,
            temperature=as_float(call.get("temperature")),
        )
        messages = call.get("messages")
        request.prompt_size = lambda: chat_prompt_size(messages) + text_size(call.get("prompt"))
        if capture_content:
            request.input_messages = chat_input_messages(messages)
        return request

    def prepare(self, call: Call, request: Request[dict[str, Any]]) -> Alteration | None:
        if not self.alter:
            return None
        call.kwargs["extra"] = True

        def remember() -> None:
            self.rejected += 1

        return Alteration(
            rejected_by=lambda error: getattr(error, "status_code", None) == 400,
            on_rejected=remember,
        )

    def response(
        self, result: Any, request: Request[dict[str, Any]], capture_content: bool
    ) -> Response | None:
        response = Response(
            id=as_str(field(result, "id")),
            model=as_str(field(result, "model")),
            finish_reasons=[result["finish_reason"]] if field(result, "finish_reason") else None,
            usage=usage_of(field(result, "usage")),
        )
        if capture_content:
            response.output_messages = [
                OutputMessage(
                    role="assistant", parts=[TextPart(content=result["text"])], finish_reason="stop"
                )
            ]
        return response

    def accumulator(
        self, result: Any, request: Request[dict[str, Any]], capture_content: bool
    ) -> StreamAccumulator | None:
        return Chunks() if request.stream else None

    def credentials(self, instance: Any) -> Iterable[str]:
        client = getattr(instance, "_client", instance)
        key = getattr(client, "api_key", None)
        return [key] if isinstance(key, str) else []


class Chunks(StreamAccumulator):
    __slots__ = ("id", "reasons", "usage")

    def __init__(self) -> None:
        super().__init__()
        self.id: str | None = None
        self.usage: Usage | None = None
        self.reasons: list[str] = []

    def add(self, chunk: Any) -> bool:
        if self.id is None and "id" in chunk:
            self.id = chunk["id"]
            self.model = chunk["model"]
        text = chunk.get("text")
        if isinstance(text, str):
            self.output_chars += len(text)
        if "finish_reason" in chunk:
            self.reasons.append(chunk["finish_reason"])
        if "usage" in chunk:
            self.usage = usage_of(chunk["usage"])
        return True

    def response(self) -> Response:
        return Response(
            id=self.id, model=self.model, finish_reasons=self.reasons or None, usage=self.usage
        )


class FakeInstrumentor(GenAIInstrumentor):
    scope_name: ClassVar[str] = "tests.fake_instrumentation"
    scope_version: ClassVar[str] = "0.0.1"
    sdk_name: ClassVar[str] = "fake_sdk"
    native_tracing: ClassVar[NativeTracing | None] = NativeTracing(
        scopes=("fake.sdk",), env={"FAKE_SDK_TRACING": "false"}
    )

    def __init__(self, module: str = MODULE, **mapper: Any) -> None:
        self.module = module
        self.mapper_options = mapper

    def instrumentation_dependencies(self) -> Collection[str]:
        return ()

    def patches(self) -> Iterable[Patch]:
        plain = FakeMapper(**self.mapper_options)
        streaming = FakeMapper(streams=True)
        module = self.module
        yield Patch(module, "Chat.create", plain)
        yield Patch(module, "Chat.generate", plain)
        yield Patch(module, "Chat.stream_lazy", streaming)
        yield Patch(module, "Chat.stream_returned", streaming)
        yield Patch(module, "Chat.dual", streaming)
        yield Patch(module, "Chat.stream", streaming, shape=CallShape.STREAM_MANAGER)
        yield Patch(module, "AsyncChat.create", plain)
        yield Patch(module, "AsyncChat.create_native", plain)
        yield Patch(module, "AsyncChat.stream_agen", streaming)
        yield Patch(module, "AsyncChat.chat_iter", streaming)
        yield Patch(module, "AsyncChat.dual", streaming)
        yield Patch(module, "AsyncChat.stream", streaming, shape=CallShape.STREAM_MANAGER)
        yield Patch(module, "completion", plain)
