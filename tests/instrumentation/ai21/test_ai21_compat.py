"""Contract of ``_compat`` with the installed ai21 SDK (the private attributes it reads), and
the server the spans name, whichever form of host the SDK takes."""

from __future__ import annotations

from typing import Any

import pytest
from ai21_expected import (
    SDK,
    SDK_VERSION,
    assert_span,
    has,
    jamba_messages,
    jamba_result_attributes,
    make_client,
    missing,
    only_span,
)
from opentelemetry.instrumentation.agentops.ai21._compat import (
    base_url_of,
    client_of,
    secrets_of,
)

KEY = "ai21-contract-key-0123456789"
CUSTOM = {"x-gateway-token": "gateway-secret-0123456789"}


def resources(client: Any) -> dict[str, Any]:
    found = {"j2 chat": client.chat}
    if has("jamba"):
        found["jamba chat"] = client.chat.completions
    if has("j2_completion"):
        found["j2 completion"] = client.completion
    return found


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
def test_every_resource_reaches_its_clients_url_key_and_headers(emulator, asynchronous):
    if asynchronous and not has("async"):
        pytest.skip(missing("async"))
    client = make_client(emulator, asynchronous, api_key=KEY, headers=CUSTOM)
    for name, resource in resources(client).items():
        http = client_of(resource)
        assert http is not None, name
        # Host form (up to 2.5.0) or full URL (2.5.1 on): the URL the SDK posts under.
        assert base_url_of(http) == emulator.ai21_base_url, name
        secrets = secrets_of(http)
        assert KEY in secrets and CUSTOM["x-gateway-token"] in secrets, name
        # What the SDK adds itself is no secret (it would scrub "application/json").
        assert not [s for s in secrets if "AI21 studio SDK" in s or s == "application/json"]


def test_unreadable_clients_read_as_nothing():
    assert client_of(object()) is None
    assert base_url_of(None) is None
    assert secrets_of(None) == []


@pytest.mark.skipif(
    SDK_VERSION < (3, 0, 0), reason=f"{SDK} takes its own HTTP client wrapper, not an httpx.Client"
)
def test_the_default_host_is_ai21s(telemetry, instrument, monkeypatch):
    import httpx
    from ai21 import AI21Client
    from provider_emulator.mock_transport import handler

    monkeypatch.delenv("AI21_API_HOST", raising=False)
    respond = handler(httpx, sleep=False)

    def to_emulator(request: Any) -> Any:
        # api.ai21.com/studio/v1/... is served under the emulator's /ai21 prefix.
        request.url = request.url.copy_with(raw_path=b"/ai21" + request.url.raw_path)
        return respond(request)

    client = AI21Client(
        api_key=KEY, http_client=httpx.Client(transport=httpx.MockTransport(to_emulator))
    )
    response = client.chat.completions.create(
        model="jamba-mini", messages=jamba_messages(("user", "hi"))
    )

    span = only_span(telemetry)
    expected = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "ai21",
        "gen_ai.request.model": "jamba-mini",
        "server.address": "api.ai21.com",
        "server.port": 443,
    }
    assert_span(span, expected | jamba_result_attributes(response))
