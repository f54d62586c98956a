"""What every AI21 call shares: the provider, the server the client posts to, its secrets."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from agentops_semconv import ProviderName
from opentelemetry.instrumentation.agentops.ai21._compat import base_url_of, client_of, secrets_of
from opentelemetry.instrumentation.agentops.core import Call, Mapper, Request, server_from_url
from opentelemetry.instrumentation.agentops.core.values import as_str

__all__ = ["AI21Mapper"]


class AI21Mapper(Mapper[None]):
    """Base of the AI21 mappers: ``new_request`` fills what every AI21 call knows."""

    operation: ClassVar[str]

    def new_request(self, call: Call) -> Request[None]:
        base_url = base_url_of(client_of(call.instance))
        host, port = server_from_url(base_url) if base_url else (None, None)
        return Request(
            provider=ProviderName.AI21,
            operation=self.operation,
            # Recorded as given: base, custom and fine-tuned models alike.
            model=as_str(call.arguments.get("model")),
            server_address=host,
            server_port=port,
        )

    def credentials(self, instance: Any) -> Iterable[str]:
        return secrets_of(client_of(instance))
