"""The providers the emulator serves. To add one, write its module and list it here."""

from __future__ import annotations

from .anthropic_api import PROVIDER as ANTHROPIC
from .cohere_api import PROVIDER as COHERE
from .openai_api import PROVIDER as OPENAI
from .provider import Provider

PROVIDERS: tuple[Provider, ...] = (OPENAI, ANTHROPIC, COHERE)
