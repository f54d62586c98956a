"""FastAPI's 422 validation error, `{"detail": [{"type", "loc", "msg", "input"}]}`: the body
that Mistral and AI21 send for a request field they reject."""

from __future__ import annotations

from typing import Any

from .wire import EmulatedResponse, json_response


def validation_error(field: str, kind: str, message: str, value: Any = None) -> EmulatedResponse:
    detail = {"type": kind, "loc": ["body", field], "msg": message, "input": value}
    return json_response(422, {"detail": [detail]})


def missing_parameter(name: str) -> EmulatedResponse:
    return validation_error(name, "missing", "Field required")


def invalid_value(name: str, message: str) -> EmulatedResponse:
    return validation_error(name, "value_error", message)
