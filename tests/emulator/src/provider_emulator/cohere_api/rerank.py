"""POST /v1/rerank and /v2/rerank: documents ordered by word overlap with the query."""

from __future__ import annotations

import math
from typing import Any

from ..textgen import digest
from ..wire import EmulatedResponse, json_response
from . import errors
from .common import uuid_for

# One search unit per this many documents, as the API bills.
DOCUMENTS_PER_SEARCH_UNIT = 100


def create_v1(body: dict[str, Any]) -> EmulatedResponse:
    return create(body, version="1")


def create_v2(body: dict[str, Any]) -> EmulatedResponse:
    return create(body, version="2")


def document_text(document: Any) -> str:
    """A string, or (v1) an object whose `text` field is ranked."""
    if isinstance(document, dict):
        return str(document.get("text", ""))
    return document if isinstance(document, str) else ""


def relevance(query: str, text: str) -> float:
    """Share of the query's words found in the document, nudged by a hash so ties are stable
    but not equal; always in (0, 1)."""
    wanted = {word.lower() for word in query.split()}
    found = {word.lower().strip(".,;:!?") for word in text.split()}
    overlap = len(wanted & found) / len(wanted) if wanted else 0.0
    nudge = int(digest("relevance", query, text)[:6], 16) / 0xFFFFFF
    return round(0.01 + 0.9 * overlap + 0.08 * nudge, 6)


def create(body: dict[str, Any], version: str) -> EmulatedResponse:
    query = body.get("query")
    documents = body.get("documents")
    if not isinstance(query, str) or not query:
        return errors.bad_request("query must be a non-empty string")
    if not isinstance(documents, list) or not documents:
        return errors.bad_request("documents must be a non-empty list")
    scored = [(relevance(query, document_text(doc)), index) for index, doc in enumerate(documents)]
    ranked = sorted(scored, key=lambda pair: (-pair[0], pair[1]))
    top_n = body.get("top_n")
    if isinstance(top_n, int) and top_n > 0:
        ranked = ranked[:top_n]
    results: list[dict[str, Any]] = []
    for score, index in ranked:
        result: dict[str, Any] = {"index": index, "relevance_score": score}
        if version == "1" and body.get("return_documents"):
            result["document"] = {"text": document_text(documents[index])}
        results.append(result)
    units = math.ceil(len(documents) / DOCUMENTS_PER_SEARCH_UNIT)
    payload = {
        "id": uuid_for("rerank", body),
        "results": results,
        "meta": {"api_version": {"version": version}, "billed_units": {"search_units": units}},
    }
    return json_response(200, payload, errors.trace_headers(body))
