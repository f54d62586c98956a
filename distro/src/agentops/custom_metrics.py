"""``record_llm_metric``: the user's own per-model numbers as OpenTelemetry counters.

Each metric name becomes a Counter (double) ``agentops.llm.<name>`` whose points carry
``gen_ai.provider.name``, ``gen_ai.request.model`` (when known), ``agentops.metric.name`` and
the tags (``agentops.tag.<key>``). Business value per model divided by ``agentops.client.cost``
per model is the ROI per model (``docs/client.md`` has the query).

Telemetry must never break the application, so bad input is reported with a warning (once
per metric name) and the point is dropped instead of raising.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Mapping
from typing import Final

from agentops_semconv import AGENTOPS_LLM_METRIC_PREFIX, AGENTOPS_METRIC_NAME
from opentelemetry.metrics import Counter, Meter
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as GenAI

from agentops.provider_names import canonical_value
from agentops.tagging import current_tag_attributes, tag_attributes

__all__ = ["CustomMetrics", "metric_name"]

_logger = logging.getLogger("agentops")

# OpenTelemetry instrument names: a letter, then letters, digits, "_", ".", "-" or "/", at
# most 255 characters in all. "/" is left out: several backends turn it into "_" anyway.
_INVALID: Final = re.compile(r"[^a-z0-9_.\-]+")
_MAX_NAME: Final = 255
_MODEL_TAG: Final = "model"


def metric_name(name: str) -> str | None:
    """The instrument name for a user's metric name, or None if nothing usable is left.

    Lower-cased; each run of other characters becomes ``_``; a leading ``agentops.llm.`` is
    not doubled; the whole name is cut at 255 characters. ``"Business Value"`` becomes
    ``agentops.llm.business_value``.
    """
    if not isinstance(name, str):
        return None
    cleaned = name.strip().lower()
    if cleaned.startswith(AGENTOPS_LLM_METRIC_PREFIX):
        cleaned = cleaned[len(AGENTOPS_LLM_METRIC_PREFIX) :]
    cleaned = _INVALID.sub("_", cleaned).strip("_.-")
    if not cleaned:
        return None
    return (AGENTOPS_LLM_METRIC_PREFIX + cleaned)[:_MAX_NAME]


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _as_given(name: str) -> str:
    given = name.strip()
    if not given.startswith(AGENTOPS_LLM_METRIC_PREFIX):
        given = AGENTOPS_LLM_METRIC_PREFIX + given
    return given


class CustomMetrics:
    """The counters of one meter, created on first use of each name."""

    def __init__(self, meter: Meter) -> None:
        self._meter = meter
        self._counters: dict[str, Counter] = {}
        self._lock = threading.Lock()
        self._warned: set[str] = set()

    def record(
        self,
        provider: str,
        metric_name_: str,
        value: float,
        tags: Mapping[str, object] | None = None,
        model: str | None = None,
    ) -> None:
        name = metric_name(metric_name_)
        if name is None:
            self._warn(repr(metric_name_), "is not a usable metric name; the value is dropped")
            return
        if name != _as_given(metric_name_):
            self._warn_renamed(metric_name_, name)
        if not _is_number(value):
            self._warn(name, f"needs a finite number, got {value!r}; the value is dropped")
            return
        if value < 0:
            self._warn(name, "is a counter: negative values are dropped")
            return
        attributes = self._attributes(provider, metric_name_, tags, model)
        if attributes is None:
            return
        self._counter(name).add(value, attributes)

    def _attributes(
        self,
        provider: str,
        raw_name: str,
        tags: Mapping[str, object] | None,
        model: str | None,
    ) -> dict[str, str] | None:
        tags = dict(tags or {})
        # ``tags={"model": ...}`` is how the seed's callers name the model; it becomes the
        # standard attribute rather than a tag, so cost and value join on the same label.
        tagged_model = tags.pop(_MODEL_TAG, None)
        if model is None and tagged_model is not None:
            model = str(tagged_model)
        try:
            own = tag_attributes(tags)
        except ValueError as error:
            self._warn(str(raw_name), f"has a bad tag ({error}); the value is dropped")
            return None
        attributes: dict[str, str] = {
            **current_tag_attributes(),
            **own,
            GenAI.GEN_AI_PROVIDER_NAME: canonical_value(str(provider)),
            AGENTOPS_METRIC_NAME: str(raw_name).strip(),
        }
        if model:
            attributes[GenAI.GEN_AI_REQUEST_MODEL] = model
        return attributes

    def _counter(self, name: str) -> Counter:
        counter = self._counters.get(name)
        if counter is None:
            with self._lock:
                counter = self._counters.get(name)
                if counter is None:
                    counter = self._meter.create_counter(
                        name, description="A value recorded with record_llm_metric"
                    )
                    self._counters[name] = counter
        return counter

    def _warn(self, name: str, problem: str) -> None:
        if name not in self._warned:
            self._warned.add(name)
            _logger.warning("record_llm_metric: metric %s %s.", name, problem)

    def _warn_renamed(self, raw: str, name: str) -> None:
        key = f"renamed:{raw}"
        if key not in self._warned:
            self._warned.add(key)
            _logger.info("record_llm_metric: metric %r is exported as %r.", raw, name)
