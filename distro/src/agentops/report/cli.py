"""``agentops report FILE...``: the seed's metrics from OTLP JSON files, with no backend.

::

    agentops report run.otlp.jsonl                      # per provider and model
    agentops report run.otlp.jsonl --by tag             # per tag (key=value)
    agentops report a.jsonl b.jsonl --by model --by tag:use_case --html report.html
    agentops report run.otlp.jsonl --json               # every figure, unrounded
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from agentops.report.calls import Call, calls_of, metric_name_of, values_of
from agentops.report.html_page import render_page
from agentops.report.otlp_json import Read, read_files
from agentops.report.summary import Grouping, Section, parse_grouping, summarize
from agentops.report.text import as_json, format_section

__all__ = ["main", "report_parser"]

DEFAULT_VALUE_METRIC = "business_value"


def report_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="OTLP JSON lines files")
    parser.add_argument(
        "--by",
        action="append",
        metavar="GROUPING",
        help="model (default), provider, service, tag (each key=value) or tag:KEY; "
        "repeat for several tables",
    )
    parser.add_argument("--html", type=Path, metavar="OUT", help="also write an HTML page here")
    parser.add_argument("--json", action="store_true", help="print every figure as JSON")
    parser.add_argument(
        "--value-metric",
        default=DEFAULT_VALUE_METRIC,
        metavar="NAME",
        help="the record_llm_metric name whose total over cost is the ROI "
        f"(default {DEFAULT_VALUE_METRIC})",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="agentops", description="AgentOps LLM telemetry tools.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    report_parser(
        commands.add_parser(
            "report",
            help="calls, errors, latency, tokens, cost and ROI from OTLP JSON files",
            description="Per provider and model (or tag): calls, error rate, latency "
            "p50/p95/p99, time to first chunk, tokens, output/input ratio, cache share, "
            "cost and ROI, from the OTLP JSON files the agentops_otlp_file exporters write.",
        )
    )
    args = parser.parse_args(argv)
    try:
        groupings = [parse_grouping(text) for text in args.by or ["model"]]
    except ValueError as error:
        parser.error(str(error))
    return run(args.files, groupings, args.html, args.json, args.value_metric)


def run(
    files: Sequence[Path],
    groupings: Sequence[Grouping],
    html: Path | None,
    as_json_output: bool,
    value_metric: str,
) -> int:
    try:
        read = read_files(files)
    except OSError as error:
        print(f"agentops report: cannot read {error.filename}: {error.strerror}", file=sys.stderr)
        return 2
    calls = calls_of(read.spans)
    if read.skipped:
        print(
            f"agentops report: skipped {read.skipped} of {read.lines} lines that are not "
            "OTLP JSON requests",
            file=sys.stderr,
        )
    if not calls:
        print(
            f"agentops report: no LLM call spans in {', '.join(map(str, files))} "
            f"({len(read.spans)} spans). Export traces with "
            "OTEL_TRACES_EXPORTER=agentops_otlp_file.",
            file=sys.stderr,
        )
        return 1
    values = values_of(read.points, metric_name_of(value_metric))
    sections = [summarize(calls, values, grouping) for grouping in groupings]
    facts = describe(files, read, calls)
    if as_json_output:
        print(json.dumps({"facts": facts, **as_json(sections)}, indent=2))
    else:
        print("\n".join(facts))
        for section in sections:
            print()
            print(format_section(section))
        if any(_has_unpriced(section) for section in sections):
            print("* cost of the priced calls only: some calls have no price (unknown model).")
    if html is not None:
        by_model = next(
            (s for s in sections if s.grouping.kind == "model"),
            None,
        ) or summarize(calls, values, Grouping("model"))
        page = render_page(sections, by_model, facts, "LLM calls report")
        try:
            html.parent.mkdir(parents=True, exist_ok=True)
            html.write_text(page, encoding="utf-8")
        except OSError as error:
            print(f"agentops report: cannot write {html}: {error.strerror}", file=sys.stderr)
            return 2
        if not as_json_output:
            print(f"\nHTML report: {html}")
    return 0


def describe(files: Sequence[Path], read: Read, calls: Sequence[Call]) -> list[str]:
    services = sorted({call.service for call in calls})
    first = min(call.start_ns for call in calls)
    last = max(span.end_ns for span in read.spans)
    return [
        f"{len(calls)} LLM calls in {len(files)} "
        f"file{'s' if len(files) != 1 else ''} ({', '.join(str(f) for f in files)})",
        f"services: {', '.join(services)}",
        f"from {_time(first)} to {_time(last)} ({(last - first) / 1e9:.1f} s)",
    ]


def _time(ns: int) -> str:
    return datetime.fromtimestamp(ns / 1e9, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _has_unpriced(section: Section) -> bool:
    return any(row.calls - row.priced_calls - row.errors > 0 for row in section.rows)


if __name__ == "__main__":
    sys.exit(main())
