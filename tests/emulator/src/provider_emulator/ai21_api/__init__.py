"""AI21's wire format, served under `/ai21`.

The AI21 SDK up to 2.5.0 takes `api_host=<base>/ai21` and adds `/studio/v1`; from 2.5.1 on it
takes the full `<base>/ai21/studio/v1`.
"""

from __future__ import annotations

from ..provider import Provider
from .errors import provider_error
from .router import PREFIX, route

PROVIDER = Provider(name="ai21", prefix=PREFIX, route=route, error=provider_error)

__all__ = ["PROVIDER"]
