"""What the user hears when a backend does not take the telemetry, and a bounded exit.

Every exporter the distro builds is wrapped in a guard that sees each export's outcome:

- The SDK exporters log a line per failed attempt and per retry. While an export runs inside
  a guard, those lines are held back; when it fails, the signal's ``SignalHealth`` writes one
  WARNING saying what went wrong (nothing listening, an HTTP status, no answer) and what to
  set. It says it once; after an export of that signal succeeds again, a new failure is
  reported again.
- At exit the SDK shuts its providers down one after the other, and each final export may
  wait its whole ``OTEL_EXPORTER_OTLP_TIMEOUT`` (10 s by default), retries included: an
  unreachable or silent collector held the exit for 10 s per signal. For the providers the
  distro built, ``take_over_exit`` replaces those exit handlers with one that shuts them
  down together (in the given order, each started at most 0.25 s after the one before) and
  waits at most ``AGENTOPS_EXIT_TIMEOUT`` seconds (default 1), less when
  every export still running has already failed once and only waits to retry. An export
  still running then is given up (its thread is a daemon thread), and reported.

None of this runs on the application's threads: exports happen on the SDK's export threads,
the exit handler at interpreter exit.
"""

from __future__ import annotations

import atexit
import logging
import os
import re
import socket
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from http import HTTPStatus
from typing import Any, Final
from urllib.parse import urlsplit

from opentelemetry.sdk._logs.export import LogRecordExporter, LogRecordExportResult
from opentelemetry.sdk.environment_variables import OTEL_EXPORTER_OTLP_TIMEOUT
from opentelemetry.sdk.metrics.export import MetricExporter, MetricExportResult
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from agentops import _compat
from agentops._compat import Signal

__all__ = [
    "EXIT_TIMEOUT_VARIABLE",
    "GuardedLogExporter",
    "GuardedMetricExporter",
    "GuardedSpanExporter",
    "SignalHealth",
    "guard",
    "take_over_exit",
]

_logger = logging.getLogger("agentops")

EXIT_TIMEOUT_VARIABLE: Final = "AGENTOPS_EXIT_TIMEOUT"
DEFAULT_EXIT_TIMEOUT_S: Final = 1.0
# After the budget, how long the handler waits for threads it just told to stop.
_EXIT_GRACE_S: Final = 0.1
_EXIT_POLL_S: Final = 0.02
# How long each provider's shutdown has to itself before the next one starts anyway.
_EXIT_HEAD_START_S: Final = 0.25

_EXPORTER_VARIABLES: Final[dict[Signal, str]] = {
    "traces": "OTEL_TRACES_EXPORTER",
    "metrics": "OTEL_METRICS_EXPORTER",
    "logs": "OTEL_LOGS_EXPORTER",
}
_TITLES: Final[dict[Signal, str]] = {"traces": "Spans", "metrics": "Metrics", "logs": "Logs"}

# Lines the SDK logs while an export runs inside a guard, kept for the one summary line.
_held = threading.local()


class _HoldExportLines(logging.Filter):
    """Holds back WARNING and above from an export running inside a guard (same thread)."""

    def filter(self, record: logging.LogRecord) -> bool:
        lines: list[str] | None = getattr(_held, "lines", None)
        if lines is None or record.levelno < logging.WARNING:
            return True
        lines.append(record.getMessage())
        return False


_HOLD_FILTER: Final = _HoldExportLines()
_filtered: set[str] = set()
_filtered_count = 0
_filter_lock = threading.Lock()


def _hold_lines_of(module: str) -> None:
    """Put the filter on the exporter's module logger and on every exporter logger that
    exists (the OTLP exporters log through shared helper modules too)."""
    global _filtered_count
    loggers = logging.root.manager.loggerDict
    with _filter_lock:
        if module in _filtered and len(loggers) == _filtered_count:
            return
        names = {module, *(n for n in list(loggers) if n.startswith("opentelemetry.exporter"))}
        for name in names - _filtered:
            logging.getLogger(name).addFilter(_HOLD_FILTER)
            _filtered.add(name)
        _filtered_count = len(loggers)


class SignalHealth:
    """One signal's export state: reports the first failure of each outage, once.

    An outage lasts while any exporter of the signal that failed has not succeeded since;
    another exporter of the signal that works (a console one beside OTLP) does not end it.
    """

    def __init__(self, signal: Signal) -> None:
        self.signal = signal
        self._lock = threading.Lock()
        self._failing: set[int] = set()

    def succeeded(self, exporter_id: int) -> None:
        if self._failing:
            with self._lock:
                self._failing.discard(exporter_id)

    def failed(self, exporter_id: int, where: str, lines: Sequence[str], *, otlp: bool) -> None:
        with self._lock:
            already = bool(self._failing)
            self._failing.add(exporter_id)
        if already:
            return
        what, fix = _diagnose(self.signal, where, lines, otlp=otlp)
        _logger.warning(
            "%s not exported to %s: %s. %s. (Said once until an export succeeds again.)",
            _TITLES[self.signal],
            where,
            what,
            fix,
        )

    def gave_up(
        self, exporter_id: int, where: str, lines: Sequence[str], waited_s: float, *, otlp: bool
    ) -> None:
        lines = [*lines, f"no answer within {waited_s:g} s at exit"]
        self.failed(exporter_id, where, lines, otlp=otlp)


_healths: dict[Signal, SignalHealth] = {}


def _health(signal: Signal) -> SignalHealth:
    health = _healths.get(signal)
    if health is None:
        health = _healths.setdefault(signal, SignalHealth(signal))
    return health


class _Guard:
    """The part the three guarded exporter kinds share."""

    def __init__(self, signal: Signal, name: str, exporter: Any) -> None:
        self.exporter = exporter
        self.name = name
        self._health = _health(signal)
        self._otlp = type(exporter).__module__.startswith("opentelemetry.exporter.otlp.")
        endpoint = _compat.exporter_endpoint(exporter)
        self.where = endpoint or f"the {name} exporter"
        self.receiver = _host_and_port(endpoint) if endpoint else self.where
        self.exporting_since: float | None = None
        self._lines: list[str] = []
        self._shut_down = False
        _hold_lines_of(type(exporter).__module__)
        _guards.add(self)

    def run(self, export: Callable[[], Any], success: Any, failure: Any) -> Any:
        lines: list[str] = []
        # An export can run another one on the same thread (a console metrics exporter
        # flushes the spans first): each holds its own lines.
        outer = getattr(_held, "lines", None)
        _held.lines = self._lines = lines
        self.exporting_since = time.monotonic()
        try:
            result = export()
        except Exception as error:
            lines.append(f"{type(error).__name__}: {error}")
            result = failure
        finally:
            _held.lines = outer
            self.exporting_since = None
        if result == success:
            self._health.succeeded(id(self))
        else:
            self._health.failed(id(self), self.where, lines, otlp=self._otlp)
        return result

    @property
    def failing(self) -> bool:
        """The export running now has already failed an attempt (the SDK said so)."""
        return self.exporting_since is not None and bool(self._lines)

    def shut_down_once(self) -> bool:
        """True the first time; the SDK exporters log a warning on a second shutdown."""
        if self._shut_down:
            return False
        self._shut_down = True
        if self.exporting_since is None:
            # A closed exporter's outage is over (an export given up at exit stays).
            self._health.succeeded(id(self))
        return True

    def give_up(self, waited_s: float, same_receiver: Sequence[str] = ()) -> None:
        """Report the export still running at the end of the exit budget; without lines of
        its own, with what the same receiver answered another export."""
        lines = list(self._lines) or list(same_receiver)
        self._health.gave_up(id(self), self.where, lines, waited_s, otlp=self._otlp)


_guards: weakref.WeakSet[_Guard] = weakref.WeakSet()


class GuardedSpanExporter(SpanExporter, _Guard):
    def __init__(self, name: str, exporter: SpanExporter) -> None:
        _Guard.__init__(self, "traces", name, exporter)

    def export(self, spans: Any) -> SpanExportResult:
        return self.run(
            lambda: self.exporter.export(spans), SpanExportResult.SUCCESS, SpanExportResult.FAILURE
        )  # type: ignore[no-any-return]

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return bool(self.exporter.force_flush(timeout_millis))

    def shutdown(self) -> None:
        if self.shut_down_once():
            self.exporter.shutdown()


class GuardedLogExporter(LogRecordExporter, _Guard):
    def __init__(self, name: str, exporter: LogRecordExporter) -> None:
        _Guard.__init__(self, "logs", name, exporter)

    def export(self, batch: Any) -> LogRecordExportResult:
        return self.run(  # type: ignore[no-any-return]
            lambda: self.exporter.export(batch),
            LogRecordExportResult.SUCCESS,
            LogRecordExportResult.FAILURE,
        )

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return bool(self.exporter.force_flush(timeout_millis))

    def shutdown(self) -> None:
        if self.shut_down_once():
            self.exporter.shutdown()


class GuardedMetricExporter(MetricExporter, _Guard):
    def __init__(self, name: str, exporter: MetricExporter) -> None:
        MetricExporter.__init__(self, **_compat.metric_exporter_preferences(exporter))
        _Guard.__init__(self, "metrics", name, exporter)

    def export(
        self, metrics_data: Any, timeout_millis: float = 10_000, **kwargs: Any
    ) -> MetricExportResult:
        return self.run(  # type: ignore[no-any-return]
            lambda: self.exporter.export(metrics_data, timeout_millis=timeout_millis, **kwargs),
            MetricExportResult.SUCCESS,
            MetricExportResult.FAILURE,
        )

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        return bool(self.exporter.force_flush(timeout_millis=timeout_millis))

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        if self.shut_down_once():
            self.exporter.shutdown(timeout_millis=timeout_millis, **kwargs)


def guard(signal: Signal, name: str, component: Any) -> Any:
    """``component`` wrapped in its guard; metric readers (pull exporters) as they are."""
    if signal == "traces":
        return GuardedSpanExporter(name, component)
    if signal == "logs":
        return GuardedLogExporter(name, component)
    if isinstance(component, MetricExporter):
        return GuardedMetricExporter(name, component)
    return component


# -- what to tell the user -----------------------------------------------------------------

_HTTP_CODE = re.compile(r"\bcode: (\d{3})\b")
_RETRIED: Final = (429, 502, 503, 504)
_REFUSED = ("refused", "NewConnectionError", "Failed to establish", "UNAVAILABLE")
_NO_ANSWER = ("timed out", "DEADLINE_EXCEEDED", "no answer within")
# The SDK's line when it stops retrying on its deadline; it does not say what the answers were.
_GAVE_UP = "due to timeout, max retries or shutdown"


def _diagnose(
    signal: Signal, endpoint: str, lines: Sequence[str], *, otlp: bool
) -> tuple[str, str]:
    """(what went wrong, what to do) from the lines the SDK logged during the export and,
    when they do not say, one connection attempt to the endpoint."""
    text = " ".join(lines)
    exporter_variable = _EXPORTER_VARIABLES[signal]
    off = f"or set {exporter_variable}=none to stop exporting {signal}"
    if not otlp:
        detail = lines[-1] if lines else "the exporter reported a failure"
        return detail[:300], f"Check that exporter's settings, {off}"
    endpoint_variable = (
        f"OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_{signal.upper()}_ENDPOINT)"
    )
    match = _HTTP_CODE.search(text)
    code = int(match.group(1)) if match else None
    if code is None:
        # Retried answers are logged by reason phrase only ("Transient error Too Many ...").
        code = next((status for status in _RETRIED if HTTPStatus(status).phrase in text), None)
    if code is not None:
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = ""
        what = f"the receiver answered {code} {phrase}".rstrip()
        if code in (401, 403):
            return what, f"Check the credentials in OTEL_EXPORTER_OTLP_HEADERS, {off}"
        if code == 404:
            return what, (
                "Check the address: OTEL_EXPORTER_OTLP_ENDPOINT is the base URL (the "
                f"/v1/{signal} path is added), OTEL_EXPORTER_OTLP_{signal.upper()}_ENDPOINT "
                f"the full one; {off}"
            )
        if code == 429:
            return what + " (rate limited)", (
                "Raise the receiver's limits or export less often (OTEL_BSP_SCHEDULE_DELAY, "
                f"OTEL_METRIC_EXPORT_INTERVAL), {off}"
            )
        return what, f"See the receiver's logs, {off}"
    reachable = None if any(marker in text for marker in _REFUSED) else _probe(endpoint)
    if reachable is None or reachable == _REFUSED_PROBE:
        return "nothing accepts connections there", (
            f"Start an OpenTelemetry Collector (or agent) there, point {endpoint_variable} "
            f"at yours, {off}"
        )
    if reachable == _UNRESOLVED_PROBE:
        return "its host name does not resolve", f"Check {endpoint_variable}, {off}"
    if reachable == _SILENT_PROBE:
        return "it does not answer connection attempts (a firewall?)", (
            f"Check the address in {endpoint_variable} and the network, {off}"
        )
    timeout = os.environ.get(OTEL_EXPORTER_OTLP_TIMEOUT, "").strip() or "10"
    if _GAVE_UP in text and not any(marker in text for marker in _NO_ANSWER):
        return (
            f"it accepts connections, but no attempt succeeded within "
            f"OTEL_EXPORTER_OTLP_TIMEOUT ({timeout} s, retries included)"
        ), f"Check the receiver and its logs, {off}"
    if any(marker in text for marker in _NO_ANSWER):
        return "it accepts connections but did not answer in time", (
            f"Check the receiver; each export waits up to OTEL_EXPORTER_OTLP_TIMEOUT "
            f"({timeout} s), the exit at most {EXIT_TIMEOUT_VARIABLE} "
            f"({exit_timeout():g} s); {off}"
        )
    detail = lines[-1] if lines else "the export failed"
    return detail[:300], f"Check the receiver and {endpoint_variable}, {off}"


_OPEN_PROBE: Final = "open"
_REFUSED_PROBE: Final = "refused"
_SILENT_PROBE: Final = "silent"
_UNRESOLVED_PROBE: Final = "unresolved"
_PROBE_TIMEOUT_S: Final = 0.3


def _host_and_port(endpoint: str) -> str:
    parts = urlsplit(endpoint if "://" in endpoint else f"//{endpoint}")
    try:
        return f"{parts.hostname}:{parts.port}"
    except ValueError:
        return endpoint


_probed: dict[str, tuple[float, str]] = {}
_PROBE_REUSE_S: Final = 10.0


def _probe(endpoint: str) -> str:
    """One TCP connection attempt to the endpoint's host and port, to tell "nothing
    listens" from "listens but does not answer" (the SDK does not log the cause when it
    gives up on its deadline). Runs only when reporting a failure, once per outage, and
    once for all signals sent to the same receiver."""
    key = _host_and_port(endpoint)
    now = time.monotonic()
    known = _probed.get(key)
    if known is not None and now - known[0] < _PROBE_REUSE_S:
        return known[1]
    result = _connect(endpoint)
    _probed[key] = (now, result)
    return result


def _connect(endpoint: str) -> str:
    parts = urlsplit(endpoint if "://" in endpoint else f"//{endpoint}")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return _OPEN_PROBE
    if not parts.hostname:
        return _OPEN_PROBE
    try:
        with socket.create_connection((parts.hostname, port), timeout=_PROBE_TIMEOUT_S):
            return _OPEN_PROBE
    except socket.gaierror:
        return _UNRESOLVED_PROBE
    except ConnectionRefusedError:
        return _REFUSED_PROBE
    except TimeoutError:
        return _SILENT_PROBE
    except OSError:
        return _OPEN_PROBE


# -- a bounded exit ------------------------------------------------------------------------

_owned: list[weakref.ref[Any]] = []
_exit_registered = False
_exit_lock = threading.Lock()
_bad_timeout_warned = False


def exit_timeout() -> float:
    """Seconds the exit waits for the last exports (``AGENTOPS_EXIT_TIMEOUT``)."""
    global _bad_timeout_warned
    raw = os.environ.get(EXIT_TIMEOUT_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_EXIT_TIMEOUT_S
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value >= 0:
        return value
    if not _bad_timeout_warned:
        _bad_timeout_warned = True
        _logger.warning(
            "%s=%r is not a number of seconds; using %g.",
            EXIT_TIMEOUT_VARIABLE,
            raw,
            DEFAULT_EXIT_TIMEOUT_S,
        )
    return DEFAULT_EXIT_TIMEOUT_S


def take_over_exit(providers: Sequence[object]) -> None:
    """Shut ``providers`` down together at exit, in this order, within
    ``AGENTOPS_EXIT_TIMEOUT``.

    Must be called after the providers were created, so this module's exit handler runs
    before theirs (``atexit`` runs the last registered first) and can take their place.
    """
    global _exit_registered
    with _exit_lock:
        for provider in providers:
            if _compat.exit_shutdown(provider) is not None:
                _owned.append(weakref.ref(provider))
        if not _exit_registered:
            atexit.register(_shut_down_at_exit)
            _exit_registered = True


def _shut_down_at_exit() -> None:
    with _exit_lock:
        providers = [provider for ref in _owned if (provider := ref()) is not None]
        _owned.clear()
    handlers = [h for provider in providers if (h := _compat.exit_shutdown(provider))]
    if not handlers:
        return
    budget = exit_timeout()
    started = time.monotonic()
    deadline = started + budget
    threads = []
    for handler in handlers:
        atexit.unregister(handler)  # this handler runs it instead
        if threads:
            # In order, as the SDK would, while the one before is quick: output that depends
            # on it (a console metrics table after the span lines) keeps its order.
            _wait(threads[-1:], min(deadline, time.monotonic() + _EXIT_HEAD_START_S))
        thread = threading.Thread(
            target=_run_quietly, args=(handler,), name="agentops-exit-shutdown", daemon=True
        )
        try:
            thread.start()
        except RuntimeError:  # an interpreter that refuses new threads at exit
            _run_quietly(handler)
            continue
        threads.append(thread)
    _wait(threads, deadline)
    if not any(thread.is_alive() for thread in threads):
        _logger.debug("Exit: providers shut down in %.3f s", time.monotonic() - started)
        return
    # Tell the exports still running to stop retrying (gRPC also cancels its call), then
    # leave what is left: daemon threads do not hold the exit.
    running = [guarded for guarded in list(_guards) if guarded.exporting_since is not None]
    answers = {guarded.receiver: list(guarded._lines) for guarded in running if guarded.failing}
    for guarded in running:
        if guarded.exporting_since is not None:
            guarded.give_up(budget, answers.get(guarded.receiver, ()))
            try:
                guarded.shutdown()  # type: ignore[attr-defined]
            except Exception:
                _logger.debug("Stopping an export at exit failed", exc_info=True)
    grace_end = time.monotonic() + _EXIT_GRACE_S
    for thread in threads:
        thread.join(max(0.0, grace_end - time.monotonic()))
    _logger.debug("Exit: exports given up after %.3f s", time.monotonic() - started)


def _wait(threads: Sequence[threading.Thread], deadline: float) -> None:
    """Until the threads are done or the deadline passes, or every export still running
    goes to a receiver that has already failed an attempt (what is left is waiting to
    retry: no use at exit)."""
    while True:
        alive = [thread for thread in threads if thread.is_alive()]
        remaining = deadline - time.monotonic()
        if not alive or remaining <= 0:
            return
        running = [guarded for guarded in list(_guards) if guarded.exporting_since is not None]
        # A receiver that failed one export will not take another one now either.
        failed = {guarded.receiver for guarded in running if guarded.failing}
        if running and all(guarded.receiver in failed for guarded in running):
            return
        alive[0].join(min(_EXIT_POLL_S, remaining))


def _run_quietly(handler: Callable[[], Any]) -> None:
    try:
        handler()
    except Exception:
        # The SDK raises when a reader failed to shut down; the guards said what failed.
        _logger.debug("Shutting down a provider at exit failed", exc_info=True)
