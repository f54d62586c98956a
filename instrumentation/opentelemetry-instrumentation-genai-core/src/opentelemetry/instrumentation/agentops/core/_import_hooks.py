"""Running code when the application imports a module, namespace packages included.

wrapt's post-import hooks work by wrapping the loader of the module being imported. A
namespace package (a directory without ``__init__.py``, as ``mistralai`` is from 2.0 on) has
no loader when the path finder finds it, so wrapt never sees it load and its hooks never run:
an SDK shipped that way and imported after instrumenting (what ``opentelemetry-instrument``
does) would stay untraced, without a word.

For a namespace package, a meta-path finder of ours hands the import system the package's
spec with a namespace loader that runs the hooks once the package is loaded, before any of its
submodules is imported: the moment wrapt runs them for a regular package. Whether a name is a
namespace package is asked of the path finder, which imports nothing.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import logging
import sys
import threading
import types
from collections.abc import Callable, Sequence
from typing import Any

from wrapt import register_post_import_hook

__all__ = ["when_imported"]

_logger = logging.getLogger("opentelemetry.instrumentation.agentops.core")

ImportHook = Callable[[types.ModuleType], None]


def when_imported(name: str, hook: ImportHook) -> None:
    """Run ``hook(module)`` once the module ``name`` is imported (at once if it already is).
    A top-level package that is a namespace package now is watched as one; a submodule
    (``a.b.c``) is left to wrapt: the path finder, asked of a dotted name, looks for its last
    part (``c``) on ``sys.path`` and may find an unrelated namespace directory of that name."""
    if "." not in name and name not in sys.modules and _is_namespace_package(name):
        _WATCH.watch(name, hook)
    else:
        register_post_import_hook(hook, name)


def _is_namespace_package(name: str) -> bool:
    try:
        spec = importlib.machinery.PathFinder.find_spec(name)
    except Exception:  # a broken sys.path entry: leave it to wrapt
        return False
    return spec is not None and spec.loader is None and spec.submodule_search_locations is not None


class _NamespaceWatch(importlib.abc.MetaPathFinder):
    """Finds the namespace packages someone waits for, with a loader that tells them."""

    def __init__(self) -> None:
        self._hooks: dict[str, list[ImportHook]] = {}
        self._lock = threading.Lock()

    def watch(self, name: str, hook: ImportHook) -> None:
        with self._lock:
            self._hooks.setdefault(name, []).append(hook)
            if self not in sys.meta_path:
                sys.meta_path.insert(0, self)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: Any = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self._hooks:  # every import of the process comes here
            return None
        with self._lock:
            hooks = self._hooks.pop(fullname, None)
        if not hooks:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        locations = spec.submodule_search_locations if spec is not None else None
        if spec is None or spec.loader is not None or locations is None:
            # No longer a namespace package (installed anew since): wrapt can see this one.
            for hook in hooks:
                register_post_import_hook(hook, fullname)
            return None
        spec.loader = _NotifyingNamespaceLoader(fullname, list(locations), hooks)
        return spec


class _NotifyingNamespaceLoader(importlib.machinery.NamespaceLoader):
    """The import system's namespace loader, running hooks once the package is loaded."""

    def __init__(self, name: str, path: list[str], hooks: list[ImportHook]) -> None:
        super().__init__(name, path, importlib.machinery.PathFinder.find_spec)
        self._agentops_hooks = hooks

    def exec_module(self, module: types.ModuleType) -> None:
        super().exec_module(module)
        # The import system sets this on namespace packages whose loader it picks itself.
        if not hasattr(module, "__file__"):
            module.__file__ = None
        for hook in self._agentops_hooks:
            try:
                hook(module)
            except Exception:
                _logger.warning("A post-import hook for %s failed", module.__name__, exc_info=True)


_WATCH = _NamespaceWatch()
