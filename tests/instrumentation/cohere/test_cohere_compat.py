"""Contract test for the one private SDK attribute the Cohere package reads (``_compat``):
fails loudly if an SDK upgrade moves the client wrapper of any client kind."""

from __future__ import annotations

import pytest
from cohere_helpers import API_KEY, HAS_V2, base_url, make_client
from opentelemetry.instrumentation.agentops.cohere._compat import client_wrapper_of

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_every_client_kind_has_a_wrapper_with_its_base_url_and_token(
    emulator, asynchronous, version
):
    client = make_client(emulator, version, asynchronous)
    clients = [client]
    if HAS_V2 and version == "v1" and hasattr(type(client), "v2"):
        clients.append(client.v2)  # a V2Client sharing the v1 client's wrapper
    for each in clients:
        wrapper = client_wrapper_of(each)
        assert wrapper is not None, type(each)
        assert wrapper.get_base_url() == base_url(emulator)
        assert wrapper.get_headers()["Authorization"] == f"Bearer {API_KEY}"


def test_an_object_without_a_wrapper_gives_none():
    assert client_wrapper_of(object()) is None
