"""The one private SDK attribute the Groq package reads, checked against the installed SDK;
and how the package presents itself to OpenTelemetry."""

from __future__ import annotations

from importlib.metadata import entry_points

import groq
from agentops_semconv.providers import sdk_requirement
from opentelemetry.instrumentation.agentops.groq import GroqInstrumentor
from opentelemetry.instrumentation.agentops.groq._compat import client_of


def test_a_resource_holds_its_client():
    for kind in (groq.Groq, groq.AsyncGroq):
        client = kind(api_key="gsk-test", base_url="http://127.0.0.1:9/groq")
        resource = client.chat.completions
        assert client_of(resource) is client
        assert str(client_of(resource).base_url).startswith("http://127.0.0.1:9/groq")
        assert client_of(resource).api_key == "gsk-test"


def test_the_entry_point_loads_the_instrumentor():
    (entry,) = [e for e in entry_points(group="opentelemetry_instrumentor") if e.name == "groq"]
    assert entry.load() is GroqInstrumentor


def test_dependencies_are_the_registry_range():
    assert tuple(GroqInstrumentor().instrumentation_dependencies()) == (sdk_requirement("groq"),)
    assert sdk_requirement("groq") == "groq >=0.9.0,<2"
