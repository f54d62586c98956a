"""`agentops report` on the files of a real run (the demo's), checked against the spans
themselves; and how it copes with several files, delta metrics, bad lines and no data."""

from __future__ import annotations

import json
import math
import re
import statistics
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from agentops.report.summary import percentile
from otlp_truth import SpanCall, llm_calls
from viewing_support import ROOT

sys.path.insert(0, str(ROOT / "examples"))
import support_app

AGENTOPS = Path(sys.executable).parent / "agentops"


def report(*args: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(AGENTOPS), "report", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def figures(*args: str | Path) -> dict[str, Any]:
    return json.loads(report(*args, "--json").stdout)


def rows(section: dict[str, Any]) -> dict[tuple[str, ...], dict[str, Any]]:
    return {tuple(row["key"]): row for row in section["rows"]}


@pytest.fixture(scope="module")
def demo(demo_run):
    assert demo_run.result.returncode == 0, demo_run.result.stdout + demo_run.result.stderr
    return demo_run


@pytest.fixture(scope="module")
def spans(demo) -> list[SpanCall]:
    return llm_calls(demo.telemetry_file)


def expected_row(calls: list[SpanCall]) -> dict[str, Any]:
    """A report row computed here, from the spans, the way the report documents it."""
    durations = [c.duration_s for c in calls]
    ttfcs = [c.get("gen_ai.response.time_to_first_chunk") for c in calls]
    ttfcs = [t for t in ttfcs if t is not None]
    inputs = sum(c.get("gen_ai.usage.input_tokens", 0) for c in calls)
    outputs = sum(c.get("gen_ai.usage.output_tokens", 0) for c in calls)
    cached = sum(c.get("gen_ai.usage.cache_read.input_tokens", 0) for c in calls)

    def quantile(values: list[float], q: int) -> float | None:
        if not values:
            return None
        if len(values) == 1:
            return values[0]
        return statistics.quantiles(values, n=100, method="inclusive")[q - 1]

    return {
        "calls": len(calls),
        "errors": sum(1 for c in calls if c.error_type),
        "latency_s": {f"p{q}": quantile(durations, q) for q in (50, 95, 99)},
        "ttfc_s": {f"p{q}": quantile(ttfcs, q) for q in (50, 95, 99)},
        "input_tokens": inputs,
        "output_tokens": outputs,
        "cache_read_tokens": cached,
        "compression_ratio": outputs / inputs if inputs else None,
        "cache_share": cached / inputs if inputs else None,
        "cost_usd": sum(c.cost for c in calls),
    }


def assert_row_matches(row: dict[str, Any], calls: list[SpanCall]) -> None:
    expected = expected_row(calls)
    for key, value in expected.items():
        if isinstance(value, dict):
            for inner, number in value.items():
                if number is None:
                    assert row[key][inner] is None, (row["key"], key, inner)
                else:
                    assert row[key][inner] == pytest.approx(number, rel=1e-9), (row["key"], key)
        elif value is None:
            assert row[key] is None, (row["key"], key)
        else:
            assert row[key] == pytest.approx(value, rel=1e-9, abs=1e-12), (row["key"], key)


def business_value() -> dict[str, float]:
    """What support_app records: each answered ticket's worth, by model."""
    values: dict[str, float] = defaultdict(float)
    for tier, text in support_app.TICKETS:
        if text:
            model = support_app.GOLD_MODEL if tier == "gold" else support_app.FREE_MODEL
            values[model] += support_app.VALUE_USD[tier]
    return dict(values)


def test_demo_ends_with_the_report_and_says_where_the_page_is(demo) -> None:
    output = demo.result.stdout
    report_start = output.index("-- report: agentops report ")
    assert output.index("[support] done") < report_start
    tail = output[report_start:]
    assert "By provider and model" in tail and "By tag" in tail
    assert f"HTML report: {demo.report_html}" in tail
    assert tail.rstrip().endswith(f"Open {demo.report_html} in a browser for the charts.")
    assert demo.report_html.is_file()
    assert "services: llm-demo, support-assistant" in tail


def test_report_per_model_equals_the_spans(demo, spans) -> None:
    (section,) = figures(demo.telemetry_file)["sections"]
    assert section["by"] == "provider and model"
    by_model: dict[tuple[str, str], list[SpanCall]] = defaultdict(list)
    for call in spans:
        by_model[(call.provider, call.model)].append(call)
    found = rows(section)
    assert set(found) == set(by_model)
    openai_models = {model for provider, model in found if provider == "openai"}
    assert openai_models == {"gpt-4o", "gpt-4o-mini", "text-embedding-3-small"}
    for key, calls in by_model.items():
        assert_row_matches(found[key], calls)
    assert_row_matches(section["total"], spans)
    # Figures that must be there for the demo to show anything: streams, errors, cache.
    gpt4o, mini = found[("openai", "gpt-4o")], found[("openai", "gpt-4o-mini")]
    assert gpt4o["streamed_calls"] == 4 and gpt4o["ttfc_s"]["p50"] > 0
    assert mini["errors"] == 2 and mini["error_types"] == {"openai.BadRequestError": 2}
    assert mini["cache_share"] > 0
    groq = found[("groq", "llama-3.1-8b-instant")]
    assert groq["calls"] == 2 and groq["streamed_calls"] == 1 and groq["ttfc_s"]["p50"] > 0


def test_roi_is_business_value_over_cost(demo, spans) -> None:
    (section,) = figures(demo.telemetry_file)["sections"]
    found = rows(section)
    for model, value in business_value().items():
        row = found[("openai", model)]
        assert row["value"] == pytest.approx(value)
        cost = sum(c.cost for c in spans if c.model == model)
        assert row["roi"] == pytest.approx(value / cost, rel=1e-9)
    assert found[("openai", "text-embedding-3-small")]["roi"] is None  # no value recorded


def test_report_per_tag_equals_the_spans(demo, spans) -> None:
    (section,) = figures(demo.telemetry_file, "--by", "tag")["sections"]
    expected: dict[str, list[SpanCall]] = defaultdict(list)
    for call in spans:
        for key, value in call.tags.items():
            expected[f"{key}={value}"].append(call)
        if not call.tags:
            expected["(no tags)"].append(call)
    found = {row["key"][0]: row for row in section["rows"]}
    assert set(found) == set(expected)
    assert {"use_case=support", "use_case=search", "customer_tier=gold"} <= set(found)
    for key, calls in expected.items():
        assert_row_matches(found[key], calls)
    gold_value = business_value()[support_app.GOLD_MODEL]
    assert found["customer_tier=gold"]["value"] == pytest.approx(gold_value)


def test_one_tag_key(demo, spans) -> None:
    (section,) = figures(demo.telemetry_file, "--by", "tag:customer_tier")["sections"]
    found = {row["key"][0]: row["calls"] for row in section["rows"]}
    tiers = [c.tags.get("customer_tier") for c in spans]
    assert found == {
        "customer_tier=gold": tiers.count("gold"),
        "customer_tier=free": tiers.count("free"),
        "(no customer_tier)": tiers.count(None),
    }


def test_console_table_shows_the_same_numbers(demo, spans) -> None:
    text = report(demo.telemetry_file).stdout

    def cells(line: str) -> list[str]:  # columns are two or more spaces apart
        return re.split(r"\s{2,}", line.strip())

    lines = text.splitlines()
    header = cells(next(line for line in lines if line.startswith("provider")))
    values = cells(next(line for line in lines if re.match(r"openai\s+gpt-4o\s", line)))
    row = dict(zip(header, values, strict=True))
    gpt4o = [c for c in spans if c.model == "gpt-4o"]
    assert row["calls"] == str(len(gpt4o))
    assert row["in tok"] == f"{sum(c.get('gen_ai.usage.input_tokens') for c in gpt4o):,}"
    assert row["cost USD"] == f"{sum(c.cost for c in gpt4o):.6f}"
    assert row["p50 ms"] == f"{statistics.median(c.duration_s for c in gpt4o) * 1000:,.0f}"
    assert row["err %"] == "0.0%"


def test_several_files_add_up(demo, tmp_path) -> None:
    lines = demo.telemetry_file.read_text().splitlines(keepends=True)
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text("".join(lines[::2]))
    second.write_text("".join(lines[1::2]))
    whole = figures(demo.telemetry_file)["sections"][0]
    split = figures(first, second)["sections"][0]
    assert split["rows"] == whole["rows"]


# --- inputs that are not a clean run ---------------------------------------------------------


def span_line(attributes: dict[str, Any], *, service: str = "svc", status: int = 0) -> str:
    def value(v: Any) -> dict[str, Any]:
        if isinstance(v, bool):
            return {"boolValue": v}
        if isinstance(v, int):
            return {"intValue": str(v)}
        if isinstance(v, float):
            return {"doubleValue": v}
        return {"stringValue": v}

    span = {
        "traceId": "0" * 31 + "1",
        "spanId": "0" * 15 + "1",
        "name": "chat m",
        "startTimeUnixNano": "1700000000000000000",
        "endTimeUnixNano": "1700000000250000000",
        "attributes": [{"key": k, "value": value(v)} for k, v in attributes.items()],
        "status": {"code": status},
    }
    resource = {"attributes": [{"key": "service.name", "value": {"stringValue": service}}]}
    return json.dumps(
        {"resourceSpans": [{"resource": resource, "scopeSpans": [{"spans": [span]}]}]}
    )


def value_line(value: float, *, delta: bool, start: str = "1") -> str:
    point = {
        "startTimeUnixNano": start,
        "timeUnixNano": "2",
        "asDouble": value,
        "attributes": [
            {"key": "gen_ai.provider.name", "value": {"stringValue": "acme"}},
            {"key": "gen_ai.request.model", "value": {"stringValue": "m"}},
        ],
    }
    metric = {
        "name": "agentops.llm.business_value",
        "sum": {"dataPoints": [point], "aggregationTemporality": 1 if delta else 2,
                "isMonotonic": True},
    }  # fmt: skip
    return json.dumps(
        {"resourceMetrics": [{"resource": {}, "scopeMetrics": [{"metrics": [metric]}]}]}
    )


CALL = {
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": "acme",
    "gen_ai.request.model": "m",
    "gen_ai.usage.input_tokens": 10,
    "gen_ai.usage.output_tokens": 5,
    "agentops.cost.total_usd": 0.5,
    "agentops.cost.status": "priced",
}


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "run.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_provider_it_has_never_seen_is_reported_from_its_attributes(tmp_path) -> None:
    path = write(
        tmp_path,
        span_line(CALL),
        span_line({**CALL, "error.type": "acme.Timeout"}, status=2),
        span_line({"gen_ai.operation.name": "invoke_agent", "gen_ai.usage.input_tokens": 99}),
        span_line({"http.request.method": "GET"}),
    )
    (section,) = figures(path)["sections"]
    (row,) = section["rows"]
    assert row["key"] == ["acme", "m"]
    assert row["calls"] == 2 and row["errors"] == 1 and row["error_rate"] == 0.5
    assert row["input_tokens"] == 20 and row["cost_usd"] == 1.0
    assert row["latency_s"]["p50"] == pytest.approx(0.25)


def test_cumulative_values_take_the_latest_point_and_delta_values_add_up(tmp_path) -> None:
    cumulative = write(
        tmp_path, span_line(CALL), value_line(1.0, delta=False), value_line(3.0, delta=False)
    )
    (section,) = figures(cumulative)["sections"]
    assert section["rows"][0]["value"] == 3.0 and section["rows"][0]["roi"] == 6.0
    # A second process (another start time) adds its own total.
    two_processes = write(
        tmp_path,
        span_line(CALL),
        value_line(3.0, delta=False),
        value_line(2.0, delta=False, start="7"),
    )
    assert figures(two_processes)["sections"][0]["rows"][0]["value"] == 5.0
    delta = write(
        tmp_path, span_line(CALL), value_line(1.0, delta=True), value_line(3.0, delta=True)
    )
    assert figures(delta)["sections"][0]["rows"][0]["value"] == 4.0


def test_bad_lines_are_skipped_and_counted(tmp_path) -> None:
    good = span_line(CALL)
    path = write(tmp_path, good, "{not json", '{"something": "else"}', good[: len(good) // 2])
    result = report(path)
    assert "skipped 3 of 4 lines" in result.stderr
    assert "1 LLM calls in 1 file" in result.stdout


def test_no_calls_is_an_error_that_says_what_to_do(tmp_path) -> None:
    path = write(tmp_path, value_line(1.0, delta=False))
    result = report(path, check=False)
    assert result.returncode == 1
    assert "no LLM call spans" in result.stderr
    assert "OTEL_TRACES_EXPORTER=agentops_otlp_file" in result.stderr


def test_a_missing_file_and_a_bad_grouping_are_errors(tmp_path) -> None:
    missing = report(tmp_path / "nope.jsonl", check=False)
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    bad = report(write(tmp_path, span_line(CALL)), "--by", "colour", check=False)
    assert bad.returncode == 2 and "--by takes one of" in bad.stderr


def test_python_dash_m_agentops_is_the_same_command(tmp_path) -> None:
    path = write(tmp_path, span_line(CALL))
    result = subprocess.run(
        [sys.executable, "-m", "agentops", "report", str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(result.stdout)["sections"][0]["rows"][0]["calls"] == 1


@pytest.mark.parametrize("size", [2, 3, 10, 101])
def test_percentile_matches_the_standard_library(size: int) -> None:
    values = [math.sin(i) * 10 + 11 for i in range(size)]
    expected = statistics.quantiles(values, n=100, method="inclusive")
    for q in (1, 50, 95, 99):
        assert percentile(values, q) == pytest.approx(expected[q - 1], rel=1e-12)
    assert percentile([4.0], 99) == 4.0
    assert percentile([], 50) is None
