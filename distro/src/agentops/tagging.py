"""User tags: ``agentops.tag.<key>`` on every GenAI span and metric point made inside a block.

::

    with agentops.tags(use_case="support", customer_tier="gold"):
        client.chat.completions.create(...)

    @agentops.tags(pipeline="summarize")
    async def summarize(text: str) -> str: ...

Tags live in the OpenTelemetry context, not in a module-level variable, so they follow the
code that runs inside the block wherever the context goes: asyncio tasks created inside it
(a task copies the context when it is created), and threads once
``opentelemetry-instrumentation-threading`` is instrumented (``Client.configure`` does it;
``opentelemetry-instrument`` loads it by itself), which hands the context of the code that
starts a ``Thread`` or submits to a ``ThreadPoolExecutor`` to the code that runs there.

Blocks nest: the inner block sees the outer tags plus its own, and its own win.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Final, TypeVar

from agentops_semconv import AGENTOPS_TAG_PREFIX
from opentelemetry import context
from opentelemetry.instrumentation.agentops.core import Request, hooks

from agentops import _tag_keys

__all__ = ["TagScope", "current_tag_attributes", "current_tags", "register", "tags"]

F = TypeVar("F", bound=Callable[..., Any])

_KEY: Final = context.create_key("agentops-tags")
"""Context key of the tags in force, stored as the attributes they become (prefixed keys)."""

_EMPTY: Final[dict[str, str]] = {}


def tag_attributes(tags: Mapping[str, object]) -> dict[str, str]:
    """``{"agentops.tag.<key>": str(value)}`` for each tag; a ``None`` value is left out."""
    attributes: dict[str, str] = {}
    for key, value in tags.items():
        if not isinstance(key, str) or not key.strip():
            raise ValueError(f"tag keys must be non-empty strings, not {key!r}")
        if value is not None:
            attributes[AGENTOPS_TAG_PREFIX + key.strip()] = str(value)
    # The cost and limit processors copy only tag keys they know of onto the cost metrics.
    _tag_keys.note(attributes)
    return attributes


def current_tag_attributes() -> Mapping[str, str]:
    """The attributes of the tags in force in the current context (read-only)."""
    value = context.get_value(_KEY)
    return value if isinstance(value, dict) else _EMPTY


def current_tags() -> dict[str, str]:
    """The tags in force in the current context, without the attribute prefix."""
    start = len(AGENTOPS_TAG_PREFIX)
    return {key[start:]: value for key, value in current_tag_attributes().items()}


def _attribute_source(request: Request) -> Mapping[str, str] | None:
    """The core's attribute source: the tags in force when a call starts."""
    return context.get_value(_KEY)  # type: ignore[return-value]


def register() -> None:
    """Put the tag source in the core's hooks (once); the first ``tags`` block does this."""
    if _attribute_source not in hooks.attribute_sources:
        hooks.attribute_sources.append(_attribute_source)


def unregister() -> None:
    while _attribute_source in hooks.attribute_sources:
        hooks.attribute_sources.remove(_attribute_source)


class TagScope:
    """A block of tags: a context manager (``with``/``async with``) and a decorator.

    As a decorator, each call of the function opens its own block (sync and ``async``
    functions; for a generator, open the block inside it with ``with``). As a context
    manager, one instance may be entered again while it is open (nested or re-entrant use
    on one thread), but must not be shared by blocks open at once on different threads.
    """

    __slots__ = ("_attributes", "_tokens")

    def __init__(self, attributes: dict[str, str], removed: frozenset[str]) -> None:
        self._attributes = (attributes, removed)
        self._tokens: list[object] = []

    def __enter__(self) -> dict[str, str]:
        register()
        own, removed = self._attributes
        merged = {**current_tag_attributes(), **own}
        for key in removed:
            merged.pop(key, None)
        self._tokens.append(context.attach(context.set_value(_KEY, merged)))
        return current_tags()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        context.detach(self._tokens.pop())  # type: ignore[arg-type]

    async def __aenter__(self) -> dict[str, str]:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, traceback)

    def _fresh(self) -> TagScope:
        return TagScope(*self._attributes)

    def __call__(self, function: F) -> F:
        if inspect.iscoroutinefunction(function):

            @functools.wraps(function)
            async def async_tagged(*args: Any, **kwargs: Any) -> Any:
                with self._fresh():
                    return await function(*args, **kwargs)

            return async_tagged  # type: ignore[return-value]

        @functools.wraps(function)
        def tagged(*args: Any, **kwargs: Any) -> Any:
            with self._fresh():
                return function(*args, **kwargs)

        return tagged  # type: ignore[return-value]


def tags(mapping: Mapping[str, object] | None = None, /, **tags: object) -> TagScope:
    """Tags for the calls made inside a block: ``with tags(team="search"): ...``.

    Values become strings (``str(value)``); a ``None`` value removes a tag an outer block set.
    Keys that are not Python identifiers go in the mapping: ``tags({"use-case": "x"})``.
    Raises ``ValueError`` for an empty key.
    """
    given = {**(mapping or {}), **tags}
    removed = frozenset(
        AGENTOPS_TAG_PREFIX + key.strip()
        for key, value in given.items()
        if value is None and isinstance(key, str)
    )
    return TagScope(tag_attributes(given), removed)
