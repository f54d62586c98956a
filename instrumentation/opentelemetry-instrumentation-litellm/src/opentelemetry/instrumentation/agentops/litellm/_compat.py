"""What the LiteLLM package reads from LiteLLM beyond its documented call arguments.

Checked by ``tests/instrumentation/litellm/test_litellm_compat.py`` against the installed
release, so an upgrade that changes them fails loudly; calls are still traced if they go
(with less detail: the provider from the model prefix alone, no default server address).

- ``litellm.get_llm_provider``: the provider LiteLLM routes a model string to, the model name
  as that provider sees it, and the provider's default base URL where LiteLLM has one (Groq).
  (Responses carry a private ``_hidden_params["api_base"]``, not used: it names OpenAI's
  default host when the base came from ``OPENAI_BASE_URL``.)
- How a stream changes when it is asked for usage (``stream_options.include_usage``), by
  release: from 1.90 it gains one last chunk carrying the usage and nothing else (no choice
  since 1.110, one empty choice before), which the instrumentation hides from the caller.
  Before 1.90 only Anthropic streams are asked: the OpenAI-format routes change other chunks
  too (openai: 7 chunks become 9), Groq streams fail (1.53 to 1.60), and the usage LiteLLM
  then reports on Ollama streams is its own tokenizer's estimate, not Ollama's counts.
"""

from __future__ import annotations

import sys
from functools import cache, lru_cache
from importlib import metadata
from typing import Final, NamedTuple

__all__ = ["Route", "route_of", "stream_usage_hidden"]

_STREAM_USAGE_SINCE: Final = (1, 90)
# Checked on 1.53.4, 1.60.0 and 1.75.0: one extra chunk, with Anthropic's usage and an empty
# choice.
_STREAM_USAGE_EARLIER: Final = frozenset({"anthropic"})


class Route(NamedTuple):
    """Where LiteLLM sends a model string."""

    provider: str | None
    """LiteLLM's provider name (``openai``, ``anthropic``, ``ollama_chat``, ...)."""
    model: str
    """The model name the provider is sent."""
    api_base: str | None
    """The base URL, when the caller gave one or LiteLLM has a default for the provider."""


def route_of(model: str, custom_llm_provider: str | None, api_base: str | None) -> Route:
    """Where a call for ``model`` goes; the ``prefix/`` split when LiteLLM cannot tell."""
    try:
        return _route(model, custom_llm_provider, api_base)
    except Exception:
        prefix, slash, rest = model.partition("/")
        if custom_llm_provider is not None:
            return Route(custom_llm_provider, model, api_base)
        return Route(prefix, rest, api_base) if slash else Route(None, model, api_base)


@lru_cache(maxsize=256)
def _route(model: str, custom_llm_provider: str | None, api_base: str | None) -> Route:
    # Only called while a LiteLLM function runs, so the module is imported already.
    get_llm_provider = sys.modules["litellm"].get_llm_provider
    name, provider, _, base = get_llm_provider(
        model, custom_llm_provider=custom_llm_provider, api_base=api_base
    )
    return Route(
        provider if isinstance(provider, str) else None,
        name if isinstance(name, str) else model,
        base if isinstance(base, str) and base else api_base,
    )


def stream_usage_hidden(litellm_provider: str | None) -> bool:
    """Whether a stream to ``litellm_provider`` can be asked for usage with the caller seeing
    nothing but one extra chunk, which is then hidden (see the module docstring)."""
    return _asks_every_provider() or litellm_provider in _STREAM_USAGE_EARLIER


@cache
def _asks_every_provider() -> bool:
    try:
        version = metadata.version("litellm")
        major, minor = (int(part) for part in version.split(".")[:2])
    except (metadata.PackageNotFoundError, ValueError):
        return False
    return (major, minor) >= _STREAM_USAGE_SINCE
