"""Plain (non-streamed) calls of every traced kind, sync and async: chat, tool calls, parse, FIM
and embeddings, with the exact span attributes and metric points, and results unchanged."""

from __future__ import annotations

import json

import pytest
from conformance.expect import only_span, resolve, uninstrumented
from mistral_expected import (
    CHAT_PARAMS,
    EMBED_MODEL,
    EMBED_PARAMS,
    FIM_MODEL,
    HAS_PARSE,
    HTTP,
    MODEL,
    NO_PARSE,
    Mistral,
    assert_call,
    assert_span,
    base_attributes,
    dump,
    make_client,
    method,
    response_attributes,
    tokens,
    user,
)
from provider_emulator.mock_transport import handler

# A unit to pick: the emulator answers with the schema's first enum value.
FORECAST_PARAMETERS = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "unit": {"enum": ["celsius", "fahrenheit"]}},
    "required": ["city", "unit"],
}
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The forecast of a city",
        "parameters": FORECAST_PARAMETERS,
    },
}


async def test_chat_complete(client, telemetry, emulator, instrument, asynchronous):
    chat = method(client.chat, "complete", asynchronous)
    with uninstrumented(instrument, telemetry):
        baseline = await resolve(chat(model=MODEL, messages=user()))
    response = await resolve(chat(model=MODEL, messages=user()))

    assert dump(response) == dump(baseline)
    assert type(response) is type(baseline)
    expected = base_attributes(emulator) | response_attributes(response)
    assert expected["gen_ai.response.finish_reasons"] == ("stop",)
    assert_call(telemetry, f"chat {MODEL}", expected, **tokens(response))


async def test_chat_request_parameters(client, telemetry, emulator, asynchronous):
    kwargs = {
        "temperature": 1,  # an int: the attribute is still a double
        "top_p": 0.5,
        "max_tokens": 50,
        "stop": "END",  # a string: the attribute is a string array
        "random_seed": 7,
        "response_format": {"type": "json_object"},
    }
    expected_request = {
        "gen_ai.request.temperature": 1.0,
        "gen_ai.request.top_p": 0.5,
        "gen_ai.request.max_tokens": 50,
        "gen_ai.request.stop_sequences": ("END",),
        "gen_ai.request.seed": 7,
        "gen_ai.output.type": "json",
    }
    # Parameters added after 1.0.1 are sent where the SDK takes them.
    for name, value, attribute in (
        ("n", 2, "gen_ai.request.choice.count"),
        ("presence_penalty", 0.25, "gen_ai.request.presence_penalty"),
        ("frequency_penalty", 0.5, "gen_ai.request.frequency_penalty"),
        ("top_k", 40, "gen_ai.request.top_k"),
    ):
        if name in CHAT_PARAMS:
            kwargs[name] = value
            expected_request[attribute] = float(value) if name == "top_k" else value

    response = await resolve(
        method(client.chat, "complete", asynchronous)(model=MODEL, messages=user(), **kwargs)
    )

    (sent,) = emulator.requests
    assert sent.body["random_seed"] == 7 and sent.body["stop"] == "END"
    span = only_span(telemetry)
    expected = base_attributes(emulator) | expected_request | response_attributes(response)
    assert isinstance(span.attributes["gen_ai.request.temperature"], float)
    assert_span(span, f"chat {MODEL}", expected)


async def test_chat_tool_call(client, telemetry, emulator, asynchronous):
    response = await resolve(
        method(client.chat, "complete", asynchronous)(
            model=MODEL, messages=user("weather in Paris?"), tools=[WEATHER_TOOL]
        )
    )

    (call,) = response.choices[0].message.tool_calls
    assert json.loads(call.function.arguments) == {"city": "example", "unit": "celsius"}
    expected = base_attributes(emulator) | response_attributes(response)
    assert expected["gen_ai.response.finish_reasons"] == ("tool_calls",)
    assert response.usage.prompt_tokens == 3
    assert response.usage.completion_tokens == len(call.function.arguments.split())
    assert_call(telemetry, f"chat {MODEL}", expected, **tokens(response))


async def test_cached_prompt_tokens_where_the_sdk_keeps_them(emulator, telemetry, instrument):
    client = make_client(emulator.mistral_server_url, headers={"x-emulator-cached-tokens": "4"})
    response = client.chat.complete(model=MODEL, messages=user("what is the capital of France"))

    # 1.0.x drops the fields it does not declare; later SDKs keep them as extras.
    details = (response.usage.model_extra or {}).get("prompt_tokens_details")
    span = only_span(telemetry)
    expected = base_attributes(emulator) | response_attributes(response)
    if type(response.usage).model_config.get("extra") == "allow":
        assert details == {"cached_tokens": 4}
        expected["gen_ai.usage.cache_read.input_tokens"] = 4
    else:
        assert details is None
    # The cached tokens are part of the prompt count, as the conventions want.
    assert expected["gen_ai.usage.input_tokens"] == 6 + 4
    assert_span(span, f"chat {MODEL}", expected)


@pytest.mark.skipif(not HAS_PARSE, reason=NO_PARSE)
async def test_chat_parse_is_one_span(client, telemetry, emulator, instrument, asynchronous):
    from pydantic import BaseModel

    class City(BaseModel):
        name: str
        population: int

    parse = method(client.chat, "parse", asynchronous)
    with uninstrumented(instrument, telemetry):
        baseline = await resolve(parse(response_format=City, model=MODEL, messages=user()))
    parsed = await resolve(parse(response_format=City, model=MODEL, messages=user()))

    assert parsed.choices[0].message.parsed == baseline.choices[0].message.parsed
    assert dump(parsed) == dump(baseline)
    # parse calls complete: the inner call joins the outer span.
    span = only_span(telemetry)
    expected = base_attributes(emulator) | {"gen_ai.output.type": "json"}
    assert_span(span, f"chat {MODEL}", expected | response_attributes(parsed))


async def test_fim_complete(client, telemetry, emulator, instrument, asynchronous):
    fim = method(client.fim, "complete", asynchronous)
    kwargs = {
        "model": FIM_MODEL,
        "prompt": "def add(a, b):",
        "suffix": "return total",
        "temperature": 0,
        "max_tokens": 20,
        "random_seed": 1,
    }
    with uninstrumented(instrument, telemetry):
        baseline = await resolve(fim(**kwargs))
    response = await resolve(fim(**kwargs))

    assert dump(response) == dump(baseline)
    expected = (
        base_attributes(emulator, model=FIM_MODEL, operation="text_completion")
        | {
            "gen_ai.request.temperature": 0.0,
            "gen_ai.request.max_tokens": 20,
            "gen_ai.request.seed": 1,
        }
        | response_attributes(response)
    )
    assert response.usage.prompt_tokens == 5  # prompt and suffix words
    assert_call(telemetry, f"text_completion {FIM_MODEL}", expected, **tokens(response))


async def test_embeddings(client, telemetry, emulator, instrument, asynchronous):
    create = method(client.embeddings, "create", asynchronous)
    inputs = ["one two", "three"]
    with uninstrumented(instrument, telemetry):
        baseline = await resolve(create(model=EMBED_MODEL, inputs=inputs))
    response = await resolve(create(model=EMBED_MODEL, inputs=inputs))

    assert dump(response) == dump(baseline)
    assert response.usage.completion_tokens == 0
    expected = base_attributes(emulator, model=EMBED_MODEL, operation="embeddings") | {
        "gen_ai.response.id": response.id,
        "gen_ai.response.model": EMBED_MODEL,
        "gen_ai.embeddings.dimension.count": 8,
        # Input tokens only: Mistral's completion_tokens of 0 count nothing.
        "gen_ai.usage.input_tokens": 3,
    }
    assert_call(
        telemetry, f"embeddings {EMBED_MODEL}", expected, input_tokens=3, output_tokens=None
    )


@pytest.mark.skipif("output_dtype" not in EMBED_PARAMS, reason="no output_dtype in this SDK")
async def test_embeddings_formats_and_dimensions(client, telemetry, emulator):
    response = client.embeddings.create(
        model=EMBED_MODEL,
        inputs="one two three",
        output_dimension=16,
        output_dtype="float",
        encoding_format="float",
    )

    assert len(response.data[0].embedding) == 16
    span = only_span(telemetry)
    assert span.attributes["gen_ai.request.encoding_formats"] == ("float",)
    assert span.attributes["gen_ai.embeddings.dimension.count"] == 16


async def test_a_call_made_with_a_server_url_of_its_own(emulator, telemetry, instrument):
    client = Mistral(api_key="k", server_url="http://127.0.0.1:9")  # nothing listens there
    client.chat.complete(model=MODEL, messages=user(), server_url=emulator.mistral_server_url)

    assert only_span(telemetry).attributes["server.port"] == emulator.port


def _default_server_transport() -> object:
    """The emulator in-process, answering what the SDK sends to its default server."""
    respond = handler(HTTP, sleep=False)

    def to_emulator(request: object) -> object:
        assert request.url.host == "api.mistral.ai"
        return respond(
            HTTP.Request(
                request.method,
                "/mistral" + request.url.path,
                headers=request.headers,
                content=request.content,
            )
        )

    return HTTP.MockTransport(to_emulator)


async def test_the_default_server_is_mistrals(telemetry, instrument):
    client = Mistral(api_key="k", client=HTTP.Client(transport=_default_server_transport()))
    response = client.chat.complete(model=MODEL, messages=user())

    assert response.choices[0].finish_reason == "stop"
    span = only_span(telemetry)
    assert (span.attributes["server.address"], span.attributes["server.port"]) == (
        "api.mistral.ai",
        443,
    )


async def test_the_clients_key_and_headers_are_its_credentials(emulator, instrument, monkeypatch):
    monkeypatch.delenv("MISTRAL_API_KEY", raising=False)
    mapper = next(p.mapper for p in instrument.patches() if p.target == "Chat.complete")
    client = make_client(
        emulator.mistral_server_url,
        api_key="key-abcdefgh",
        headers={"x-gateway-token": "gw-12345678"},
    )
    assert list(mapper.credentials(client.chat)) == ["key-abcdefgh", "gw-12345678"]

    # No key given: the SDK reads MISTRAL_API_KEY, so that is the key.
    monkeypatch.setenv("MISTRAL_API_KEY", "env-key-12345678")
    client = Mistral(server_url=emulator.mistral_server_url)
    assert list(mapper.credentials(client.embeddings)) == ["env-key-12345678"]
