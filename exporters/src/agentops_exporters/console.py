"""Placeholder replaced by the console exporters."""
