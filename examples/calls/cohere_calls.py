"""Cohere: a chat, a streamed chat, embeddings and a rerank, with the v2 client (and a v1 chat).

The clients read CO_API_KEY and CO_API_URL from the environment, so the same code talks to
Cohere or to the emulator. cohere reads CO_API_URL when ``cohere.client`` is first imported:
set it before the app starts.
"""

from __future__ import annotations

import os

import cohere

from calls import say

SDK = "cohere"
EMULATOR_ENV = {
    "CO_API_URL": "{emulator}/cohere",
    "CO_API_KEY": "co-demo-not-a-real-key",
}

CHAT_MODEL = os.environ.get("DEMO_COHERE_CHAT_MODEL", "command-a-03-2025")
EMBED_MODEL = os.environ.get("DEMO_COHERE_EMBED_MODEL", "embed-v4.0")
RERANK_MODEL = os.environ.get("DEMO_COHERE_RERANK_MODEL", "rerank-v3.5")

DOCUMENTS = [
    "The lighthouse keeper lit the lamp at dusk.",
    "Bread rises best in a warm kitchen.",
    "Ships steer by the lighthouse on stormy nights.",
]


def chat(client: cohere.ClientV2) -> None:
    say("cohere chat ...")
    response = client.chat(
        model=CHAT_MODEL,
        messages=[
            {"role": "system", "content": "Answer in one short sentence."},
            {"role": "user", "content": "What does a lighthouse do?"},
        ],
    )
    say(f"  reply: {response.message.content[0].text}")


def stream(client: cohere.ClientV2) -> None:
    say("cohere streamed chat ...")
    print("[app]   reply: ", end="", flush=True)
    for event in client.chat_stream(
        model=CHAT_MODEL, messages=[{"role": "user", "content": "Write one line about the sea."}]
    ):
        if event.type == "content-delta":
            print(event.delta.message.content.text, end="", flush=True)
    print(flush=True)


def embed(client: cohere.ClientV2) -> None:
    say("cohere embeddings ...")
    response = client.embed(
        model=EMBED_MODEL,
        texts=DOCUMENTS,
        input_type="search_document",
        embedding_types=["float"],
    )
    vectors = response.embeddings.float_ or []
    say(f"  got {len(vectors)} vectors of {len(vectors[0]) if vectors else 0} dimensions")


def rerank(client: cohere.ClientV2) -> None:
    say("cohere rerank ...")
    response = client.rerank(
        model=RERANK_MODEL, query="How do ships find their way?", documents=DOCUMENTS, top_n=2
    )
    best = response.results[0]
    say(f"  best match: {DOCUMENTS[best.index]!r} (score {best.relevance_score:.2f})")


def v1_chat() -> None:
    say("cohere v1 chat ...")
    response = cohere.Client().chat(
        message="Say hello in five words.", model="command-r-plus", preamble="Be friendly."
    )
    say(f"  reply: {response.text}")


def run() -> None:
    client = cohere.ClientV2()
    chat(client)
    stream(client)
    embed(client)
    rerank(client)
    v1_chat()
