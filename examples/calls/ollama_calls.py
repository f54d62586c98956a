"""Ollama: a streamed chat with a local model, and an embedding.

It calls the module's own functions (``ollama.chat``, ``ollama.embed``), which run on a client
the SDK builds at import from OLLAMA_HOST, so the same code talks to a local Ollama server or to
the emulator.
"""

from __future__ import annotations

import os

import ollama

from calls import say

SDK = "ollama"
EMULATOR_ENV = {"OLLAMA_HOST": "{emulator}/ollama"}

CHAT_MODEL = os.environ.get("DEMO_OLLAMA_CHAT_MODEL", "llama3.2:3b")
EMBEDDING_MODEL = os.environ.get("DEMO_OLLAMA_EMBEDDING_MODEL", "nomic-embed-text")


def stream() -> None:
    say(f"streamed chat with the local model {CHAT_MODEL} ...")
    messages = [
        {"role": "system", "content": "You answer in one sentence."},
        {"role": "user", "content": "Why run a language model on your own machine?"},
    ]
    print("[app]   reply: ", end="", flush=True)
    for part in ollama.chat(CHAT_MODEL, messages, stream=True):
        print(part["message"]["content"], end="", flush=True)
    print(flush=True)


def embed() -> None:
    say("local embeddings ...")
    texts = ["Local models keep data on the machine.", "The GPU is the meter."]
    if hasattr(ollama, "embed"):
        vectors = ollama.embed(EMBEDDING_MODEL, texts)["embeddings"]
    else:  # ollama < 0.3 has the one-prompt endpoint only
        vectors = [ollama.embeddings(EMBEDDING_MODEL, text)["embedding"] for text in texts]
    say(f"  got {len(vectors)} vectors of {len(vectors[0])} dimensions")


def run() -> None:
    stream()
    embed()
