"""Report the cost processor's own failures without ever raising into the caller."""

from __future__ import annotations

import logging
import threading


class OnceWarning:
    """Log the first failure at warning level and every later one at debug level.

    A broken price or an SDK change would otherwise fail on every span and flood the log.
    """

    def __init__(self, logger: logging.Logger, message: str) -> None:
        self._logger = logger
        self._message = message
        self._warned = False
        self._lock = threading.Lock()

    def report(self, detail: str = "") -> None:
        """Log the exception being handled (call from an ``except`` block) or ``detail``."""
        with self._lock:
            first = not self._warned
            self._warned = True
        text = f"{self._message}: {detail}" if detail else self._message
        if first:
            self._logger.warning(
                "%s (logged once; later occurrences are logged at debug level)",
                text,
                exc_info=True,
            )
        else:
            self._logger.debug("%s", text, exc_info=True)
