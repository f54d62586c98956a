"""GenAI event names of the semantic conventions that the Python semantic-conventions package
does not carry yet; defined once here so no package spells them itself."""

from typing import Final

GEN_AI_CLIENT_INFERENCE_OPERATION_DETAILS: Final = "gen_ai.client.inference.operation.details"
"""Registry event: the details of one inference call (opt-in; content only when enabled)."""

GEN_AI_CLIENT_OPERATION_EXCEPTION: Final = "gen_ai.client.operation.exception"
"""Registry event: an exception raised by a GenAI client operation (severity WARN)."""
