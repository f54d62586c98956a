"""End to end: `make demo` runs the unmodified app under opentelemetry-instrument."""

from __future__ import annotations

import importlib.util
import re

from demo_support import demo_providers

# operation, provider, model, input and output tokens
LINE = re.compile(r"^([✓✗]) (\S+)\s+(\S+)\s+(\S+)\s+in (\d+)(?:\s+out (\d+))?\s")
COHERE_LINE = re.compile(r"^[✓✗] \S+\s+cohere\s")
ANTHROPIC_LINE = re.compile(r"^✓ chat\s+anthropic\s+claude-haiku-4-5\s+in \d+\s+out \d+")
OLLAMA_LINE = re.compile(r"^[✓✗] \S+\s+ollama\s")


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
    # LiteLLM's calls are reported under the providers it routed them to.
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
    stream_lines = [line for line in output.splitlines() if "(stream, first chunk " in line]
    # Groq: a chat completion and a stream, after the OpenAI calls.
    groq = [line for line in output.splitlines() if re.match(r"^✓ chat\s+groq\s", line)]
    assert len(groq) == 2 and groq[1] in stream_lines
    assert all(re.search(r" in [1-9]\d*  out [1-9]", line) for line in groq)
    # The Cohere calls: v2 chat, stream, embed and rerank (search units, not tokens: no
    # usage and no price), then a v1 chat.
    cohere = [line.split()[:3] for line in output.splitlines() if COHERE_LINE.match(line)]
    assert cohere == [
        ["✓", "chat", "cohere"],
        ["✓", "chat", "cohere"],
        ["✓", "embeddings", "cohere"],
        ["✓", "rerank", "cohere"],
        ["✓", "chat", "cohere"],
    ]
    # The Ollama calls: a stream and an embedding through the module's functions, free.
    ollama = [line for line in output.splitlines() if OLLAMA_LINE.match(line)]
    assert [line.split()[:4] for line in ollama] == [
        ["✓", "chat", "ollama", "llama3.2:3b"],
        ["✓", "embeddings", "ollama", "nomic-embed-text"],
    ]
    assert ollama[0] in stream_lines
    assert all("$0.000000" in line for line in ollama)

    # Span lines come after the app's own lines and before the table.
    lines = output.splitlines()
    first_span = lines.index(every[0].string)
    assert lines.index("[app] done") < first_span
    table_start = next(i for i, line in enumerate(lines) if line.startswith("GenAI metrics ("))
    assert table_start > lines.index(every[-1].string)
    table = "\n".join(lines[table_start:])
    assert "service llm-demo" in lines[table_start]

    duration = table_row(table, "gen_ai.client.operation.duration", "chat", "openai", "gpt-4o-mini")
    assert duration[duration.index("gpt-4o-mini") + 3] == "4"  # count of chat calls
    # The token table agrees with the span lines.
    chat_input = table_row(
        table, "gen_ai.client.token.usage", "chat", "openai", "gpt-4o-mini", "input"
    )
    chat_output = table_row(
        table, "gen_ai.client.token.usage", "chat", "openai", "gpt-4o-mini", "output"
    )
    assert chat_input[chat_input.index("input") + 3] == str(sum(int(m[5]) for m in chats))
    assert chat_output[chat_output.index("output") + 3] == str(sum(int(m[6]) for m in chats))
    embedding_input = table_row(table, "gen_ai.client.token.usage", "embeddings", "input", "openai")
    assert embedding_input[embedding_input.index("input") + 3] == embedding[5]

    # Anthropic: a message, a messages.stream() call, a call with a cached prompt; one span
    # each (the SDK's own spans are switched off), the stream's with its usage.
    anthropic_lines = [line for line in lines if ANTHROPIC_LINE.match(line)]
    assert len(anthropic_lines) == 3, anthropic_lines
    assert all(" out " in line for line in anthropic_lines)
    assert "(stream, first chunk " in anthropic_lines[1]
    # The span's input counts the cached tokens the SDK reports beside its input_tokens.
    (app_line,) = [line for line in lines if line.endswith("written to it")]
    new, read, written = (int(word) for word in re.findall(r"\d+", app_line))
    assert re.search(rf" in {new + read + written} .* cache-read {read} ", anthropic_lines[2])


AI21_LINE = re.compile(r"^✓ chat\s+ai21\s+jamba-mini\s+in (\d+)\s+out (\d+)\s+cost n/a\s")


def test_demo_makes_one_ai21_call_its_cost_unknown(demo_run) -> None:
    output = demo_run.result.stdout
    (line,) = [match for line in output.splitlines() if (match := AI21_LINE.match(line))]
    assert int(line[1]) > 0 and int(line[2]) > 0
    duration = table_row(output, "gen_ai.client.operation.duration", "chat", "ai21")
    assert duration[duration.index("jamba-mini") + 3] == "1"


LITELLM_ANSWER = re.compile(
    r"^✓ chat\s+anthropic\s+claude-3-5-haiku-20241022\s+in [1-9]\d*\s+out [1-9]\d*\s"
)


def test_demo_makes_a_litellm_router_call_with_a_fallback(demo_run) -> None:
    lines = demo_run.result.stdout.splitlines()
    if "[app] Router call with a fallback ..." not in lines:
        assert importlib.util.find_spec("litellm") is None
        return
    routes = [line for line in lines if re.match(r"^✓ route\s+litellm\s+primary\s+no usage", line)]
    failed = [
        line
        for line in lines
        if re.match(r"^✗ chat\s+groq\s+gemma2-9b-it\s+no usage\s.*ServiceUnavailableError", line)
    ]
    answered = [line for line in lines if LITELLM_ANSWER.match(line)]
    # Each Router call: its failed attempt, the fallback that answered (priced), the route
    # (neither priced nor counted as a call); the second call streamed.
    assert len(routes) == len(failed) == len(answered) == 2
    assert all("$" in line for line in answered)
    assert "(stream, first chunk " in answered[1]
    assert all("cost n/a" in line for line in routes)
