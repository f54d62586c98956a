"""``opentelemetry-instrument`` integration: the ``agentops`` distro and configurator.

``opentelemetry-instrument`` loads one distro (``OTEL_PYTHON_DISTRO``, else the first one
installed), runs its ``configure``, then one configurator (``OTEL_PYTHON_CONFIGURATOR``, else
the first one installed), then every instrumentor entry point. The distro only sets
environment defaults; the configurator builds the pipeline (``agentops.pipeline``).
"""

from __future__ import annotations

import os
from typing import Any

from opentelemetry.instrumentation.distro import BaseDistro
from opentelemetry.instrumentation.environment_variables import OTEL_PYTHON_CONFIGURATOR

from agentops._compat import BaseConfigurator
from agentops.pipeline import apply_env_defaults, ensure_pipeline

__all__ = ["AgentOpsConfigurator", "AgentOpsDistro"]

NAME = "agentops"
"""The entry point name of both, for ``OTEL_PYTHON_DISTRO`` and ``OTEL_PYTHON_CONFIGURATOR``."""


class AgentOpsDistro(BaseDistro):  # type: ignore[misc]
    """Sets the distro's defaults with ``os.environ.setdefault``: explicit settings win."""

    def _configure(self, **kwargs: Any) -> None:
        apply_env_defaults()
        # Configurators load after the distro: naming ours here keeps another installed
        # configurator (opentelemetry-distro's) from being picked by install order.
        os.environ.setdefault(OTEL_PYTHON_CONFIGURATOR, NAME)


class AgentOpsConfigurator(BaseConfigurator):  # type: ignore[misc]
    """Builds (or reuses) the SDK providers and adds the cost processor."""

    def _configure(self, **kwargs: Any) -> None:
        ensure_pipeline(auto_instrumentation_version=kwargs.get("auto_instrumentation_version"))
