"""Routed calls: one call of the caller's answered by several model calls.

A router (LiteLLM's ``Router``) turns one call into attempts: a deployment is picked, a failed
attempt is retried or falls back to another model group. Its mapper marks the call
(``Request.groups_attempts``); the core then opens a grouping span and puts a ``Route`` in
its context instead of the nested-call mark, so every model call made inside it is traced as
an attempt of its own: one inference span each, priced and measured once. Each attempt
reports to the route when it starts (its place) and when it ends (its outcome); the route
span ends with the summary: how many attempts, how many fallbacks, which deployment and model
group answered, and the latency the caller saw. The route span itself carries no usage and no
GenAI metric point, and no call observer sees it, so its attempts are never counted twice.
"""

from __future__ import annotations

from typing import Final

from agentops_semconv import (
    AGENTOPS_ROUTE_ATTEMPT,
    AGENTOPS_ROUTE_ATTEMPTS,
    AGENTOPS_ROUTE_DEPLOYMENT,
    AGENTOPS_ROUTE_FALLBACKS,
    AGENTOPS_ROUTE_LATENCY,
    AGENTOPS_ROUTE_MODEL_GROUP,
)
from opentelemetry.context import create_key
from opentelemetry.util.types import AttributeValue

__all__ = ["ROUTE", "Route"]

ROUTE: Final = create_key("agentops-genai-route")
"""Context key of the routed call being made, read when a model call starts."""


class Route:
    """The attempts of one routed call, as they start and end."""

    __slots__ = ("_ended", "_started")

    def __init__(self) -> None:
        self._started = 0
        self._ended: list[tuple[AttributeValue | None, AttributeValue | None, bool]] = []

    def attempt_started(self, attributes: dict[str, AttributeValue]) -> None:
        """An attempt's span is about to start: number it (its start attributes)."""
        self._started += 1
        attributes[AGENTOPS_ROUTE_ATTEMPT] = self._started

    def attempt_ended(self, attributes: dict[str, AttributeValue], failed: bool) -> None:
        """An attempt ended; ``attributes`` are its span's start attributes."""
        self._ended.append(
            (
                attributes.get(AGENTOPS_ROUTE_DEPLOYMENT),
                attributes.get(AGENTOPS_ROUTE_MODEL_GROUP),
                failed,
            )
        )

    def summary(self, latency: float) -> dict[str, AttributeValue]:
        """The routed call's span attributes: attempts, fallbacks, who answered, latency."""
        attributes: dict[str, AttributeValue] = {
            AGENTOPS_ROUTE_ATTEMPTS: self._started,
            AGENTOPS_ROUTE_LATENCY: latency,
        }
        fallbacks = 0
        previous: AttributeValue | None = None
        for _, group, _ in self._ended:
            if group is None:
                continue
            if previous is not None and group != previous:
                fallbacks += 1
            previous = group
        attributes[AGENTOPS_ROUTE_FALLBACKS] = fallbacks
        answered = next((a for a in reversed(self._ended) if not a[2]), None)
        if answered is not None:
            deployment, group, _ = answered
            if deployment is not None:
                attributes[AGENTOPS_ROUTE_DEPLOYMENT] = deployment
            if group is not None:
                attributes[AGENTOPS_ROUTE_MODEL_GROUP] = group
        return attributes
