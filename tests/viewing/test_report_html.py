"""The HTML report of the demo run, looked at as a user would: rendered by headless
Chromium (Debian's `chromium`; `.ci/run` installs it), with the charts laid out and painted
where the page says, their bars and markers matching the report's numbers, no request to
anything but the file itself, and no script error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from headless_chromium import Chromium, png_pixels
from viewing_support import find_tool

AGENTOPS = Path(sys.executable).parent / "agentops"

LAYOUT = """(() => {
  const box = (e) => {
    const r = e.getBoundingClientRect();
    return {x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height};
  };
  const latency = document.getElementById("latency-chart");
  const cost = document.getElementById("cost-chart");
  return {
    title: document.title,
    viewport: innerWidth,
    latency: latency && box(latency),
    cost: cost && box(cost),
    series: latency ? [...latency.querySelectorAll("g.series")].map((g) => ({
      key: g.dataset.key,
      label: box(g.querySelector("text")),
      bins: [...g.querySelectorAll("rect.bin")].map((r) => ({count: +r.dataset.count, ...box(r)})),
      markers: Object.fromEntries([...g.querySelectorAll("line.marker")].map(
        (l) => [l.classList[1], {seconds: +l.dataset.seconds, x: box(l).x}])),
    })) : [],
    bars: cost ? [...cost.querySelectorAll("rect.bar")].map((r) => ({
      key: r.parentNode.dataset.key, usd: +r.dataset.usd, fill: getComputedStyle(r).fill,
      ...box(r)})) : [],
    tables: [...document.querySelectorAll("table.report")].map(
      (t) => t.querySelectorAll("tbody tr").length),
  };
})()"""


@pytest.fixture(scope="module")
def page(demo_run, tmp_path_factory) -> dict[str, Any]:
    chromium = find_tool(
        "chromium", "apt-get install chromium", "chromium-browser", "google-chrome"
    )
    assert demo_run.result.returncode == 0, demo_run.result.stderr
    directory = tmp_path_factory.mktemp("chromium")
    with Chromium(chromium, directory / "profile") as browser:
        browser.open(demo_run.report_html.as_uri())
        layout = browser.evaluate(LAYOUT)
        shots = {
            name: png_pixels(browser.screenshot(layout[name]))
            for name in ("latency", "cost")
            if layout[name]
        }
        (directory / "report.png").write_bytes(browser.screenshot())  # to look at by hand
        events = browser.events
    report = json.loads(
        subprocess.run(
            [str(AGENTOPS), "report", str(demo_run.telemetry_file), "--by", "model", "--by",
             "tag", "--json"],
            capture_output=True, text=True, check=True, timeout=60,
        ).stdout
    )  # fmt: skip
    return {"layout": layout, "shots": shots, "events": events, "report": report}


def model_rows(page: dict[str, Any]) -> list[dict[str, Any]]:
    return page["report"]["sections"][0]["rows"]


def test_page_renders_both_charts_inside_the_window(page) -> None:
    layout = page["layout"]
    assert layout["title"] == "LLM calls report"
    for chart in ("latency", "cost"):
        box = layout[chart]
        assert box is not None, f"no {chart} chart"
        assert box["width"] >= 600 and box["height"] >= 80, box
        assert box["x"] >= 0 and box["x"] + box["width"] <= layout["viewport"], box
    assert layout["latency"]["y"] < layout["cost"]["y"]
    # One table per grouping, a row per group plus the total.
    sections = page["report"]["sections"]
    assert layout["tables"] == [len(s["rows"]) + 1 for s in sections]


def test_latency_chart_has_a_histogram_per_model_with_its_percentiles(page) -> None:
    series = page["layout"]["series"]
    rows = model_rows(page)
    assert [s["key"] for s in series] == [" ".join(row["key"]) for row in rows]
    for drawn, row in zip(series, rows, strict=True):
        assert sum(b["count"] for b in drawn["bins"]) == row["calls"], drawn["key"]
        assert all(b["height"] > 0 and b["width"] > 0 for b in drawn["bins"])
        assert drawn["label"]["width"] > 50  # the model's name is written out
        markers = drawn["markers"]
        for q in ("p50", "p95", "p99"):
            assert markers[q]["seconds"] == pytest.approx(row["latency_s"][q], abs=1e-8)
        assert markers["p50"]["x"] <= markers["p95"]["x"] <= markers["p99"]["x"]
        # The bins sit between the axis ends the markers share.
        assert min(b["x"] for b in drawn["bins"]) >= page["layout"]["latency"]["x"]


def test_cost_chart_bars_are_proportional_to_cost(page) -> None:
    bars = page["layout"]["bars"]
    priced = [row for row in model_rows(page) if row["priced_calls"]]
    assert [b["key"] for b in bars] == [" ".join(row["key"]) for row in priced]
    for bar, row in zip(bars, priced, strict=True):
        assert bar["usd"] == pytest.approx(row["cost_usd"], rel=1e-12)
    widest = max(bars, key=lambda b: b["usd"])
    assert widest["width"] > 300
    for bar in bars:
        expected = widest["width"] * bar["usd"] / widest["usd"]
        assert bar["width"] == pytest.approx(max(expected, 1), abs=0.6), bar["key"]


def test_charts_are_painted(page) -> None:
    # In the screenshot of the cost chart, the widest bar's colour covers about its area.
    _, _, pixels = page["shots"]["cost"]
    bars = page["layout"]["bars"]
    widest = max(bars, key=lambda b: b["usd"])
    colour = tuple(int(part) for part in widest["fill"][4:-1].split(","))
    painted = sum(
        1 for pixel in pixels if all(abs(a - b) <= 8 for a, b in zip(pixel, colour, strict=True))
    )
    assert painted >= 0.8 * widest["width"] * widest["height"], (painted, widest)
    # The latency chart has coloured bins, not only its grey background and text.
    _, _, latency_pixels = page["shots"]["latency"]
    coloured = sum(1 for r, g, b in latency_pixels if max(r, g, b) - min(r, g, b) > 60)
    bins_area = sum(b["width"] * b["height"] for s in page["layout"]["series"] for b in s["bins"])
    assert coloured >= 0.5 * bins_area > 0


def test_page_is_self_contained_and_error_free(page, demo_run) -> None:
    events = page["events"]
    requested = [
        e["params"]["request"]["url"]
        for e in events
        if e.get("method") == "Network.requestWillBeSent"
    ]
    assert requested == [demo_run.report_html.as_uri()]
    errors = [
        e
        for e in events
        if e.get("method") == "Runtime.exceptionThrown"
        or (e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] == "error")
        or (e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")
    ]
    assert errors == []
