"""The one private SDK attribute the Ollama package reads, checked against the installed SDK."""

from __future__ import annotations

import httpx
import ollama
from ollama_support import HOST_ARGUMENT
from opentelemetry.instrumentation.agentops.ollama._compat import http_client_of


def test_a_client_holds_its_httpx_client():
    host = "http://127.0.0.1:9/ollama"
    for cls, http_cls in ((ollama.Client, httpx.Client), (ollama.AsyncClient, httpx.AsyncClient)):
        client = cls(**{HOST_ARGUMENT: host}, headers={"x-custom": "value-0123456789"})
        http = http_client_of(client)
        assert isinstance(http, http_cls)
        assert str(http.base_url).startswith(host)
        assert http.headers["x-custom"] == "value-0123456789"
