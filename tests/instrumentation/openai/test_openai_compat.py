"""The one private SDK attribute the OpenAI package reads, checked against the installed SDK."""

from __future__ import annotations

import openai
from opentelemetry.instrumentation.agentops.openai._compat import client_of


def test_a_resource_holds_its_client():
    client = openai.OpenAI(api_key="sk-test", base_url="http://127.0.0.1:9/v1")
    for resource in (client.chat.completions, client.completions, client.embeddings):
        assert client_of(resource) is client
        assert str(client_of(resource).base_url).startswith("http://127.0.0.1:9/v1")
