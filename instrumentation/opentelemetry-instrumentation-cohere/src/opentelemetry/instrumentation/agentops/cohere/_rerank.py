"""Rerank (v1 and v2): documents ordered by relevance to a query, billed in search units.

The registry has no rerank operation: the span is ``rerank {model}`` with this project's
``agentops.rerank.*`` attributes (semconv/README.md), priced per search unit by the distro.
"""

from __future__ import annotations

from typing import Any

from agentops_semconv import (
    AGENTOPS_OPERATION_RERANK,
    AGENTOPS_RERANK_BILLED_SEARCH_UNITS,
    AGENTOPS_RERANK_DOCUMENT_COUNT,
    AGENTOPS_RERANK_QUERY_COUNT,
    AGENTOPS_RERANK_RETURNED_COUNT,
    AGENTOPS_RERANK_TOP_N,
)
from opentelemetry.instrumentation.agentops.cohere._common import CohereMapper, count, is_list
from opentelemetry.instrumentation.agentops.core import Call, Request, Response
from opentelemetry.instrumentation.agentops.core.values import as_int, as_str, field, text_size

__all__ = ["RerankMapper"]


class RerankMapper(CohereMapper):
    """``rerank`` of v1 ``BaseCohere`` and ``V2Client`` (sync and async)."""

    operation = AGENTOPS_OPERATION_RERANK

    def request(self, call: Call, capture_content: bool) -> Request[None] | None:
        arguments = call.arguments
        request: Request[None] = self.new_request(call)
        query = arguments.get("query")
        documents = arguments.get("documents")
        attributes = request.attributes
        if isinstance(query, str):
            attributes[AGENTOPS_RERANK_QUERY_COUNT] = 1
        if is_list(documents):
            attributes[AGENTOPS_RERANK_DOCUMENT_COUNT] = len(documents)
        top_n = as_int(arguments.get("top_n"))
        if top_n is not None:
            attributes[AGENTOPS_RERANK_TOP_N] = top_n
        request.prompt_size = lambda: text_size(query) + text_size(documents)
        return request

    def response(self, result: Any, request: Request[None], capture_content: bool) -> Response:
        response = Response(id=as_str(field(result, "id")))
        results = field(result, "results")
        if is_list(results):
            response.attributes[AGENTOPS_RERANK_RETURNED_COUNT] = len(results)
        meta = field(result, "meta")
        billed = field(meta, "billed_units") if meta is not None else None
        units = count(field(billed, "search_units")) if billed is not None else None
        if units is not None:
            response.attributes[AGENTOPS_RERANK_BILLED_SEARCH_UNITS] = units
        return response
