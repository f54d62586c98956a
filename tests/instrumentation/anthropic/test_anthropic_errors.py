"""HTTP faults with Anthropic's error bodies, for plain calls, raw streams and ``stream()``:
the caller gets exactly the uninstrumented exception; the span names its public class."""

from __future__ import annotations

import logging
from typing import Any

import anthropic
import pytest
from anthropic_expected import (
    HOWS,
    MODEL,
    assert_metrics,
    assert_span,
    complete,
    metric_attributes,
    only_span,
    request_attributes,
    uninstrumented,
)

FAULTS = ["http-400", "http-401", "http-403", "http-404", "http-429", "http-500", "http-529"]


async def failing(sdk: Any, how: str, fault: str, asynchronous: bool) -> BaseException:
    with pytest.raises(anthropic.APIStatusError) as raised:
        await complete(sdk, how, asynchronous, extra_headers={"x-emulator-fault": fault})
    return raised.value


@pytest.mark.parametrize("how", HOWS)
@pytest.mark.parametrize("fault", FAULTS)
async def test_http_fault(sdk, telemetry, emulator, instrument, asynchronous, how, fault, caplog):
    caplog.set_level(logging.WARNING)
    with uninstrumented(instrument, telemetry):
        expected_error = await failing(sdk, how, fault, asynchronous)
    error = await failing(sdk, how, fault, asynchronous)

    assert type(error) is type(expected_error)
    assert (str(error), error.status_code) == (str(expected_error), expected_error.status_code)
    # The SDK's exception by the name users import it by (its classes live in _exceptions).
    name = type(error).__name__
    assert getattr(anthropic, name) is type(error)
    error_type = f"anthropic.{name}"
    span = only_span(telemetry)
    expected = request_attributes(emulator, stream=how != "create") | {"error.type": error_type}
    assert_span(span, f"chat {MODEL}", expected, error=error)
    assert_metrics(telemetry, metric_attributes(expected, error_type), span=span)
    # A failed call is the SDK's to report, not a problem of the instrumentation.
    ours = [r for r in caplog.records if r.name.startswith("opentelemetry.instrumentation")]
    assert [r.getMessage() for r in ours if r.levelno >= logging.WARNING] == []


async def test_overloaded_is_its_own_class_where_the_sdk_has_one(sdk, telemetry, asynchronous):
    error = await failing(sdk, "create", "http-529", asynchronous)
    overloaded = getattr(anthropic, "OverloadedError", None)
    # anthropic before 0.4x has no OverloadedError: a 529 is an InternalServerError there.
    assert type(error) is (overloaded or anthropic.InternalServerError)
    assert only_span(telemetry).attributes["error.type"] == f"anthropic.{type(error).__name__}"
