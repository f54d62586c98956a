"""Failed calls: the caller gets exactly what it gets uninstrumented; the span and the
duration point say what failed; no token points; the API key never reaches telemetry."""

from __future__ import annotations

import logging

import openai
import pytest

pytest.register_assert_rewrite("expected")

from expected import (  # noqa: E402
    API_KEY,
    HAS_RESPONSES,
    NO_RESPONSES,
    assert_metrics,
    assert_secret_absent,
    assert_span,
    assert_ttfc,
    base_attributes,
    chat_response_attributes,
    drain,
    metric_attributes,
    only_span,
    outcome,
    public_path_of,
    resolve,
    uninstrumented,
)
from opentelemetry.instrumentation.agentops.openai import OpenAIInstrumentor  # noqa: E402
from opentelemetry.sdk._logs import LoggerProvider  # noqa: E402
from opentelemetry.sdk._logs.export import (  # noqa: E402
    InMemoryLogRecordExporter,
    SimpleLogRecordProcessor,
)

MODEL = "gpt-4o-mini"
USER = [{"role": "user", "content": "tell me a short story"}]

HTTP_FAULTS = {
    "http-400": "openai.BadRequestError",
    "http-401": "openai.AuthenticationError",
    "http-404": "openai.NotFoundError",
    "http-429": "openai.RateLimitError",
    "http-500": "openai.InternalServerError",
}
ERROR_FAULTS = [*HTTP_FAULTS, "malformed-json", "stream-cut"]


@pytest.fixture(params=["sync", "async"])
def sdk(request):
    return request.getfixturevalue("client" if request.param == "sync" else "async_client")


def fault(name: str) -> dict[str, dict[str, str]]:
    return {"extra_headers": {"x-emulator-fault": name}}


async def fails_as_uninstrumented(call, instrument, telemetry, caplog, baseline=None):
    """Run ``baseline`` (default: ``call``) uninstrumented then ``call`` instrumented; both
    raise the same; returns the instrumented exception and the chunks read before it."""
    with uninstrumented(instrument, telemetry):
        _, expected = await outcome(baseline or call)
    assert expected is not None
    assert telemetry.spans() == []
    caplog.clear()

    received = []
    _, error = await outcome(call, received)

    assert type(error) is type(expected)
    assert str(error) == str(expected)
    assert error.args == expected.args
    return error, received


def check_failure(telemetry, caplog, error, received, name, attributes, fault_name=None):
    span = only_span(telemetry)
    error_type = span.attributes.get("error.type")
    if fault_name in HTTP_FAULTS:
        assert error_type == HTTP_FAULTS[fault_name]
    public_path_of(error_type, error)
    expected = {**attributes}
    if received:  # chunks arrived before the failure: what they said is kept
        expected["gen_ai.response.model"] = received[0].model
        expected["gen_ai.response.time_to_first_chunk"] = span.attributes.get(
            "gen_ai.response.time_to_first_chunk"
        )
    expected["error.type"] = error_type
    # The masked key the API echoes on a 401 is scrubbed from the status description too.
    description = str(error).replace("sk-emula*****.", "[REDACTED]")
    assert_span(span, name, expected, error=error, description=description)
    points = assert_metrics(
        telemetry,
        metric_attributes(expected, error_type=error_type),
        spans=[span],
        streamed=bool(received),
    )
    if received:
        assert_ttfc(points, metric_attributes(expected), span)
    assert_secret_absent(API_KEY, telemetry.spans(), caplog.records)
    # The SDK's own failure is not an instrumentation error.
    assert not [r for r in caplog.records if r.name.startswith("opentelemetry")]


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
@pytest.mark.parametrize("fault_name", ERROR_FAULTS)
async def test_chat_fault(sdk, telemetry, emulator, instrument, caplog, fault_name, stream):
    caplog.set_level(logging.DEBUG)

    def call(**extra):
        return sdk.chat.completions.create(
            model=MODEL, messages=USER, stream=stream, **fault(fault_name), **extra
        )

    # Instrumented streams ask for usage; the uninstrumented call sends the same body, so a
    # fault that truncates the reply cuts it at the same place.
    usage = {"extra_body": {"stream_options": {"include_usage": True}}} if stream else {}
    error, received = await fails_as_uninstrumented(
        call, instrument, telemetry, caplog, baseline=lambda: call(**usage)
    )

    requests = emulator.requests
    if stream and fault_name == "http-400":
        # A 400 to a stream the instrumentation asked usage for may be the server refusing
        # stream_options: the call goes again exactly as the caller made it, and the caller
        # gets that attempt's result (here the same error, as uninstrumented).
        baseline, altered, retried = requests
        assert altered.body == baseline.body
        assert retried.body == {k: v for k, v in altered.body.items() if k != "stream_options"}
    else:
        first, second = requests
        assert first.body == second.body
    attributes = base_attributes(emulator, model=MODEL)
    if stream:
        attributes |= {"gen_ai.request.stream": True, "agentops.stream.usage_requested": True}
    check_failure(
        telemetry, caplog, error, received, f"chat {MODEL}", attributes, fault_name=fault_name
    )


@pytest.mark.parametrize("fault_name", ["http-429", "malformed-json", "stream-cut"])
async def test_embeddings_fault(sdk, telemetry, emulator, instrument, caplog, fault_name):
    caplog.set_level(logging.DEBUG)
    model = "text-embedding-3-small"

    def call():
        return sdk.embeddings.create(model=model, input="hello", **fault(fault_name))

    error, received = await fails_as_uninstrumented(call, instrument, telemetry, caplog)

    attributes = base_attributes(emulator, operation="embeddings", model=model)
    check_failure(telemetry, caplog, error, received, f"embeddings {model}", attributes, fault_name)


@pytest.mark.parametrize("fault_name", ["http-404", "malformed-json"])
async def test_legacy_completion_fault(sdk, telemetry, emulator, instrument, caplog, fault_name):
    caplog.set_level(logging.DEBUG)
    model = "gpt-3.5-turbo-instruct"

    def call():
        return sdk.completions.create(model=model, prompt="hello", **fault(fault_name))

    error, received = await fails_as_uninstrumented(call, instrument, telemetry, caplog)

    attributes = base_attributes(emulator, operation="text_completion", model=model)
    check_failure(
        telemetry, caplog, error, received, f"text_completion {model}", attributes, fault_name
    )


@pytest.mark.skipif(not HAS_RESPONSES, reason=NO_RESPONSES)
@pytest.mark.parametrize(
    ("fault_name", "stream"),
    [("http-500", False), ("http-429", True), ("malformed-json", True), ("stream-cut", True)],
)
async def test_responses_fault(sdk, telemetry, emulator, instrument, caplog, fault_name, stream):
    caplog.set_level(logging.DEBUG)

    def call():
        return sdk.responses.create(model=MODEL, input="hello", stream=stream, **fault(fault_name))

    error, received = await fails_as_uninstrumented(call, instrument, telemetry, caplog)

    attributes = base_attributes(emulator, model=MODEL, api_type="responses")
    if stream:
        attributes["gen_ai.request.stream"] = True
    if received:
        assert received[0].type == "response.created"
        received = [received[0].response]  # names the model, like a chat chunk does
    check_failure(telemetry, caplog, error, received, f"chat {MODEL}", attributes, fault_name)


@pytest.mark.parametrize("delay_ms", [None, 300])
async def test_slow_first_chunk(sdk, telemetry, emulator, delay_ms):
    headers = {"x-emulator-fault": "slow-first-chunk"}
    if delay_ms is not None:
        headers["x-emulator-delay-ms"] = str(delay_ms)
    wait = (delay_ms or 200) / 1000
    chunks = await drain(
        await resolve(
            sdk.chat.completions.create(
                model=MODEL, messages=USER, stream=True, extra_headers=headers
            )
        )
    )

    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    span = only_span(telemetry)
    ttfc = span.attributes["gen_ai.response.time_to_first_chunk"]
    assert wait <= ttfc < wait + 1.0
    expected = base_attributes(emulator, model=MODEL) | {
        "gen_ai.request.stream": True,
        "gen_ai.response.model": chunks[0].model,
        "gen_ai.response.id": chunks[0].id,
        "gen_ai.response.finish_reasons": ("stop",),
        "gen_ai.usage.input_tokens": 5,
        "gen_ai.usage.output_tokens": len(text.split()),
        "openai.response.system_fingerprint": chunks[0].system_fingerprint,
        "openai.response.service_tier": chunks[0].service_tier,
        "agentops.stream.usage_requested": True,
        "gen_ai.response.time_to_first_chunk": ttfc,
    }
    assert_span(span, f"chat {MODEL}", expected)
    points = assert_metrics(
        telemetry,
        metric_attributes(expected),
        input_tokens=5,
        output_tokens=len(text.split()),
        spans=[span],
        streamed=True,
    )
    assert assert_ttfc(points, metric_attributes(expected), span) >= wait
    (duration,) = points["gen_ai.client.operation.duration"]
    assert duration.sum >= wait


async def test_slow_reply_without_stream_has_no_ttfc(sdk, telemetry, emulator):
    response = await resolve(
        sdk.chat.completions.create(model=MODEL, messages=USER, **fault("slow-first-chunk"))
    )

    span = only_span(telemetry)
    expected = base_attributes(emulator, model=MODEL) | chat_response_attributes(response)
    assert_span(span, f"chat {MODEL}", expected)
    points = assert_metrics(
        telemetry,
        metric_attributes(expected),
        input_tokens=5,
        output_tokens=response.usage.completion_tokens,
        spans=[span],
    )
    (duration,) = points["gen_ai.client.operation.duration"]
    assert duration.sum >= 0.2


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
async def test_api_key_in_an_error_message_is_redacted(
    asynchronous, monkeypatch, telemetry, emulator, caplog
):
    """The emulator echoes an unknown control header value in its 400 message: sending the key
    there makes the SDK's exception carry it, as some proxies and providers do."""
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "SPAN_AND_EVENT")
    logs = InMemoryLogRecordExporter()
    logger_provider = LoggerProvider()
    logger_provider.add_log_record_processor(SimpleLogRecordProcessor(logs))
    instrumentor = OpenAIInstrumentor()
    instrumentor.instrument(
        tracer_provider=telemetry.tracer_provider,
        meter_provider=telemetry.meter_provider,
        logger_provider=logger_provider,
    )
    try:
        cls = openai.AsyncOpenAI if asynchronous else openai.OpenAI
        client = cls(api_key=API_KEY, base_url=emulator.openai_base_url, max_retries=0)
        _, error = await outcome(
            lambda: client.chat.completions.create(
                model=MODEL, messages=USER, extra_headers={"x-emulator-fault": API_KEY}
            )
        )
    finally:
        instrumentor.uninstrument()
        logger_provider.shutdown()

    assert isinstance(error, openai.BadRequestError)
    assert API_KEY in str(error)  # the premise: the exception carries the key
    span = only_span(telemetry)
    assert span.attributes["error.type"] == "openai.BadRequestError"
    description = span.status.description
    assert description.startswith("Error code: 400 - ")
    assert "[REDACTED]" in description
    assert "secret-key-0123456789" not in description
    records = list(logs.get_finished_logs())
    assert [r.log_record.event_name for r in records] == [
        "gen_ai.client.inference.operation.details",
        "gen_ai.client.operation.exception",
    ]
    # Only the instrumentation's own logs: the SDK itself logs request headers at debug level
    # in some versions, and the key was sent as a header value here.
    ours = [r for r in caplog.records if r.name.startswith("opentelemetry")]
    assert_secret_absent(API_KEY, telemetry.spans(), [*records, *ours])
