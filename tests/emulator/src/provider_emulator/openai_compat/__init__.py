"""The Chat Completions wire format, shared by OpenAI and the providers that follow it.

Groq, Mistral and AI21 answer in OpenAI's shape with their own fields and habits; each describes
those differences as a `ChatDialect` (dialect.py) and `chat.respond` builds the bytes.
"""
