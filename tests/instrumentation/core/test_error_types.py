"""``error.type`` is the path users import an SDK's exception by, whatever module defines it.

The layouts are those of real SDKs, rebuilt here as modules: a private module re-exported by
the package (``openai._exceptions``), one public module per class re-exported by the package
(``cohere.errors.bad_request_error``), a class exported one level down only
(``cohere.core.api_error.ApiError`` as ``cohere.core.ApiError``), and a package whose
``__getattr__`` imports names lazily (cohere 7).
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator

import pytest
from opentelemetry.instrumentation.agentops.core import error_type_of


def _module(name: str, **attributes: object) -> types.ModuleType:
    module = types.ModuleType(name)
    vars(module).update(attributes)
    return module


def _error(name: str, module: str) -> type[Exception]:
    return type(name, (Exception,), {"__module__": module})


@pytest.fixture
def sdk(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, type[Exception]]]:
    """A package ``layered_sdk`` laid out like the SDKs above."""
    private = _error("RateLimitError", "layered_sdk._exceptions")
    per_class = _error("BadRequestError", "layered_sdk.errors.bad_request_error")
    one_down = _error("ApiError", "layered_sdk.core.api_error")
    unexported = _error("HiddenError", "layered_sdk.errors.hidden_error")
    nested = type("Inner", (Exception,), {"__module__": "layered_sdk.errors.bad_request_error"})
    nested.__qualname__ = "Outer.Inner"
    lazy = _error("LazyError", "lazy_sdk.errors.lazy_error")

    def lazy_getattr(name: str) -> object:
        if name == "LazyError":
            return lazy
        raise AttributeError(name)

    modules = {
        "layered_sdk": _module(
            "layered_sdk", RateLimitError=private, BadRequestError=per_class, Outer=object()
        ),
        "layered_sdk._exceptions": _module("layered_sdk._exceptions", RateLimitError=private),
        "layered_sdk.errors": _module("layered_sdk.errors", BadRequestError=per_class),
        "layered_sdk.errors.bad_request_error": _module(
            "layered_sdk.errors.bad_request_error", BadRequestError=per_class
        ),
        "layered_sdk.errors.hidden_error": _module("layered_sdk.errors.hidden_error"),
        "layered_sdk.core": _module("layered_sdk.core", ApiError=one_down),
        "layered_sdk.core.api_error": _module("layered_sdk.core.api_error", ApiError=one_down),
        "lazy_sdk": _module("lazy_sdk", __getattr__=lazy_getattr),
        "lazy_sdk.errors": _module("lazy_sdk.errors"),
        "lazy_sdk.errors.lazy_error": _module("lazy_sdk.errors.lazy_error", LazyError=lazy),
    }
    for name, module in modules.items():
        monkeypatch.setitem(sys.modules, name, module)
    yield {
        "private": private,
        "per_class": per_class,
        "one_down": one_down,
        "unexported": unexported,
        "nested": nested,
        "lazy": lazy,
    }


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("private", "layered_sdk.RateLimitError"),
        ("per_class", "layered_sdk.BadRequestError"),
        ("one_down", "layered_sdk.core.ApiError"),
        # Exported nowhere shorter: the module path itself, which is public.
        ("unexported", "layered_sdk.errors.hidden_error.HiddenError"),
        # A nested class is named by its qualified name in its own module.
        ("nested", "layered_sdk.errors.bad_request_error.Outer.Inner"),
        ("lazy", "lazy_sdk.LazyError"),
    ],
)
def test_the_error_type_is_the_shortest_public_path_exporting_the_class(sdk, kind, expected):
    error = sdk[kind]("failed")
    assert error_type_of(error) == expected


def test_builtin_and_unimported_packages_keep_their_plain_names():
    assert error_type_of(ValueError("x")) == "ValueError"
    # The package of this class is not imported: nothing is imported to look it up.
    orphan = _error("OrphanError", "never_imported_sdk.errors.orphan")
    assert error_type_of(orphan("x")) == "never_imported_sdk.errors.orphan.OrphanError"
    assert "never_imported_sdk" not in sys.modules


def test_a_package_whose_getattr_fails_is_passed_over(monkeypatch: pytest.MonkeyPatch):
    def broken(name: str) -> object:
        raise RuntimeError("lazy import failed")

    error_class = _error("BrokenError", "broken_sdk.errors")
    monkeypatch.setitem(sys.modules, "broken_sdk", _module("broken_sdk", __getattr__=broken))
    monkeypatch.setitem(
        sys.modules, "broken_sdk.errors", _module("broken_sdk.errors", BrokenError=error_class)
    )
    assert error_type_of(error_class("x")) == "broken_sdk.errors.BrokenError"
