"""The core's public surface is explicit and pinned; nothing outside the core reaches into its
private modules."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import opentelemetry.instrumentation.agentops.core as core

ROOT = Path(__file__).resolve().parents[3]

PUBLIC = {
    "opentelemetry.instrumentation.agentops.core": {
        "MAX_PLAUSIBLE_TOKENS",
        "Alteration",
        "Call",
        "CallShape",
        "GenAIInstrumentor",
        "Mapper",
        "NativeTracing",
        "Patch",
        "Request",
        "Response",
        "StreamAccumulator",
        "StreamHelpers",
        "Usage",
        "error_type_of",
        "redact_secrets",
        "server_from_url",
    },
    "opentelemetry.instrumentation.agentops.core.hooks": {
        "AttributeSource",
        "CallObserver",
        "FinishedCall",
        "Observation",
        "PreCallCheck",
        "RequestFilter",
        "Signals",
        "attribute_sources",
        "call_observers",
        "pre_call_checks",
        "request_filters",
        "signals",
    },
    "opentelemetry.instrumentation.agentops.core.settings": {
        "AGENTOPS_GENAI_CONTENT_MAX_LENGTH",
        "AGENTOPS_GENAI_STREAM_CHUNK_TIMING",
        "AGENTOPS_STREAM_USAGE",
        "DEFAULT_CONTENT_MAX_LENGTH",
        "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT",
        "OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT",
        "Settings",
    },
    "opentelemetry.instrumentation.agentops.core.values": {
        "as_float",
        "as_int",
        "as_str",
        "as_str_list",
        "field",
        "text_size",
    },
    "opentelemetry.instrumentation.agentops.core.chat_format": {
        "FINISH_REASONS",
        "chat_input_messages",
        "chat_output_message",
        "chat_prompt_size",
        "content_parts",
        "record_text_prompt",
        "tool_arguments",
        "tool_definitions",
    },
    "opentelemetry.instrumentation.agentops.core.openai_compatible": {
        "RAW_RESPONSE_HEADER",
        "ChatExtension",
        "ChatMapper",
        "ChatState",
        "ChatStreamState",
        "ClientOf",
        "CompletionsMapper",
        "EmbeddingsMapper",
        "Endpoint",
        "StreamUsageRequest",
        "chat_request_fields",
        "chat_request_params",
        "chat_response",
        "embedding_dimensions",
        "endpoint_of_client",
        "is_raw_call",
        "output_type_of",
        "provider_of_url",
        "stainless_credentials",
        "stainless_patches",
        "usage_of",
    },
}


def test_the_public_surface_is_pinned():
    for name, expected in PUBLIC.items():
        module = importlib.import_module(name)
        assert set(module.__all__) == expected, name
        for export in module.__all__:
            assert hasattr(module, export), (name, export)
    assert core.__all__ == sorted(core.__all__, key=lambda n: (not n.isupper(), n))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_provider_packages_and_the_distro_use_only_the_public_surface():
    private = "opentelemetry.instrumentation.agentops.core._"
    sources = [
        *ROOT.glob("instrumentation/opentelemetry-instrumentation-*/src/**/*.py"),
        *ROOT.glob("distro/src/**/*.py"),
        *ROOT.glob("exporters/src/**/*.py"),
    ]
    core_dir = ROOT / "instrumentation/opentelemetry-instrumentation-genai-core"
    offenders = {
        str(path.relative_to(ROOT)): sorted(i for i in _imports(path) if i.startswith(private))
        for path in sources
        if core_dir not in path.parents
    }
    assert {path: found for path, found in offenders.items() if found} == {}


def test_every_package_ships_py_typed():
    packages = [
        *ROOT.glob(
            "instrumentation/opentelemetry-instrumentation-*/src/opentelemetry/instrumentation/agentops/*"
        ),
        ROOT / "semconv/src/agentops_semconv",
        ROOT / "distro/src/agentops",
        ROOT / "exporters/src/agentops_exporters",
    ]
    missing = [
        str(p.relative_to(ROOT)) for p in packages if p.is_dir() and not (p / "py.typed").exists()
    ]
    assert missing == []
