"""Request declarations: one per endpoint, used both to validate requests with
OpenAI's exact error codes and to publish the server's OpenAPI description
(so property-based tools such as schemathesis can test it). Because one
declaration does both, what /openapi.json promises is what the validator accepts.

Hand-written rather than pydantic because the point is OpenAI-faithful errors
(`missing_required_parameter`, `invalid_type`, `decimal_above_max_value`, ...),
which a generic validator would have to be translated into anyway.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import errors

_JSON_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a decimal",
    "boolean": "a boolean",
    "array": "an array",
    "object": "an object",
    "null": "null",
}


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "unknown"


def type_name(value: Any) -> str:
    """How the API names a value's JSON type in its messages ("a string", "an object")."""
    got = json_type(value)
    return _JSON_TYPE_NAMES.get(got, got)


@dataclass(frozen=True)
class F:
    """One request field: accepted JSON types, bounds, allowed values, nested fields.

    `properties` declares the fields of an object (checked, and published); `check`
    adds the rules JSON Schema cannot say, with the API's own wording.
    """

    types: tuple[str, ...]
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    enum: tuple[str, ...] | None = None
    min_items: int | None = None
    max_items: int | None = None
    items: F | None = None
    properties: dict[str, F] | None = field(default=None, compare=False)
    description: str = ""
    check: Callable[[Any, str], None] | None = field(default=None, compare=False)
    # Extra JSON-schema keywords for the published description (e.g. maxProperties).
    extra_schema: dict[str, Any] | None = field(default=None, compare=False)

    def _alternative(self, t: str) -> dict[str, Any]:
        s: dict[str, Any] = {"type": t}
        if t in ("integer", "number"):
            if self.minimum is not None:
                s["minimum"] = self.minimum
            if self.maximum is not None:
                s["maximum"] = self.maximum
        if t == "string" and self.enum:
            s["enum"] = list(self.enum)
        if t == "array":
            s["items"] = self.items.openapi() if self.items else {}
            if self.min_items is not None:
                s["minItems"] = self.min_items
            if self.max_items is not None:
                s["maxItems"] = self.max_items
        if t == "object":
            if self.properties:
                s["properties"] = {k: v.openapi() for k, v in self.properties.items()}
                s["required"] = [k for k, v in self.properties.items() if v.required]
            s.update(self.extra_schema or {})
        return s

    def openapi(self) -> dict[str, Any]:
        alts = [self._alternative(t) for t in self.types]
        out = alts[0] if len(alts) == 1 else {"anyOf": alts}
        if not self.required and "null" not in self.types:
            out = {"anyOf": (out.get("anyOf") or [out]) + [{"type": "null"}]}
        if self.description:
            out["description"] = self.description
        return out


def _expected(types: tuple[str, ...]) -> str:
    names = [_JSON_TYPE_NAMES[t] for t in types]
    return names[0] if len(names) == 1 else "one of " + " or ".join(names)


def _check_type(spec: F, value: Any, param: str) -> str:
    got = json_type(value)
    if got == "number" and "integer" in spec.types and "number" not in spec.types and math.isfinite(value) and value.is_integer():
        got = "integer"  # JSON Schema counts 2.0 as an integer
    ok = got in spec.types or (got == "integer" and "number" in spec.types)
    if isinstance(value, float) and not math.isfinite(value):
        ok = False
    if not ok:
        raise errors.invalid_type(param, _expected(spec.types), _JSON_TYPE_NAMES.get(got, got))
    return got


def _check_bounds(spec: F, value: Any, param: str, got: str) -> None:
    if got in ("integer", "number"):
        kind = "integer" if "integer" in spec.types and "number" not in spec.types else "decimal"
        if spec.maximum is not None and value > spec.maximum:
            raise errors.out_of_range(param, kind, spec.maximum, value, above=True)
        if spec.minimum is not None and value < spec.minimum:
            raise errors.out_of_range(param, kind, spec.minimum, value, above=False)
    if got == "string" and spec.enum and value not in spec.enum:
        raise errors.unsupported_value(param, value, spec.enum)
    if got == "array":
        if spec.min_items is not None and len(value) < spec.min_items:
            raise errors.array_too_short(param, spec.min_items, len(value))
        if spec.max_items is not None and len(value) > spec.max_items:
            raise errors.array_too_long(param, spec.max_items, len(value))


def check_value(spec: F, value: Any, param: str) -> None:
    """Raise an OpenAI-style 400 if `value` does not fit `spec`."""
    got = _check_type(spec, value, param)
    _check_bounds(spec, value, param, got)
    if got == "array" and spec.items is not None:
        for i, item in enumerate(value):
            check_value(spec.items, item, f"{param}[{i}]")
    if got == "object" and spec.properties:
        for name, sub in spec.properties.items():
            if value.get(name) is None:
                if sub.required:
                    raise errors.missing_required(f"{param}.{name}")
                continue
            check_value(sub, value[name], f"{param}.{name}")
    if spec.check is not None:
        spec.check(value, param)


def validate_body(body: Any, fields: dict[str, F], *, ignored: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Validate a parsed JSON body against `fields`; return it without null optionals.

    `ignored` lists real OpenAI parameters this server accepts but does not act on
    (e.g. `user`), so a learner's production code is not rejected offline.
    """
    if not isinstance(body, dict):
        raise errors.body_not_object(_JSON_TYPE_NAMES.get(json_type(body), "something else"))
    for name in body:
        if name not in fields and name not in ignored:
            raise errors.unknown_parameter(name)
    out: dict[str, Any] = {}
    for name, spec in fields.items():
        if name not in body or (body[name] is None and not spec.required):
            if spec.required:
                raise errors.missing_required(name)
            continue
        check_value(spec, body[name], name)
        value = body[name]
        if isinstance(value, float) and "integer" in spec.types and "number" not in spec.types:
            value = int(value)
        out[name] = value
    for name in ignored:
        if name in body:
            out[name] = body[name]
    return out


def openapi_schema(fields: dict[str, F]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {name: spec.openapi() for name, spec in fields.items()},
        "required": [name for name, spec in fields.items() if spec.required],
        "additionalProperties": False,  # the API rejects unknown arguments
    }


def require(condition: bool, error: Callable[[], errors.APIError]) -> None:
    """Raise `error()` unless `condition`: the error is built only when needed."""
    if not condition:
        raise error()


def openapi_body(fields: dict[str, F]) -> dict[str, Any]:
    """The `openapi_extra` of a route whose JSON body is declared by `fields`."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": openapi_schema(fields)}}}}
