"""Console exporters for LLM telemetry; the names the entry points point at.

``OTEL_TRACES_EXPORTER=llm_console`` and ``OTEL_METRICS_EXPORTER=llm_console`` select them.
"""

from agentops_exporters.metrics import LLMConsoleMetricExporter
from agentops_exporters.spans import LLMConsoleSpanExporter

__all__ = ["LLMConsoleMetricExporter", "LLMConsoleSpanExporter"]
