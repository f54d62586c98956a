"""The beta resources: ``client.beta.messages`` (0.40 on) and the prompt-caching beta of SDKs up
to 0.40 (``client.beta.prompt_caching.messages``). Same mapping as ``client.messages``."""

from __future__ import annotations

import pytest
from anthropic_expected import (
    MODEL,
    SDK,
    arguments,
    assert_call,
    assert_span,
    events_attributes,
    message_attributes,
    only_span,
    request_attributes,
    ttfc_of,
    uninstrumented,
    use_helper,
)
from conformance.case import drain, resolve

CACHED = {"x-emulator-cached-tokens": "9", "x-emulator-cache-write-tokens": "4"}
RESOURCES = ["beta.messages", "beta.prompt_caching.messages"]


def resource_of(client, path: str):
    resource = client
    for name in path.split("."):
        resource = getattr(resource, name, None)
        if resource is None:
            pytest.skip(f"{SDK} has no client.{path}")
    return resource


@pytest.mark.parametrize("path", RESOURCES)
async def test_create(sdk, telemetry, emulator, instrument, path):
    resource = resource_of(sdk, path)
    with uninstrumented(instrument, telemetry):
        baseline = await resolve(resource.create(**arguments(extra_headers=CACHED)))
    message = await resolve(resource.create(**arguments(extra_headers=CACHED)))

    assert message.model_dump() == baseline.model_dump()
    expected = assert_call(telemetry, emulator, message)
    assert expected["gen_ai.usage.cache_read.input_tokens"] == 9
    assert expected["gen_ai.usage.cache_creation.input_tokens"] == 4


@pytest.mark.parametrize("path", RESOURCES)
async def test_create_stream(sdk, telemetry, emulator, path):
    resource = resource_of(sdk, path)
    events = await drain(await resolve(resource.create(**arguments(stream=True))))

    span = only_span(telemetry)
    expected = request_attributes(emulator, stream=True) | events_attributes(events)
    expected["gen_ai.response.time_to_first_chunk"] = ttfc_of(span)
    assert_span(span, f"chat {MODEL}", expected)


@pytest.mark.parametrize("path", RESOURCES)
@pytest.mark.parametrize("helper", ["iterate", "text_stream", "get_final_message", "until_done"])
async def test_stream_helper(sdk, telemetry, emulator, instrument, asynchronous, path, helper):
    resource = resource_of(sdk, path)
    if not hasattr(resource, "stream"):
        pytest.skip(f"{SDK} has no client.{path}.stream")
    with uninstrumented(instrument, telemetry):
        baseline = await use_helper(resource, helper, asynchronous, telemetry, extra_headers=CACHED)
    read, final, ended = await use_helper(
        resource, helper, asynchronous, telemetry, extra_headers=CACHED
    )

    assert (read, final.model_dump()) == (baseline[0], baseline[1].model_dump())
    assert ended == 1
    span = only_span(telemetry)
    expected = request_attributes(emulator, stream=True) | message_attributes(final)
    expected["gen_ai.response.time_to_first_chunk"] = ttfc_of(span)
    assert expected["gen_ai.usage.cache_read.input_tokens"] == 9
    assert_span(span, f"chat {MODEL}", expected)
