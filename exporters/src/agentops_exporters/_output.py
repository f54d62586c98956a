"""Writing text to a stream from exporter threads without ever raising into the SDK."""

from __future__ import annotations

import logging
import os
import sys
import threading
from typing import TextIO

_logger = logging.getLogger("agentops_exporters")

# One lock for every writer, so a span line and a metrics table never interleave even when
# both exporters print to the same stream from different threads.
_WRITE_LOCK = threading.RLock()

# Plain-ASCII stand-ins for the glyphs we print, for streams that cannot encode them.
_ASCII_GLYPHS = str.maketrans({"✓": "+", "✗": "x", "·": "-", "→": ">", "…": "..."})


def env_flag(name: str) -> bool:
    """True when the environment variable is set to a usual spelling of yes."""
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


class LineWriter:
    """Writes whole blocks of text to one stream, under a lock, reporting failures once.

    With no stream given, ``sys.stdout`` is looked up at each write, so redirections made
    after the exporter was created (pytest's capture, ``contextlib.redirect_stdout``) apply.
    """

    def __init__(self, out: TextIO | None, what: str) -> None:
        self._out = out
        self._what = what
        self._reported = False

    @property
    def stream(self) -> TextIO:
        return self._out if self._out is not None else sys.stdout

    def write(self, text: str) -> bool:
        """Write ``text`` and flush; False (logged the first time) when the stream fails."""
        with _WRITE_LOCK:
            try:
                stream = self.stream
                try:
                    stream.write(text)
                except UnicodeEncodeError:
                    stream.write(_ascii(text))
                stream.flush()
            except Exception as error:  # a broken stream must never break the SDK
                self.report(f"could not write to the output stream: {error!r}")
                return False
        # Log again if the stream breaks again after it recovered.
        self._reported = False
        return True

    def flush(self) -> bool:
        with _WRITE_LOCK:
            try:
                self.stream.flush()
            except Exception as error:
                self.report(f"could not flush the output stream: {error!r}")
                return False
        return True

    def report(self, message: str) -> None:
        """Log a failure once; later ones stay quiet until a write succeeds again."""
        if self._reported:
            return
        self._reported = True
        _logger.warning("%s %s; further failures are not logged", self._what, message)


def _ascii(text: str) -> str:
    return text.translate(_ASCII_GLYPHS).encode("ascii", "replace").decode("ascii")
