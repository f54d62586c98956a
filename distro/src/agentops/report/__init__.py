"""``agentops report``: the seed's metrics from the OTLP JSON files the distro writes.

Reads the files the ``agentops_otlp_file`` exporters append to (``otlp_json``), turns GenAI
spans into calls and ``record_llm_metric`` counters into business values (``calls``),
computes per group (model, provider, service, tag) calls, error rate, latency percentiles,
time to first chunk, tokens, output/input ratio, cache share, cost and ROI (``summary``),
and prints them (``text``) or writes one self-contained HTML page (``html_page``). No
backend, no network.
"""

from agentops.report.cli import main

__all__ = ["main"]
