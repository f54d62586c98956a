"""Installing: one command beside any current OpenTelemetry release, the same in every doc.

Contrib instrumentations pin ``opentelemetry-instrumentation`` to their own release, which
pins the semantic conventions, which pin the SDK; their releases trail the SDK's. A plain
dependency on one made the newest SDK uninstallable (opentelemetry-instrumentation-threading
had no release for SDK 1.45.2) and pip 23 gave up. See docs/distro.md, "Install".
"""

from __future__ import annotations

from importlib.metadata import requires
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
OUR_PACKAGES = (
    "agentops-semconv",
    "agentops-instrumentation-core",
    "agentops-instrumentation-openai",
    "agentops-exporters",
    "agentops-otel-distro",
)
# Released together with every SDK release (same version line), or not tied to the SDK.
RELEASED_WITH_THE_SDK = {
    "opentelemetry-api",
    "opentelemetry-sdk",
    "opentelemetry-semantic-conventions",
    "opentelemetry-instrumentation",
    "opentelemetry-exporter-otlp-proto-http",
    "opentelemetry-exporter-otlp-proto-common",
    "opentelemetry-proto",
    "opentelemetry-util-genai",
}
INSTALL_LINE = (
    "pip install ./semconv ./instrumentation/opentelemetry-instrumentation-genai-core "
    './instrumentation/opentelemetry-instrumentation-openai ./exporters "./distro[openai]"'
)
DOCS = ("README.md", "docs/distro.md", "distro/README.md")


@pytest.mark.parametrize("package", OUR_PACKAGES)
def test_plain_dependencies_are_released_with_every_sdk(package) -> None:
    for text in requires(package) or []:
        requirement = Requirement(text)
        if requirement.marker is not None and "extra" in str(requirement.marker):
            continue  # extras may trail the SDK; they are opt-in
        name = requirement.name.lower()
        if name.startswith("opentelemetry-"):
            assert name in RELEASED_WITH_THE_SDK, f"{package} depends on {text}"


@pytest.mark.parametrize("doc", DOCS)
def test_every_doc_has_the_same_complete_install_line(doc) -> None:
    lines = (ROOT / doc).read_text().splitlines()
    commands = []
    for index, line in enumerate(lines):
        if "pip install ./semconv" not in line:
            continue
        parts = [line]
        while parts[-1].endswith("\\"):
            index += 1
            parts.append(lines[index])
        command = " ".join(part.rstrip("\\") for part in parts)
        commands.append(" ".join(command[command.index("pip install") :].split()))
    assert commands, f"{doc} has no install line"
    assert set(commands) == {INSTALL_LINE}
    assert not [line for line in lines if line.strip().startswith("pip install -U pip")]
