"""End to end: `make demo` runs the unmodified app under opentelemetry-instrument."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from agentops_semconv.providers import instrumented

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# operation, provider, model, input and output tokens
LINE = re.compile(r"^([✓✗]) (\S+)\s+(\S+)\s+(\S+)\s+in (\d+)(?:\s+out (\d+))?\s")


def demo_providers() -> set[str]:
    """The providers whose calls the demo makes: a module in examples/calls whose SDK is
    installed (what the app runs, see examples/calls/__init__.py)."""
    sys.path.insert(0, str(EXAMPLES))
    try:
        from calls import installed
    finally:
        sys.path.remove(str(EXAMPLES))
    modules = {module.__name__.rpartition(".")[2] for module in installed()}
    return {row.name for row in instrumented() if f"{row.seed}_calls" in modules}


def table_row(output: str, metric: str, *labels: str) -> list[str]:
    for line in output.splitlines():
        cells = line.split()
        if cells[:1] == [metric] and all(label in cells for label in labels):
            return cells
    raise AssertionError(f"no row for {metric} {labels} in:\n{output}")


def test_demo_prints_one_line_per_call_and_the_metrics_table(demo_run) -> None:
    # The demo runs once per session (tests/conftest.py); tests/viewing checks its report.
    result = demo_run.result
    output = result.stdout
    assert result.returncode == 0, f"stdout:\n{output}\nstderr:\n{result.stderr}"
    assert output.startswith("== LLM telemetry demo ==")
    assert "[app] done" in output

    every = [match for line in output.splitlines() if (match := LINE.match(line))]
    assert {m[3] for m in every} == demo_providers()
    assert all(m[1] == "✓" and int(m[5]) > 0 for m in every)
    # OpenAI: chat, stream, tool call (two chat calls), embeddings
    spans = [m for m in every if m[3] == "openai"]
    assert [(m[1], m[2], m[4]) for m in spans] == [
        ("✓", "chat", "gpt-4o-mini"),
        ("✓", "chat", "gpt-4o-mini"),
        ("✓", "chat", "gpt-4o-mini"),
        ("✓", "chat", "gpt-4o-mini"),
        ("✓", "embeddings", "text-embedding-3-small"),
    ]
    chats, embedding = spans[:4], spans[4]
    assert all(int(m[5]) > 0 and int(m[6]) > 0 for m in chats)
    assert embedding[6] is None and int(embedding[5]) > 0
    assert len([m for m in spans if "(stream, first chunk " in m.string]) == 1

    # Span lines come after the app's own lines and before the table.
    lines = output.splitlines()
    first_span = lines.index(every[0].string)
    assert lines.index("[app] done") < first_span
    table_start = next(i for i, line in enumerate(lines) if line.startswith("GenAI metrics ("))
    assert table_start > lines.index(every[-1].string)
    table = "\n".join(lines[table_start:])
    assert "service llm-demo" in lines[table_start]

    duration = table_row(table, "gen_ai.client.operation.duration", "chat", "gpt-4o-mini")
    assert duration[duration.index("gpt-4o-mini") + 3] == "4"  # count of chat calls
    # The token table agrees with the span lines.
    chat_input = table_row(table, "gen_ai.client.token.usage", "chat", "gpt-4o-mini", "input")
    chat_output = table_row(table, "gen_ai.client.token.usage", "chat", "gpt-4o-mini", "output")
    assert chat_input[chat_input.index("input") + 3] == str(sum(int(m[5]) for m in chats))
    assert chat_output[chat_output.index("output") + 3] == str(sum(int(m[6]) for m in chats))
    embedding_input = table_row(table, "gen_ai.client.token.usage", "embeddings", "input")
    assert embedding_input[embedding_input.index("input") + 3] == embedding[5]
