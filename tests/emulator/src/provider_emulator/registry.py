"""The providers the emulator serves. To add one, write its module and list it here."""

from __future__ import annotations

from .ai21_api import PROVIDER as AI21
from .anthropic_api import PROVIDER as ANTHROPIC
from .cohere_api import PROVIDER as COHERE
from .groq_api import PROVIDER as GROQ
from .mistral_api import PROVIDER as MISTRAL
from .ollama_api import PROVIDER as OLLAMA
from .openai_api import PROVIDER as OPENAI
from .provider import Provider

PROVIDERS: tuple[Provider, ...] = (OPENAI, ANTHROPIC, COHERE, GROQ, MISTRAL, AI21, OLLAMA)
