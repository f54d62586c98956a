"""Successful calls of every traced kind, sync and async: span name, kind, status, the exact
attribute set and the metric points, against the real SDK talking HTTP to the emulator."""

from __future__ import annotations

import base64

import openai
import pytest

pytest.register_assert_rewrite("expected")

from expected import (  # noqa: E402
    API_KEY,
    CHAT_CREATE_PARAMS,
    HAS_CHAT_PARSE,
    HAS_CHAT_STREAM_HELPER,
    HAS_RESPONSES,
    HAS_RESPONSES_PARSE,
    HAS_STREAM_OPTIONS,
    HAS_STREAMING_RESPONSE,
    HAS_TOOLS,
    NO_CHAT_PARSE,
    NO_CHAT_STREAM_HELPER,
    NO_RESPONSES,
    NO_RESPONSES_PARSE,
    NO_STREAM_OPTIONS,
    NO_STREAMING_RESPONSE,
    NO_TOOLS,
    assert_metrics,
    assert_span,
    assert_ttfc,
    base_attributes,
    chat_response_attributes,
    detail,
    drain,
    dump,
    http_module,
    metric_attributes,
    only_span,
    resolve,
    responses_response_attributes,
    uninstrumented,
)
from provider_emulator import mock_transport  # noqa: E402
from pydantic import BaseModel  # noqa: E402

MODEL = "gpt-4o-mini"
USER = [{"role": "user", "content": "tell me a short story"}]  # 5 words: 5 prompt tokens
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather of a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


class Person(BaseModel):
    name: str
    age: int


@pytest.fixture(params=["sync", "async"])
def sdk(request):
    return request.getfixturevalue("client" if request.param == "sync" else "async_client")


def is_async(sdk) -> bool:
    return isinstance(sdk, openai.AsyncOpenAI)


def words(text: str) -> int:
    return len(text.split())


# --- chat.completions.create -------------------------------------------------------------


async def test_chat_create_minimal(sdk, telemetry, emulator):
    response = await resolve(sdk.chat.completions.create(model=MODEL, messages=USER))

    assert response.usage.prompt_tokens == 5
    assert response.usage.completion_tokens == words(response.choices[0].message.content)
    span = only_span(telemetry)
    expected = base_attributes(emulator, model=MODEL) | chat_response_attributes(response)
    assert expected["gen_ai.response.finish_reasons"] == ("stop",)
    assert_span(span, f"chat {MODEL}", expected)
    assert_metrics(
        telemetry,
        metric_attributes(expected),
        input_tokens=5,
        output_tokens=response.usage.completion_tokens,
        spans=[span],
    )


async def test_chat_create_request_parameters(sdk, telemetry, emulator):
    kwargs = {
        "temperature": 1,  # an int: the attribute must still be a double
        "max_tokens": 50,
        "top_p": 0.5,
        "stop": "END",  # a string: the attribute is a string array
        "n": 2,
        "frequency_penalty": 0.25,
        "presence_penalty": 0.5,
    }
    expected_request = {
        "gen_ai.request.temperature": 1.0,
        "gen_ai.request.max_tokens": 50,
        "gen_ai.request.top_p": 0.5,
        "gen_ai.request.stop_sequences": ("END",),
        "gen_ai.request.choice.count": 2,
        "gen_ai.request.frequency_penalty": 0.25,
        "gen_ai.request.presence_penalty": 0.5,
    }
    # Parameters added to the SDK after 1.0.0 are sent only where the SDK takes them.
    if "seed" in CHAT_CREATE_PARAMS:
        kwargs["seed"] = 7
        expected_request["gen_ai.request.seed"] = 7
    if "response_format" in CHAT_CREATE_PARAMS:
        kwargs["response_format"] = {"type": "json_object"}
        expected_request["gen_ai.output.type"] = "json"
    if "service_tier" in CHAT_CREATE_PARAMS:
        kwargs["service_tier"] = "default"
        expected_request["openai.request.service_tier"] = "default"

    response = await resolve(sdk.chat.completions.create(model=MODEL, messages=USER, **kwargs))

    (sent,) = emulator.requests
    assert sent.body["temperature"] == 1 and sent.body["stop"] == "END"
    assert len(response.choices) == 2
    assert response.usage.completion_tokens == sum(
        words(choice.message.content) for choice in response.choices
    )
    span = only_span(telemetry)
    expected = (
        base_attributes(emulator, model=MODEL)
        | expected_request
        | chat_response_attributes(response)
    )
    assert expected["gen_ai.response.finish_reasons"] == ("stop", "stop")
    assert isinstance(span.attributes["gen_ai.request.temperature"], float)
    assert_span(span, f"chat {MODEL}", expected)
    assert_metrics(
        telemetry,
        metric_attributes(expected),
        input_tokens=response.usage.prompt_tokens,
        output_tokens=response.usage.completion_tokens,
        spans=[span],
    )


async def test_chat_create_zero_values_are_recorded(sdk, telemetry, emulator):
    response = await resolve(
        sdk.chat.completions.create(
            model=MODEL, messages=USER, temperature=0, top_p=0, frequency_penalty=0, n=1
        )
    )

    span = only_span(telemetry)
    expected = (
        base_attributes(emulator, model=MODEL)
        | {
            "gen_ai.request.temperature": 0.0,
            "gen_ai.request.top_p": 0.0,
            "gen_ai.request.frequency_penalty": 0.0,
        }
        | chat_response_attributes(response)
    )
    assert_span(span, f"chat {MODEL}", expected)


@pytest.mark.skipif(not HAS_TOOLS, reason=NO_TOOLS)
async def test_chat_create_tool_call(sdk, telemetry, emulator):
    response = await resolve(
        sdk.chat.completions.create(
            model=MODEL,
            messages=[{"role": "user", "content": "weather in Paris?"}],
            tools=[WEATHER_TOOL],
        )
    )

    (call,) = response.choices[0].message.tool_calls
    assert call.function.name == "get_weather"
    span = only_span(telemetry)
    expected = base_attributes(emulator, model=MODEL) | chat_response_attributes(response)
    assert expected["gen_ai.response.finish_reasons"] == ("tool_calls",)
    assert_span(span, f"chat {MODEL}", expected)
    assert_metrics(
        telemetry,
        metric_attributes(expected),
        input_tokens=3,
        output_tokens=words(call.function.arguments),
        spans=[span],
    )


async def test_chat_create_image_input(sdk, telemetry, emulator):
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n-not-really-an-image").decode()
    messages = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "what is in this picture"},
                {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{png}"}},
            ],
        }
    ]
    response = await resolve(sdk.chat.completions.create(model=MODEL, messages=messages))

    # The emulator counts 10 tokens per image on top of the words.
    assert response.usage.prompt_tokens == 5 + 10
    span = only_span(telemetry)
    expected = base_attributes(emulator, model=MODEL) | chat_response_attributes(response)
    assert_span(span, f"chat {MODEL}", expected)
    assert_metrics(
        telemetry,
        metric_attributes(expected),
        input_tokens=15,
        output_tokens=response.usage.completion_tokens,
        spans=[span],
    )


async def test_chat_create_cached_tokens(sdk, telemetry, emulator):
    response = await resolve(
        sdk.chat.completions.create(
            model=MODEL,
            messages=[{"role": "user", "content": "what is the capital of France"}],
            extra_headers={"x-emulator-cached-tokens": "4"},
        )
    )

    assert detail(response.usage.prompt_tokens_details, "cached_tokens") == 4
    # Cached tokens are part of the prompt: 6 words, the first 4 of them cached.
    assert response.usage.prompt_tokens == 6 + 4
    span = only_span(telemetry)
    expected = (
        base_attributes(emulator, model=MODEL)
        | chat_response_attributes(response)
        | {"gen_ai.usage.cache_read.input_tokens": 4}
    )
    assert_span(span, f"chat {MODEL}", expected)
    # Input tokens include the cached ones (OpenAI reports them that way).
    assert expected["gen_ai.usage.input_tokens"] == 10
    assert_metrics(
        telemetry,
        metric_attributes(expected),
        input_tokens=10,
        output_tokens=response.usage.completion_tokens,
        spans=[span],
    )


async def test_chat_create_reasoning_model(sdk, telemetry, emulator):
    model = "o3-mini"
    response = await resolve(sdk.chat.completions.create(model=model, messages=USER))

    reasoning = detail(response.usage.completion_tokens_details, "reasoning_tokens")
    assert reasoning == 32  # the emulator's fixed count per choice for reasoning models
    visible = words(response.choices[0].message.content)
    assert response.usage.completion_tokens == visible + reasoning
    span = only_span(telemetry)
    expected = (
        base_attributes(emulator, model=model)
        | chat_response_attributes(response)
        | {"gen_ai.usage.reasoning.output_tokens": 32}
    )
    assert_span(span, f"chat {model}", expected)
    assert_metrics(
        telemetry,
        metric_attributes(expected),
        input_tokens=5,
        output_tokens=visible + 32,
        spans=[span],
    )


# --- streams -------------------------------------------------------------------------------


async def test_chat_stream_hides_the_usage_it_asked_for(sdk, telemetry, emulator, instrument):
    messages = [{"role": "user", "content": "count to three please"}]
    with uninstrumented(instrument, telemetry):
        baseline = await drain(
            await resolve(sdk.chat.completions.create(model=MODEL, messages=messages, stream=True))
        )
    assert telemetry.spans() == []

    stream = await resolve(sdk.chat.completions.create(model=MODEL, messages=messages, stream=True))
    assert isinstance(stream, openai.AsyncStream if is_async(sdk) else openai.Stream)
    assert telemetry.spans() == []  # open until the stream is consumed
    chunks = await drain(stream)

    # The caller sees what it would see uninstrumented (ids differ: the body differs).
    assert [dump(c, "id") for c in chunks] == [dump(c, "id") for c in baseline]
    assert [c.model_dump(exclude_unset=True).keys() for c in chunks] == [
        c.model_dump(exclude_unset=True).keys() for c in baseline
    ]
    assert all(c.choices and getattr(c, "usage", None) is None for c in chunks)
    unmodified, modified = emulator.requests
    assert "stream_options" not in unmodified.body
    assert modified.body["stream_options"] == {"include_usage": True}

    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    span = only_span(telemetry)
    expected = base_attributes(emulator, model=MODEL) | {
        "gen_ai.request.stream": True,
        "gen_ai.response.model": chunks[0].model,
        "gen_ai.response.id": chunks[0].id,
        "gen_ai.response.finish_reasons": ("stop",),
        "gen_ai.usage.input_tokens": 4,
        "gen_ai.usage.output_tokens": words(text),
        "openai.response.system_fingerprint": chunks[0].system_fingerprint,
        "openai.response.service_tier": chunks[0].service_tier,
        "agentops.stream.usage_requested": True,
        "gen_ai.response.time_to_first_chunk": span.attributes.get(
            "gen_ai.response.time_to_first_chunk"
        ),
    }
    assert_span(span, f"chat {MODEL}", expected)
    points = assert_metrics(
        telemetry,
        metric_attributes(expected),
        input_tokens=4,
        output_tokens=words(text),
        spans=[span],
        streamed=True,
    )
    assert_ttfc(points, metric_attributes(expected), span)
    (per_chunk,) = points["gen_ai.client.operation.time_per_output_chunk"]
    assert per_chunk.count == len(chunks) - 1


@pytest.mark.skipif(not HAS_STREAM_OPTIONS, reason=NO_STREAM_OPTIONS)
@pytest.mark.parametrize("include_usage", [True, False])
async def test_chat_stream_usage_the_caller_decided(sdk, telemetry, emulator, include_usage):
    messages = [{"role": "user", "content": "count to three please"}]
    chunks = await drain(
        await resolve(
            sdk.chat.completions.create(
                model=MODEL,
                messages=messages,
                stream=True,
                stream_options={"include_usage": include_usage},
            )
        )
    )

    (sent,) = emulator.requests
    assert sent.body["stream_options"] == {"include_usage": include_usage}
    usage_chunks = [c for c in chunks if not c.choices]
    assert len(usage_chunks) == (1 if include_usage else 0)  # left to the caller
    span = only_span(telemetry)
    expected = base_attributes(emulator, model=MODEL) | {
        "gen_ai.request.stream": True,
        "gen_ai.response.model": chunks[0].model,
        "gen_ai.response.id": chunks[0].id,
        "gen_ai.response.finish_reasons": ("stop",),
        "openai.response.system_fingerprint": chunks[0].system_fingerprint,
        "openai.response.service_tier": chunks[0].service_tier,
        "gen_ai.response.time_to_first_chunk": span.attributes.get(
            "gen_ai.response.time_to_first_chunk"
        ),
    }
    tokens = {}
    if include_usage:
        usage = usage_chunks[0].usage
        tokens = {"input_tokens": usage.prompt_tokens, "output_tokens": usage.completion_tokens}
        expected["gen_ai.usage.input_tokens"] = usage.prompt_tokens
        expected["gen_ai.usage.output_tokens"] = usage.completion_tokens
    assert_span(span, f"chat {MODEL}", expected)
    assert_metrics(telemetry, metric_attributes(expected), spans=[span], streamed=True, **tokens)


@pytest.mark.skipif(not HAS_CHAT_STREAM_HELPER, reason=NO_CHAT_STREAM_HELPER)
async def test_chat_stream_helper(sdk, telemetry, emulator):
    manager = sdk.chat.completions.stream(model=MODEL, messages=USER)
    if is_async(sdk):
        async with manager as stream:
            async for _ in stream:
                pass
            final = await stream.get_final_completion()
    else:
        with manager as stream:
            for _ in stream:
                pass
            final = stream.get_final_completion()

    assert len(emulator.requests) == 1
    span = only_span(telemetry)
    content = final.choices[0].message.content
    expected = base_attributes(emulator, model=MODEL) | {
        "gen_ai.request.stream": True,
        "gen_ai.response.model": final.model,
        "gen_ai.response.id": final.id,
        "gen_ai.response.finish_reasons": ("stop",),
        "gen_ai.usage.input_tokens": 5,
        "gen_ai.usage.output_tokens": words(content),
        "openai.response.system_fingerprint": final.system_fingerprint,
        "openai.response.service_tier": final.service_tier,
        "agentops.stream.usage_requested": True,
        "gen_ai.response.time_to_first_chunk": span.attributes.get(
            "gen_ai.response.time_to_first_chunk"
        ),
    }
    assert_span(span, f"chat {MODEL}", expected)
    assert_metrics(
        telemetry,
        metric_attributes(expected),
        input_tokens=5,
        output_tokens=words(content),
        spans=[span],
        streamed=True,
    )


# --- chat.completions.parse ---------------------------------------------------------------


@pytest.mark.skipif(not HAS_CHAT_PARSE, reason=NO_CHAT_PARSE)
async def test_chat_parse_is_one_span(sdk, telemetry, emulator):
    completion = await resolve(
        sdk.chat.completions.parse(
            model=MODEL,
            messages=[{"role": "user", "content": "describe a person"}],
            response_format=Person,
        )
    )

    assert isinstance(completion.choices[0].message.parsed, Person)
    assert len(emulator.requests) == 1
    span = only_span(telemetry)
    expected = (
        base_attributes(emulator, model=MODEL)
        | {"gen_ai.output.type": "json"}
        | chat_response_attributes(completion)
    )
    assert_span(span, f"chat {MODEL}", expected)
    assert_metrics(
        telemetry,
        metric_attributes(expected),
        input_tokens=3,
        output_tokens=completion.usage.completion_tokens,
        spans=[span],
    )


# --- legacy completions ------------------------------------------------------------------


async def test_legacy_completion(sdk, telemetry, emulator):
    model = "gpt-3.5-turbo-instruct"
    response = await resolve(
        sdk.completions.create(
            model=model, prompt="Say this is a test", max_tokens=7, stop=["\n\n", "END"]
        )
    )

    # The reply is cut to max_tokens words, so the model stopped for length.
    assert response.usage.completion_tokens == words(response.choices[0].text) == 7
    span = only_span(telemetry)
    expected = (
        base_attributes(emulator, operation="text_completion", model=model)
        | {"gen_ai.request.max_tokens": 7, "gen_ai.request.stop_sequences": ("\n\n", "END")}
        | chat_response_attributes(response)
    )
    assert expected["gen_ai.response.finish_reasons"] == ("length",)
    assert_span(span, f"text_completion {model}", expected)
    assert_metrics(
        telemetry, metric_attributes(expected), input_tokens=5, output_tokens=7, spans=[span]
    )


async def test_legacy_completion_stream(sdk, telemetry, emulator):
    model = "gpt-3.5-turbo-instruct"
    chunks = await drain(
        await resolve(sdk.completions.create(model=model, prompt="Say this is a test", stream=True))
    )

    assert all(c.choices for c in chunks)  # the usage chunk asked for is not delivered
    text = "".join(c.choices[0].text for c in chunks)
    (sent,) = emulator.requests
    assert sent.body["stream_options"] == {"include_usage": True}
    span = only_span(telemetry)
    expected = base_attributes(emulator, operation="text_completion", model=model) | {
        "gen_ai.request.stream": True,
        "gen_ai.response.model": chunks[0].model,
        "gen_ai.response.id": chunks[0].id,
        "gen_ai.response.finish_reasons": ("stop",),
        "gen_ai.usage.input_tokens": 5,
        "gen_ai.usage.output_tokens": words(text),
        "openai.response.system_fingerprint": chunks[0].system_fingerprint,
        "agentops.stream.usage_requested": True,
        "gen_ai.response.time_to_first_chunk": span.attributes.get(
            "gen_ai.response.time_to_first_chunk"
        ),
    }
    assert_span(span, f"text_completion {model}", expected)
    assert_metrics(
        telemetry,
        metric_attributes(expected),
        input_tokens=5,
        output_tokens=words(text),
        spans=[span],
        streamed=True,
    )


# --- embeddings ----------------------------------------------------------------------------


@pytest.mark.parametrize("encoding_format", [None, "float", "base64"])
async def test_embeddings(sdk, telemetry, emulator, encoding_format):
    model = "text-embedding-3-small"
    kwargs = {"encoding_format": encoding_format} if encoding_format else {}
    response = await resolve(
        sdk.embeddings.create(model=model, input="The food was delicious", **kwargs)
    )

    vector = response.data[0].embedding
    if encoding_format == "base64":
        assert isinstance(vector, str)
        dimensions = len(base64.b64decode(vector)) // 4
    else:
        dimensions = len(vector)
    assert dimensions == 8  # the emulator's default size
    assert response.usage.prompt_tokens == 4
    span = only_span(telemetry)
    expected = base_attributes(emulator, operation="embeddings", model=model) | {
        "gen_ai.response.model": response.model,
        "gen_ai.usage.input_tokens": 4,
        "gen_ai.embeddings.dimension.count": 8,
    }
    if encoding_format:  # only what the caller asked for, not what the SDK sends by itself
        expected["gen_ai.request.encoding_formats"] = (encoding_format,)
    assert_span(span, f"embeddings {model}", expected)
    assert_metrics(telemetry, metric_attributes(expected), input_tokens=4, spans=[span])


# --- Responses API -----------------------------------------------------------------------


@pytest.mark.skipif(not HAS_RESPONSES, reason=NO_RESPONSES)
async def test_responses_create(sdk, telemetry, emulator):
    response = await resolve(
        sdk.responses.create(
            model=MODEL,
            input="hello there world",
            instructions="answer briefly",
            max_output_tokens=64,
            temperature=1,
            top_p=0.5,
            text={"format": {"type": "text"}},
            service_tier="default",
        )
    )

    assert response.usage.input_tokens == 2 + 3  # instructions and input words
    assert response.usage.output_tokens == words(response.output_text)
    span = only_span(telemetry)
    expected = (
        base_attributes(emulator, model=MODEL)
        | {
            "gen_ai.request.max_tokens": 64,
            "gen_ai.request.temperature": 1.0,
            "gen_ai.request.top_p": 0.5,
            "gen_ai.output.type": "text",
            "openai.request.service_tier": "default",
        }
        | responses_response_attributes(response)
    )
    assert_span(span, f"chat {MODEL}", expected)
    assert_metrics(
        telemetry,
        metric_attributes(expected),
        input_tokens=5,
        output_tokens=response.usage.output_tokens,
        spans=[span],
    )


@pytest.mark.skipif(not HAS_RESPONSES, reason=NO_RESPONSES)
async def test_responses_tool_call_and_length(sdk, telemetry, emulator):
    tool = {"type": "function", **WEATHER_TOOL["function"]}
    called = await resolve(sdk.responses.create(model=MODEL, input="weather?", tools=[tool]))
    cut = await resolve(
        sdk.responses.create(model=MODEL, input="a b c d e f g h i j", max_output_tokens=3)
    )

    assert called.output[0].type == "function_call"
    assert cut.status == "incomplete"
    first, second = telemetry.spans()
    assert_span(
        first,
        f"chat {MODEL}",
        base_attributes(emulator, model=MODEL) | responses_response_attributes(called, "tool_call"),
    )
    assert_span(
        second,
        f"chat {MODEL}",
        base_attributes(emulator, model=MODEL)
        | {"gen_ai.request.max_tokens": 3}
        | responses_response_attributes(cut, "length"),
    )


@pytest.mark.skipif(not HAS_RESPONSES, reason=NO_RESPONSES)
async def test_responses_reasoning_and_cached_tokens(sdk, telemetry, emulator):
    model = "o3-mini"
    response = await resolve(
        sdk.responses.create(
            model=model, input="plan a trip", extra_headers={"x-emulator-cached-tokens": "2"}
        )
    )

    assert response.usage.output_tokens_details.reasoning_tokens == 32
    assert response.usage.input_tokens_details.cached_tokens == 2
    assert response.usage.input_tokens == 3 + 2  # words, plus the cached prefix
    span = only_span(telemetry)
    expected = (
        base_attributes(emulator, model=model)
        | responses_response_attributes(response)
        | {
            "gen_ai.usage.reasoning.output_tokens": 32,
            "gen_ai.usage.cache_read.input_tokens": 2,
        }
    )
    assert_span(span, f"chat {model}", expected)
    assert_metrics(
        telemetry,
        metric_attributes(expected),
        input_tokens=5,
        output_tokens=words(response.output_text) + 32,
        spans=[span],
    )


@pytest.mark.skipif(not HAS_RESPONSES, reason=NO_RESPONSES)
async def test_responses_stream(sdk, telemetry, emulator):
    events = await drain(
        await resolve(sdk.responses.create(model=MODEL, input="hello there world", stream=True))
    )

    assert events[-1].type == "response.completed"
    final = events[-1].response
    (sent,) = emulator.requests
    assert "stream_options" not in sent.body  # the Responses API reports usage by itself
    span = only_span(telemetry)
    expected = (
        base_attributes(emulator, model=MODEL)
        | {"gen_ai.request.stream": True}
        | responses_response_attributes(final)
        | {
            "gen_ai.response.time_to_first_chunk": span.attributes.get(
                "gen_ai.response.time_to_first_chunk"
            )
        }
    )
    assert_span(span, f"chat {MODEL}", expected)
    points = assert_metrics(
        telemetry,
        metric_attributes(expected),
        input_tokens=3,
        output_tokens=final.usage.output_tokens,
        spans=[span],
        streamed=True,
    )
    assert_ttfc(points, metric_attributes(expected), span)


@pytest.mark.skipif(not HAS_RESPONSES_PARSE, reason=NO_RESPONSES_PARSE)
async def test_responses_parse_is_one_span(sdk, telemetry, emulator):
    response = await resolve(
        sdk.responses.parse(model=MODEL, input="describe a person", text_format=Person)
    )

    assert isinstance(response.output_parsed, Person)
    assert len(emulator.requests) == 1
    span = only_span(telemetry)
    expected = (
        base_attributes(emulator, model=MODEL)
        | {"gen_ai.output.type": "json"}
        | responses_response_attributes(response)
    )
    assert_span(span, f"chat {MODEL}", expected)
    assert_metrics(
        telemetry,
        metric_attributes(expected),
        input_tokens=3,
        output_tokens=response.usage.output_tokens,
        spans=[span],
    )


# --- raw responses -------------------------------------------------------------------------


async def test_with_raw_response(sdk, telemetry, emulator, instrument):
    # A client of its own, made uninstrumented: the SDK binds ``with_raw_response.create`` once
    # per resource object (when the client is built, in early SDKs).
    with uninstrumented(instrument, telemetry):
        other = type(sdk)(api_key=API_KEY, base_url=emulator.openai_base_url, max_retries=0)
        plain = await resolve(
            other.chat.completions.with_raw_response.create(model=MODEL, messages=USER)
        )
    raw_type = type(plain)

    raw = await resolve(sdk.chat.completions.with_raw_response.create(model=MODEL, messages=USER))

    assert isinstance(raw, raw_type)
    assert raw.http_response.status_code == 200
    assert raw.headers["x-request-id"] == plain.headers["x-request-id"]
    assert telemetry.spans() == []  # ends when the caller reads the body
    completion = await resolve(raw.parse())
    assert completion.model_dump() == (await resolve(plain.parse())).model_dump()
    span = only_span(telemetry)
    expected = base_attributes(emulator, model=MODEL) | chat_response_attributes(completion)
    assert_span(span, f"chat {MODEL}", expected)
    assert_metrics(
        telemetry,
        metric_attributes(expected),
        input_tokens=5,
        output_tokens=completion.usage.completion_tokens,
        spans=[span],
    )


async def test_with_raw_response_stream(sdk, telemetry, emulator):
    raw = await resolve(
        sdk.chat.completions.with_raw_response.create(model=MODEL, messages=USER, stream=True)
    )
    stream = await resolve(raw.parse())
    assert telemetry.spans() == []
    chunks = await drain(stream)

    assert all(c.choices for c in chunks)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    span = only_span(telemetry)
    assert span.attributes["gen_ai.usage.input_tokens"] == 5
    assert span.attributes["gen_ai.usage.output_tokens"] == words(text)
    assert span.attributes["gen_ai.request.stream"] is True


@pytest.mark.skipif(not HAS_STREAMING_RESPONSE, reason=NO_STREAMING_RESPONSE)
@pytest.mark.parametrize("read", [True, False], ids=["parsed", "closed-unread"])
async def test_with_streaming_response(sdk, telemetry, emulator, read):
    manager = sdk.chat.completions.with_streaming_response.create(model=MODEL, messages=USER)
    completion = None
    if is_async(sdk):
        async with manager as response:
            assert isinstance(response, openai._response.AsyncAPIResponse)
            assert telemetry.spans() == []
            if read:
                completion = await response.parse()
    else:
        with manager as response:
            assert isinstance(response, openai._response.APIResponse)
            assert telemetry.spans() == []
            if read:
                completion = response.parse()

    span = only_span(telemetry)
    expected = base_attributes(emulator, model=MODEL)
    if read:
        expected |= chat_response_attributes(completion)
        assert_span(span, f"chat {MODEL}", expected)
        assert_metrics(
            telemetry,
            metric_attributes(expected),
            input_tokens=5,
            output_tokens=completion.usage.completion_tokens,
            spans=[span],
        )
    else:  # closed without reading: ended on close, with what was known
        assert_span(span, f"chat {MODEL}", expected)
        assert_metrics(telemetry, metric_attributes(expected), spans=[span])


# --- endpoints -----------------------------------------------------------------------------


def mocked_http_client(is_async_client: bool):
    http = http_module()
    if is_async_client:
        return http.AsyncClient(transport=http.MockTransport(mock_transport.async_handler(http)))
    return http.Client(transport=http.MockTransport(mock_transport.handler(http)))


@pytest.fixture(params=["sync", "async"])
def asynchronous(request, instrument):
    return request.param == "async"


async def test_openai_compatible_server(asynchronous, telemetry):
    cls = openai.AsyncOpenAI if asynchronous else openai.OpenAI
    client = cls(
        api_key=API_KEY,
        base_url="http://llm.internal:8080/openai/v1",
        http_client=mocked_http_client(asynchronous),
        max_retries=0,
    )
    response = await resolve(client.chat.completions.create(model="llama-3", messages=USER))

    span = only_span(telemetry)
    where = {"provider": "openai", "address": "llm.internal", "port": 8080}
    expected = base_attributes(model="llama-3", **where) | chat_response_attributes(response)
    assert_span(span, "chat llama-3", expected)
    assert_metrics(
        telemetry,
        metric_attributes(expected),
        input_tokens=5,
        output_tokens=response.usage.completion_tokens,
        spans=[span],
    )


AZURE = {"provider": "azure.ai.openai", "address": "myres.openai.azure.com", "port": 443}


async def test_azure_v1_endpoint(asynchronous, telemetry):
    """Azure OpenAI's v1 API, reached with the plain OpenAI client."""
    cls = openai.AsyncOpenAI if asynchronous else openai.OpenAI
    client = cls(
        api_key=API_KEY,
        base_url="https://myres.openai.azure.com/openai/v1/",
        http_client=mocked_http_client(asynchronous),
        max_retries=0,
    )
    response = await resolve(client.chat.completions.create(model="gpt-4o", messages=USER))

    span = only_span(telemetry)
    expected = base_attributes(model="gpt-4o", **AZURE) | chat_response_attributes(response)
    assert_span(span, "chat gpt-4o", expected)
    assert_metrics(
        telemetry,
        metric_attributes(expected),
        input_tokens=5,
        output_tokens=response.usage.completion_tokens,
        spans=[span],
    )


@pytest.mark.skipif(not HAS_RESPONSES, reason=NO_RESPONSES)
async def test_azure_client_responses(asynchronous, telemetry):
    """The Responses API is not a deployment endpoint, so AzureOpenAI posts it under the base
    URL, which the emulator serves."""
    cls = openai.AsyncAzureOpenAI if asynchronous else openai.AzureOpenAI
    client = cls(
        api_key=API_KEY,
        base_url="https://myres.openai.azure.com/openai/v1",
        api_version="preview",
        http_client=mocked_http_client(asynchronous),
        max_retries=0,
    )
    response = await resolve(client.responses.create(model="gpt-4o", input="hello there world"))

    span = only_span(telemetry)
    expected = base_attributes(model="gpt-4o", **AZURE) | responses_response_attributes(response)
    assert_span(span, "chat gpt-4o", expected)
    assert_metrics(
        telemetry,
        metric_attributes(expected),
        input_tokens=3,
        output_tokens=response.usage.output_tokens,
        spans=[span],
    )


async def test_azure_client_chat_deployment(asynchronous, telemetry):
    cls = openai.AsyncAzureOpenAI if asynchronous else openai.AzureOpenAI
    client = cls(
        api_key=API_KEY,
        azure_endpoint="https://myres.openai.azure.com",
        api_version="2024-06-01",
        http_client=mocked_http_client(asynchronous),
        max_retries=0,
    )
    try:
        response = await resolve(client.chat.completions.create(model="gpt-4o", messages=USER))
    finally:
        # Whatever the emulator answers, the endpoint is recognised as Azure.
        span = only_span(telemetry)
        assert {k: span.attributes[k] for k in ("gen_ai.provider.name", "server.address")} == {
            "gen_ai.provider.name": AZURE["provider"],
            "server.address": AZURE["address"],
        }
        assert span.attributes["server.port"] == 443

    expected = base_attributes(model="gpt-4o", **AZURE) | chat_response_attributes(response)
    assert_span(span, "chat gpt-4o", expected)
