"""Reading and adding attributes on a span the SDK is ending (``on_ending``).

The SDK has already frozen the attributes by then, so writing goes through private SDK
fields; that code lives in ``agentops._compat`` with every other private SDK use.
"""

from __future__ import annotations

from agentops._compat import read_span_attributes as read_attributes
from agentops._compat import write_span_attributes as write_attributes

__all__ = ["read_attributes", "write_attributes"]
