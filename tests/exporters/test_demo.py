"""End to end: `make demo` runs the unmodified app under opentelemetry-instrument."""

from __future__ import annotations

import re

SPAN_LINE = re.compile(r"^([✓✗]) (\S+)\s+openai\s+(\S+)\s+in (\d+)(?:\s+out (\d+))?\s")


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

    spans = [match for line in output.splitlines() if (match := SPAN_LINE.match(line))]
    # chat, stream, tool call (two chat calls), embeddings
    assert [(m[1], m[2], m[3]) for m in spans] == [
        ("✓", "chat", "gpt-4o-mini"),
        ("✓", "chat", "gpt-4o-mini"),
        ("✓", "chat", "gpt-4o-mini"),
        ("✓", "chat", "gpt-4o-mini"),
        ("✓", "embeddings", "text-embedding-3-small"),
    ]
    chats, embedding = spans[:4], spans[4]
    assert all(int(m[4]) > 0 and int(m[5]) > 0 for m in chats)
    assert embedding[5] is None and int(embedding[4]) > 0
    stream_lines = [line for line in output.splitlines() if "(stream, first chunk " in line]
    assert len(stream_lines) == 1

    # Span lines come after the app's own lines and before the table.
    lines = output.splitlines()
    first_span = lines.index(spans[0].string)
    assert lines.index("[app] done") < first_span
    table_start = next(i for i, line in enumerate(lines) if line.startswith("GenAI metrics ("))
    assert table_start > lines.index(spans[-1].string)
    table = "\n".join(lines[table_start:])
    assert "service llm-demo" in lines[table_start]

    duration = table_row(table, "gen_ai.client.operation.duration", "chat", "openai")
    assert duration[duration.index("gpt-4o-mini") + 3] == "4"  # count of chat calls
    # The token table agrees with the span lines.
    chat_input = table_row(table, "gen_ai.client.token.usage", "chat", "openai", "input")
    chat_output = table_row(table, "gen_ai.client.token.usage", "chat", "openai", "output")
    assert chat_input[chat_input.index("input") + 3] == str(sum(int(m[4]) for m in chats))
    assert chat_output[chat_output.index("output") + 3] == str(sum(int(m[5]) for m in chats))
    embedding_input = table_row(table, "gen_ai.client.token.usage", "embeddings", "input")
    assert embedding_input[embedding_input.index("input") + 3] == embedding[4]


AI21_LINE = re.compile(r"^✓ chat\s+ai21\s+jamba-mini\s+in (\d+)\s+out (\d+)\s+cost n/a\s")


def test_demo_makes_one_ai21_call_its_cost_unknown(demo_run) -> None:
    output = demo_run.result.stdout
    (line,) = [match for line in output.splitlines() if (match := AI21_LINE.match(line))]
    assert int(line[1]) > 0 and int(line[2]) > 0
    duration = table_row(output, "gen_ai.client.operation.duration", "chat", "ai21")
    assert duration[duration.index("jamba-mini") + 3] == "1"
