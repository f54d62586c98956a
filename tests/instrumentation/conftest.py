"""The conformance suite is imported by every provider's tests (``from conformance.suite
import *``): make its directory importable."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# Its checks are plain asserts in a helper module: rewrite them for readable failures.
pytest.register_assert_rewrite("conformance.expect")

_HERE = str(Path(__file__).parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
