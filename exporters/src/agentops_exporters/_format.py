"""Value formatting shared by the span and metric exporters."""

from __future__ import annotations

from collections.abc import Mapping

from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as GenAI
from opentelemetry.util.types import AttributeValue

Attributes = Mapping[str, AttributeValue]


def text(value: AttributeValue | None) -> str:
    """An attribute value for a table cell; "-" when missing."""
    return "-" if value is None or value == "" else str(value)


def model(attributes: Attributes) -> str:
    """The requested model, followed by the served one when the provider answered another."""
    requested = attributes.get(GenAI.GEN_AI_REQUEST_MODEL)
    responded = attributes.get(GenAI.GEN_AI_RESPONSE_MODEL)
    if requested is None or responded is None or requested == responded:
        return text(requested if requested is not None else responded)
    # Often a dated snapshot of the requested alias; it is what was actually billed.
    return f"{requested} → {responded}"


def usd(value: float) -> str:
    """Dollars to the micro-dollar, the scale of one small LLM call."""
    if 0 < value < 0.0000005:
        return "<$0.000001"
    return f"${value:.6f}"


def ms(seconds: float) -> str:
    return f"{round(seconds * 1000)} ms"


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
