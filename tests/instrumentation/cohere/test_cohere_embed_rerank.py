"""Embeddings (v1 with its own batching, v2), rerank (this project's operation) and v1
generate: exact span attributes and metric points, results unchanged."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cohere_helpers import (
    EMBED_MODEL,
    HAS_GENERATE,
    HAS_V2_EMBED,
    NO_V2_EMBED,
    RERANK_MODEL,
    SDK,
    assert_call,
    assert_span,
    count,
    drain,
    dump,
    make_client,
    only_span,
    options,
    output,
    resolve,
    start_attributes,
    text,
    uninstrumented,
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

TEXTS = ["the sea is calm", "a brave toaster"]
V2_EMBED_MODEL = "embed-v4.0"
# Cohere's batch size (cohere.config.embed_batch_size): more texts than this are sent in
# several requests, from a thread pool.
BATCH = 96


def embed_attributes(emulator: Any, result: Any, model: str, inputs: int) -> dict[str, Any]:
    return {
        **start_attributes(emulator, "embeddings", model),
        "agentops.embeddings.input_count": inputs,
        "gen_ai.response.id": result.id,
        "gen_ai.usage.input_tokens": count(result.meta.billed_units.input_tokens),
    }


async def test_v1_embed_floats(v1, instrument, telemetry, emulator):
    def call() -> Any:
        return v1.embed(texts=TEXTS, model=EMBED_MODEL, input_type="search_document")

    baseline = await uninstrumented(instrument, telemetry, call)
    result = await resolve(call())

    assert dump(result) == dump(baseline)
    assert result.response_type == "embeddings_floats"
    expected = {
        **embed_attributes(emulator, result, EMBED_MODEL, len(TEXTS)),
        "gen_ai.embeddings.dimension.count": len(result.embeddings[0]),
    }
    assert_call(telemetry, f"embeddings {EMBED_MODEL}", expected)


@pytest.mark.parametrize(
    ("types", "dimensions"),
    [
        (["float", "int8"], lambda e: len(e.float_[0])),
        (["int8"], lambda e: len(e.int8[0])),
        (["ubinary"], lambda e: len(e.ubinary[0]) * 8),  # eight dimensions a byte
        (["base64"], None),
    ],
    ids=["float-int8", "int8", "ubinary", "base64"],
)
async def test_v1_embed_by_type(v1, instrument, telemetry, emulator, types, dimensions):
    result = await resolve(
        v1.embed(
            texts=TEXTS, model=EMBED_MODEL, input_type="search_document", embedding_types=types
        )
    )
    assert result.response_type == "embeddings_by_type"
    # base64: float32 values, as the float encoding of the same call shows.
    floats = await resolve(v1.embed(texts=TEXTS, model=EMBED_MODEL, input_type="search_document"))
    first, _ = telemetry.spans()
    width = dimensions(result.embeddings) if dimensions else len(floats.embeddings[0])
    expected = {
        **embed_attributes(emulator, result, EMBED_MODEL, len(TEXTS)),
        "gen_ai.request.encoding_formats": tuple(types),
        "gen_ai.embeddings.dimension.count": width,
    }
    assert_span(first, f"embeddings {EMBED_MODEL}", expected)


async def test_a_batched_v1_embed_is_one_span(v1, instrument, telemetry, emulator):
    texts = [f"text number {index}" for index in range(BATCH + 4)]

    def call() -> Any:
        return v1.embed(texts=texts, model=EMBED_MODEL, input_type="search_document")

    baseline = await uninstrumented(instrument, telemetry, call)
    emulator.clear_requests()
    result = await resolve(call())

    assert dump(result) == dump(baseline)
    # Two requests (96 texts, then 4), sent on worker threads (sync) or tasks (async) ...
    assert [len(request.body["texts"]) for request in emulator.requests] in (
        [BATCH, 4],
        [4, BATCH],
    )
    # ... and one span, with the merged response's usage.
    expected = {
        **embed_attributes(emulator, result, EMBED_MODEL, len(texts)),
        "gen_ai.embeddings.dimension.count": len(result.embeddings[0]),
    }
    assert expected["gen_ai.usage.input_tokens"] == 3 * len(texts)
    assert_call(telemetry, f"embeddings {EMBED_MODEL}", expected)


@pytest.mark.skipif(not HAS_V2_EMBED, reason=NO_V2_EMBED)
async def test_v2_embed(v2, instrument, telemetry, emulator):
    def call() -> Any:
        return v2.embed(
            model=V2_EMBED_MODEL,
            texts=TEXTS,
            input_type="search_query",
            embedding_types=["float", "int8"],
            output_dimension=16,
        )

    baseline = await uninstrumented(instrument, telemetry, call)
    result = await resolve(call())

    assert dump(result) == dump(baseline)
    expected = {
        **embed_attributes(emulator, result, V2_EMBED_MODEL, len(TEXTS)),
        "gen_ai.request.encoding_formats": ("float", "int8"),
        "gen_ai.embeddings.dimension.count": len(result.embeddings.float_[0]),
    }
    assert expected["gen_ai.embeddings.dimension.count"] == 16
    assert_call(telemetry, f"embeddings {V2_EMBED_MODEL}", expected)


async def test_embed_errors_carry_the_sdk_error_class(v1, instrument, telemetry):
    with pytest.raises(Exception) as raised:
        await resolve(
            v1.embed(
                texts=TEXTS,
                model=EMBED_MODEL,
                input_type="search_document",
                request_options=options(**{"x-emulator-fault": "http-429"}),
            )
        )
    assert type(raised.value).__name__ == "TooManyRequestsError"
    span = only_span(telemetry)
    assert span.attributes["error.type"] == "cohere.TooManyRequestsError"


# -- rerank -------------------------------------------------------------------------------------


DOCUMENTS = ["nothing to see", "a brave toaster story", "toaster manual"]


def rerank_attributes(emulator: Any, result: Any, documents: int) -> dict[str, Any]:
    return {
        **start_attributes(emulator, "rerank", RERANK_MODEL),
        "agentops.rerank.query_count": 1,
        "agentops.rerank.document_count": documents,
        "agentops.rerank.returned_count": len(result.results),
        "agentops.rerank.billed_search_units": count(result.meta.billed_units.search_units),
        "gen_ai.response.id": result.id,
    }


@pytest.mark.parametrize("version", ["v1", "v2"])
async def test_rerank(instrument, telemetry, emulator, asynchronous, version):
    if version == "v2" and not HAS_V2_EMBED:
        pytest.skip(NO_V2_EMBED)
    client = make_client(emulator, version, asynchronous)

    def call() -> Any:
        return client.rerank(
            query="brave toaster", documents=DOCUMENTS, model=RERANK_MODEL, top_n=2
        )

    baseline = await uninstrumented(instrument, telemetry, call)
    result = await resolve(call())

    assert dump(result) == dump(baseline)
    expected = {**rerank_attributes(emulator, result, len(DOCUMENTS)), "agentops.rerank.top_n": 2}
    assert expected["agentops.rerank.returned_count"] == 2
    # Search units are not tokens: no token usage point.
    assert_call(telemetry, f"rerank {RERANK_MODEL}", expected)


async def test_rerank_counts_search_units(v1, instrument, telemetry, emulator):
    documents = [f"document {index}" for index in range(250)]
    result = await resolve(v1.rerank(query="document", documents=documents, model=RERANK_MODEL))
    span = only_span(telemetry)
    expected = rerank_attributes(emulator, result, len(documents))
    assert expected["agentops.rerank.billed_search_units"] == 3  # one per 100 documents
    assert_span(span, f"rerank {RERANK_MODEL}", expected)


# -- generate -----------------------------------------------------------------------------------


PROMPT = "Once upon a time"
needs_generate = pytest.mark.skipif(not HAS_GENERATE, reason=f"{SDK} has no generate")


@needs_generate
async def test_v1_generate(v1, capture, instrument, telemetry, emulator):
    result = await resolve(v1.generate(prompt=PROMPT, num_generations=2, max_tokens=20))
    span = only_span(telemetry)
    billed = result.meta.billed_units
    expected = {
        **start_attributes(emulator, "text_completion", None),
        "gen_ai.request.choice.count": 2,
        "gen_ai.request.max_tokens": 20,
        "gen_ai.response.id": result.id,
        "gen_ai.response.finish_reasons": ("stop", "stop"),
        "gen_ai.usage.input_tokens": count(billed.input_tokens),
        "gen_ai.usage.output_tokens": count(billed.output_tokens),
        "gen_ai.input.messages": json.dumps(
            [{"role": "user", "parts": [text(PROMPT)], "name": None}], separators=(",", ":")
        ),
    }
    outputs = [output(text(g.text), finish_reason="stop")[0] for g in result.generations]
    found = dict(span.attributes)
    assert json.loads(found.pop("gen_ai.output.messages")) == outputs
    assert json.loads(found["gen_ai.input.messages"]) == json.loads(
        expected["gen_ai.input.messages"]
    )
    found["gen_ai.input.messages"] = expected["gen_ai.input.messages"]
    assert found == expected
    assert span.name == "text_completion"


@needs_generate
async def test_v1_generate_stream(v1, instrument, telemetry, emulator):
    events = await drain(v1.generate_stream(prompt=PROMPT, model="command"))
    end = events[-1]
    assert end.event_type == "stream-end"
    expected = {
        **start_attributes(emulator, "text_completion", "command", stream=True),
        "gen_ai.response.id": end.response.id,
        "gen_ai.response.finish_reasons": ("stop",),
    }
    # The generate stream reports no usage.
    assert_call(telemetry, "text_completion command", expected)
