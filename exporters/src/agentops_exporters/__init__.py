"""Exporters for looking at LLM telemetry without a backend."""

from agentops_exporters.console import LLMConsoleMetricExporter, LLMConsoleSpanExporter

__all__ = ["LLMConsoleMetricExporter", "LLMConsoleSpanExporter"]
