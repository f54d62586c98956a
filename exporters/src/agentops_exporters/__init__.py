"""Exporters for looking at LLM telemetry without a backend."""
