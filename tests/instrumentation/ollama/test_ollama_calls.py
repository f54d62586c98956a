"""Successful calls of every traced kind, sync and async, plain and streamed: the span's exact
attributes and the metric points, against the real SDK talking HTTP to the emulator, with
results identical to an uninstrumented run."""

from __future__ import annotations

import inspect
from typing import Any

import ollama
import pytest
from conformance.case import resolve, uninstrumented
from conformance.metrics import metric_attributes
from ollama_support import (
    HAS_EMBED,
    HOST_ARGUMENT,
    NO_EMBED,
    SDK,
    TYPED,
    assert_metrics,
    assert_span,
    dump,
    final_attributes,
    make_client,
    only_span,
    start_attributes,
    stream_of,
    streamed,
    timings,
)
from opentelemetry.instrumentation.agentops.ollama import OllamaInstrumentor

MODEL = "llama3.2:3b"
USER = [{"role": "user", "content": "tell me a short story please"}]
OPTIONS = {
    "temperature": 1,  # an int: the attribute is still a double
    "top_p": 0.5,
    "top_k": 40,
    "num_predict": 3,
    "seed": 7,
    "stop": ["END"],
    "frequency_penalty": 0.25,
    "presence_penalty": 0.5,
}
OPTION_ATTRIBUTES = {
    "gen_ai.request.temperature": 1.0,
    "gen_ai.request.top_p": 0.5,
    "gen_ai.request.top_k": 40.0,
    "gen_ai.request.max_tokens": 3,
    "gen_ai.request.seed": 7,
    "gen_ai.request.stop_sequences": ("END",),
    "gen_ai.request.frequency_penalty": 0.25,
    "gen_ai.request.presence_penalty": 0.5,
}
FORMAT_ANNOTATION = str(inspect.signature(ollama.Client.chat).parameters["format"].annotation)
# The dict-era SDKs send any format as given; typed ones validate it (schemas from 0.4.3).
HAS_SCHEMA_FORMAT = not TYPED or "dict" in FORMAT_ANNOTATION


def counts(result: Any) -> dict[str, Any]:
    return {"input_tokens": result["prompt_eval_count"], "output_tokens": result["eval_count"]}


# -- chat --------------------------------------------------------------------------------------


async def test_chat(sdk, telemetry, emulator, instrument):
    with uninstrumented(instrument, telemetry):
        baseline = await resolve(sdk.chat(model=MODEL, messages=USER))
    result = await resolve(sdk.chat(model=MODEL, messages=USER))

    assert type(result) is type(baseline)
    assert dump(result) == dump(baseline)
    expected = start_attributes(emulator, MODEL) | final_attributes(result)
    assert expected["gen_ai.response.finish_reasons"] == ("stop",)
    assert set(timings(result)) == {
        "agentops.server.total_time",
        "agentops.server.load_time",
        "agentops.server.prompt_time",
        "agentops.server.completion_time",
    }
    assert_span(only_span(telemetry), f"chat {MODEL}", expected)
    assert_metrics(telemetry, metric_attributes(expected), **counts(result))


async def test_chat_stream(sdk, telemetry, emulator, instrument):
    def call() -> Any:
        return sdk.chat(model=MODEL, messages=USER, stream=True)

    with uninstrumented(instrument, telemetry):
        baseline = await stream_of(call)
    stream = await resolve(call())
    # Still the SDK's own generator (async generator for AsyncClient), not yet sent.
    assert (
        inspect.isasyncgen(stream)
        if isinstance(sdk, ollama.AsyncClient)
        else (inspect.isgenerator(stream))
    )
    assert telemetry.spans() == []
    parts = await stream_of(lambda: stream)

    assert [dump(p) for p in parts] == [dump(p) for p in baseline]
    final = parts[-1]
    assert final["done"] is True
    span = only_span(telemetry)
    expected = start_attributes(emulator, MODEL) | final_attributes(final)
    assert_span(span, f"chat {MODEL}", streamed(span, expected))
    assert_metrics(telemetry, metric_attributes(expected), **counts(final), stream_parts=len(parts))


async def test_chat_options_and_json_format(sdk, telemetry, emulator):
    result = await resolve(sdk.chat(model=MODEL, messages=USER, options=OPTIONS, format="json"))

    expected = (
        start_attributes(emulator, MODEL)
        | OPTION_ATTRIBUTES
        | {"gen_ai.output.type": "json"}
        | final_attributes(result)
    )
    assert expected["gen_ai.response.finish_reasons"] == ("length",)  # cut by num_predict
    assert_span(only_span(telemetry), f"chat {MODEL}", expected)


@pytest.mark.skipif(not TYPED, reason=f"{SDK} has no ollama.Options model")
def test_options_given_as_an_options_model(client, telemetry, emulator):
    options = ollama.Options(temperature=0.25, num_predict=-1, stop=["a", "b"])
    result = client.chat(model=MODEL, messages=USER, options=options)

    expected = (
        start_attributes(emulator, MODEL)
        | {"gen_ai.request.temperature": 0.25, "gen_ai.request.stop_sequences": ("a", "b")}
        | final_attributes(result)
    )  # num_predict -1 means no limit: no max tokens
    assert_span(only_span(telemetry), f"chat {MODEL}", expected)


@pytest.mark.skipif(not HAS_SCHEMA_FORMAT, reason=f"{SDK} takes no JSON schema as format")
def test_a_json_schema_format_is_json_output(client, telemetry, emulator):
    schema = {"type": "object", "properties": {"city": {"type": "string"}}}
    client.chat(model=MODEL, messages=USER, format=schema)
    assert only_span(telemetry).attributes["gen_ai.output.type"] == "json"


async def test_positional_arguments(sdk, telemetry, emulator):
    result = await resolve(sdk.chat(MODEL, USER))
    expected = start_attributes(emulator, MODEL) | final_attributes(result)
    assert_span(only_span(telemetry), f"chat {MODEL}", expected)


@pytest.mark.parametrize("model", ["llama3.2", "qwen2.5-coder:7b-instruct-q4_K_M", "my-house:v2"])
def test_any_model_name_is_recorded_as_given(client, telemetry, emulator, model):
    result = client.chat(model=model, messages=USER)
    assert result["model"] == model
    span = only_span(telemetry)
    assert span.name == f"chat {model}"
    assert span.attributes["gen_ai.request.model"] == model
    assert span.attributes["gen_ai.response.model"] == model


# -- generate ----------------------------------------------------------------------------------


async def test_generate(sdk, telemetry, emulator, instrument):
    def call() -> Any:
        return sdk.generate(model=MODEL, prompt="Say hello", system="Be brief", options=OPTIONS)

    with uninstrumented(instrument, telemetry):
        baseline = await resolve(call())
    result = await resolve(call())

    assert dump(result) == dump(baseline)
    expected = (
        start_attributes(emulator, MODEL, "text_completion")
        | OPTION_ATTRIBUTES
        | final_attributes(result)
    )
    assert_span(only_span(telemetry), f"text_completion {MODEL}", expected)
    assert_metrics(telemetry, metric_attributes(expected), **counts(result))


async def test_generate_stream(sdk, telemetry, emulator, instrument):
    def call() -> Any:
        return sdk.generate(MODEL, "Say hello to the stream", stream=True)

    with uninstrumented(instrument, telemetry):
        baseline = await stream_of(call)
    parts = await stream_of(call)

    assert [dump(p) for p in parts] == [dump(p) for p in baseline]
    span = only_span(telemetry)
    expected = start_attributes(emulator, MODEL, "text_completion") | final_attributes(parts[-1])
    assert_span(span, f"text_completion {MODEL}", streamed(span, expected))
    assert_metrics(
        telemetry, metric_attributes(expected), **counts(parts[-1]), stream_parts=len(parts)
    )


# -- embeddings --------------------------------------------------------------------------------


@pytest.mark.skipif(not HAS_EMBED, reason=NO_EMBED)
@pytest.mark.parametrize("texts", [["The sea is calm", "tonight"], "one text"])
async def test_embed(sdk, telemetry, emulator, instrument, texts):
    with uninstrumented(instrument, telemetry):
        baseline = await resolve(sdk.embed(model="all-minilm", input=texts))
    result = await resolve(sdk.embed(model="all-minilm", input=texts))

    assert dump(result) == dump(baseline)
    expected = start_attributes(emulator, "all-minilm", "embeddings") | {
        "agentops.embeddings.input_count": len(texts) if isinstance(texts, list) else 1,
        "gen_ai.embeddings.dimension.count": len(result["embeddings"][0]),
        "gen_ai.response.model": result["model"],
        "gen_ai.usage.input_tokens": result["prompt_eval_count"],
        **timings(result),
    }
    assert len(result["embeddings"]) == expected["agentops.embeddings.input_count"]
    assert set(timings(result)) == {"agentops.server.total_time", "agentops.server.load_time"}
    assert_span(only_span(telemetry), "embeddings all-minilm", expected)
    assert_metrics(
        telemetry,
        metric_attributes(expected),
        input_tokens=result["prompt_eval_count"],
        output_tokens=None,
    )


@pytest.mark.skipif(
    "dimensions" not in inspect.signature(getattr(ollama.Client, "embed", len)).parameters
    if HAS_EMBED
    else True,
    reason=f"{SDK} embed takes no dimensions",
)
def test_embed_dimensions_as_returned(client, telemetry):
    result = client.embed(model="all-minilm", input="one", dimensions=16)
    assert len(result["embeddings"][0]) == 16
    assert only_span(telemetry).attributes["gen_ai.embeddings.dimension.count"] == 16


async def test_embeddings(sdk, telemetry, emulator, instrument):
    with uninstrumented(instrument, telemetry):
        baseline = await resolve(sdk.embeddings(model="all-minilm", prompt="The sea is calm"))
    result = await resolve(sdk.embeddings(model="all-minilm", prompt="The sea is calm"))

    assert dump(result) == dump(baseline)
    # /api/embeddings answers with the vector alone: no model, no counts.
    expected = start_attributes(emulator, "all-minilm", "embeddings") | {
        "agentops.embeddings.input_count": 1,
        "gen_ai.embeddings.dimension.count": len(result["embedding"]),
    }
    assert_span(only_span(telemetry), "embeddings all-minilm", expected)
    assert_metrics(telemetry, metric_attributes(expected), input_tokens=None, output_tokens=None)


# -- which server --------------------------------------------------------------------------------


def test_the_server_comes_from_ollama_host_when_no_host_is_given(
    emulator, telemetry, instrument, monkeypatch
):
    monkeypatch.setenv("OLLAMA_HOST", emulator.ollama_host)
    ollama.Client().chat(model=MODEL, messages=USER)
    span = only_span(telemetry)
    assert (span.attributes["server.address"], span.attributes["server.port"]) == (
        "127.0.0.1",
        emulator.port,
    )


@pytest.mark.skipif(HOST_ARGUMENT != "host", reason=f"{SDK} wants a full URL as its base_url")
def test_a_host_without_scheme(emulator, telemetry, instrument):
    client = make_client(emulator, host=f"127.0.0.1:{emulator.port}/ollama")
    client.chat(model=MODEL, messages=USER)
    span = only_span(telemetry)
    assert (span.attributes["server.address"], span.attributes["server.port"]) == (
        "127.0.0.1",
        emulator.port,
    )


# -- the module's functions ------------------------------------------------------------------------


def test_the_modules_functions_are_methods_of_the_sdks_own_client():
    """What makes ``ollama.chat`` traced: it is ``Client.chat`` bound to a client made at
    import, and the core traces that function in place (see test_ollama_module.py)."""
    for name in ("chat", "generate", "embeddings", *(("embed",) if HAS_EMBED else ())):
        function = getattr(ollama, name)
        assert function.__func__ is getattr(ollama.Client, name)
        assert isinstance(function.__self__, ollama.Client)


def test_a_method_bound_before_instrumenting_is_traced(emulator, telemetry):
    chat = make_client(emulator).chat  # as ``ollama.chat`` is bound at import
    instrumentor = OllamaInstrumentor()
    instrumentor.instrument(tracer_provider=telemetry.tracer_provider)
    try:
        result = chat(MODEL, USER)
    finally:
        instrumentor.uninstrument()
    expected = start_attributes(emulator, MODEL) | final_attributes(result)
    assert_span(only_span(telemetry), f"chat {MODEL}", expected)
    chat(MODEL, USER)
    assert len(telemetry.spans()) == 1  # not traced once uninstrumented
