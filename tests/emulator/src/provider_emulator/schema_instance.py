"""Build a small JSON value that validates against a JSON Schema.

Used for tool-call arguments and structured outputs, so SDK helpers that validate the reply
(for example `parse()` with a Pydantic model) succeed. Covers the subset that SDKs generate:
$ref/$defs, anyOf/oneOf/allOf, enum/const, typed objects, arrays and common string formats.
"""

from __future__ import annotations

from typing import Any

# Past this nesting depth, recursive schemas get their shortest option (null or an empty array).
MAX_DEPTH = 8

STRING_FORMATS = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "00:00:00Z",
    "duration": "PT0S",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "ipv4": "127.0.0.1",
    "ipv6": "::1",
    "uri": "https://example.com/",
    "uri-reference": "https://example.com/",
    "iri": "https://example.com/",
    "url": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
}
DEFAULT_STRING = "example"


def instance_for(schema: Any) -> Any:
    """A minimal value valid for `schema` (the root, where `$ref`s are resolved)."""
    return _Builder(schema if isinstance(schema, dict) else {}).build(schema, 0)


class _Builder:
    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root

    def resolve(self, ref: str) -> Any:
        if not ref.startswith("#"):
            return {}
        node: Any = self.root
        for part in ref.lstrip("#").strip("/").split("/"):
            if not part:
                continue
            key = part.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and key in node:
                node = node[key]
            elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            else:
                return {}
        return node

    def build(self, schema: Any, depth: int) -> Any:
        if not isinstance(schema, dict):
            # `true` or a missing schema accepts anything.
            return DEFAULT_STRING
        if "$ref" in schema:
            return self.build(self.resolve(schema["$ref"]), depth + 1)
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            return schema["enum"][0]
        for key in ("anyOf", "oneOf"):
            if schema.get(key):
                return self.build(self.pick_option(schema[key], depth), depth + 1)
        if schema.get("allOf"):
            return self.build_all_of(schema, depth)
        return self.build_typed(schema, self.pick_type(schema), depth)

    def pick_option(self, options: list[Any], depth: int) -> Any:
        nullable = [o for o in options if isinstance(o, dict) and o.get("type") == "null"]
        concrete = [o for o in options if o not in nullable]
        if depth >= MAX_DEPTH and nullable:
            return nullable[0]
        return concrete[0] if concrete else options[0]

    def build_all_of(self, schema: dict[str, Any], depth: int) -> Any:
        parts = [self.build(part, depth + 1) for part in schema["allOf"]]
        rest = {key: value for key, value in schema.items() if key != "allOf"}
        if rest:
            parts.append(self.build(rest, depth + 1))
        if all(isinstance(part, dict) for part in parts):
            merged: dict[str, Any] = {}
            for part in parts:
                merged.update(part)
            return merged
        return parts[0]

    def pick_type(self, schema: dict[str, Any]) -> str:
        declared = schema.get("type")
        if isinstance(declared, list):
            concrete = [t for t in declared if t != "null"]
            return concrete[0] if concrete else "null"
        if isinstance(declared, str):
            return declared
        if "properties" in schema or "required" in schema:
            return "object"
        if "items" in schema or "prefixItems" in schema:
            return "array"
        return "string"

    def build_typed(self, schema: dict[str, Any], kind: str, depth: int) -> Any:
        if kind == "object":
            return self.build_object(schema, depth)
        if kind == "array":
            return self.build_array(schema, depth)
        if kind in ("integer", "number"):
            return build_number(schema, kind == "integer")
        if kind == "boolean":
            return True
        if kind == "null":
            return None
        return build_string(schema)

    def build_object(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        properties = schema.get("properties") or {}
        required = schema.get("required") or []
        # Only required properties: the smallest instance that validates.
        return {
            name: self.build(properties.get(name, {}), depth + 1)
            for name in required
            if isinstance(name, str)
        }

    def build_array(self, schema: dict[str, Any], depth: int) -> list[Any]:
        prefix = schema.get("prefixItems") or []
        values = [self.build(item, depth + 1) for item in prefix]
        minimum = int(schema.get("minItems", 0))
        maximum = schema.get("maxItems")
        wanted = max(minimum, 0 if depth >= MAX_DEPTH else 1)
        if maximum is not None:
            wanted = min(wanted, int(maximum))
        items = schema.get("items", {})
        if items is False:
            return values
        while len(values) < wanted:
            values.append(self.build(items, depth + 1))
        return values


def build_number(schema: dict[str, Any], integer: bool) -> int | float:
    value: float = 0
    if isinstance(schema.get("minimum"), int | float):
        value = schema["minimum"]
    if isinstance(schema.get("exclusiveMinimum"), int | float):
        value = schema["exclusiveMinimum"] + 1
    if isinstance(schema.get("maximum"), int | float):
        value = min(value, schema["maximum"])
    if isinstance(schema.get("exclusiveMaximum"), int | float):
        value = min(value, schema["exclusiveMaximum"] - 1)
    multiple = schema.get("multipleOf")
    if isinstance(multiple, int | float) and multiple > 0 and value % multiple:
        value = (value // multiple + 1) * multiple
    return int(value) if integer else float(value)


def build_string(schema: dict[str, Any]) -> str:
    value = STRING_FORMATS.get(str(schema.get("format", "")), DEFAULT_STRING)
    min_length = int(schema.get("minLength", 0))
    if len(value) < min_length:
        value += "x" * (min_length - len(value))
    max_length = schema.get("maxLength")
    if max_length is not None:
        value = value[: int(max_length)]
    return value
