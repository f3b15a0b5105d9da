"""Request schemas: one declaration per endpoint, used both to validate requests
with OpenAI's exact error codes and to publish the server's OpenAPI description
(so property-based tools such as schemathesis can test it).

Hand-written rather than pydantic because the point is OpenAI-faithful errors
(`missing_required_parameter`, `invalid_type`, `decimal_above_max_value`, ...),
which a generic validator would have to be translated into anyway.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

from .errors import APIError, invalid

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


@dataclass(frozen=True)
class F:
    """One request field: accepted JSON types, bounds, allowed values."""

    types: tuple[str, ...]
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    enum: tuple[str, ...] | None = None
    min_items: int | None = None
    max_items: int | None = None
    items: "F | None" = None
    description: str = ""
    check: Callable[[Any, str], None] | None = field(default=None, compare=False)
    # A fuller JSON schema for the OpenAPI description where `check` does the real work.
    schema: dict[str, Any] | None = field(default=None, compare=False)

    def openapi(self) -> dict[str, Any]:
        if self.schema is not None:
            return dict(self.schema)
        alts = []
        for t in self.types:
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
            alts.append(s)
        out = alts[0] if len(alts) == 1 else {"anyOf": alts}
        if not self.required:
            out = {"anyOf": [out, {"type": "null"}]} if "anyOf" not in out else {"anyOf": out["anyOf"] + [{"type": "null"}]}
        if self.description:
            out["description"] = self.description
        return out


def _expected(types: tuple[str, ...]) -> str:
    names = [_JSON_TYPE_NAMES[t] for t in types]
    if len(names) == 1:
        return names[0]
    return "one of " + " or ".join(names)


def check_value(spec: F, value: Any, param: str) -> None:
    """Raise an OpenAI-style 400 if `value` does not fit `spec`."""
    got = json_type(value)
    if got == "number" and "integer" in spec.types and "number" not in spec.types and math.isfinite(value) and value.is_integer():
        got = "integer"  # JSON Schema counts 2.0 as an integer
    ok = got in spec.types or (got == "integer" and "number" in spec.types)
    if isinstance(value, float) and not math.isfinite(value):
        ok = False
    if not ok:
        raise invalid(
            f"Invalid type for '{param}': expected {_expected(spec.types)}, but got {_JSON_TYPE_NAMES.get(got, got)} instead.",
            f"参数 '{param}' 的类型不对：应为 {'、'.join(spec.types)}，实际是 {got}。",
            param=param,
            code="invalid_type",
        )
    if got in ("integer", "number"):
        kind = "integer" if "integer" in spec.types and "number" not in spec.types else "decimal"
        if spec.maximum is not None and value > spec.maximum:
            raise invalid(
                f"Invalid '{param}': {kind} above maximum value. Expected a value <= {spec.maximum:g}, but got {value} instead.",
                f"参数 '{param}' 超过最大值：应 <= {spec.maximum:g}，实际是 {value}。",
                param=param,
                code=f"{kind}_above_max_value",
            )
        if spec.minimum is not None and value < spec.minimum:
            raise invalid(
                f"Invalid '{param}': {kind} below minimum value. Expected a value >= {spec.minimum:g}, but got {value} instead.",
                f"参数 '{param}' 低于最小值：应 >= {spec.minimum:g}，实际是 {value}。",
                param=param,
                code=f"{kind}_below_min_value",
            )
    if got == "string" and spec.enum and value not in spec.enum:
        allowed = ", ".join(f"'{v}'" for v in spec.enum)
        raise invalid(
            f"Invalid value: '{value}'. Supported values are: {allowed}.",
            f"取值无效：'{value}'。支持的取值：{allowed}。",
            param=param,
            code="invalid_value",
        )
    if got == "array":
        if spec.min_items is not None and len(value) < spec.min_items:
            raise invalid(
                f"Invalid '{param}': empty array. Expected an array with minimum length {spec.min_items}, but got an empty array instead."
                if not value
                else f"Invalid '{param}': array too short. Expected an array with minimum length {spec.min_items}, but got an array with length {len(value)} instead.",
                f"参数 '{param}' 的数组太短：至少需要 {spec.min_items} 个元素，实际 {len(value)} 个。",
                param=param,
                code="empty_array" if not value else "array_below_min_length",
            )
        if spec.max_items is not None and len(value) > spec.max_items:
            raise invalid(
                f"Invalid '{param}': array too long. Expected an array with maximum length {spec.max_items}, but got an array with length {len(value)} instead.",
                f"参数 '{param}' 的数组太长：最多 {spec.max_items} 个元素，实际 {len(value)} 个。",
                param=param,
                code="array_above_max_length",
            )
        if spec.items is not None:
            for i, item in enumerate(value):
                check_value(spec.items, item, f"{param}[{i}]")
    if spec.check is not None:
        spec.check(value, param)


def validate_body(body: Any, fields: dict[str, F], *, ignored: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Validate a parsed JSON body against `fields`; return it without null optionals.

    `ignored` lists real OpenAI parameters this server accepts but does not act on
    (e.g. `user`), so a learner's production code is not rejected offline.
    """
    if not isinstance(body, dict):
        raise invalid(
            f"Invalid type for request body: expected an object, but got {_JSON_TYPE_NAMES.get(json_type(body), 'something else')} instead.",
            "请求体必须是一个 JSON 对象。",
            code="invalid_type",
        )
    for name in body:
        if name not in fields and name not in ignored:
            raise invalid(
                f"Unrecognized request argument supplied: {name}",
                f"无法识别的请求参数：{name}",
                param=name,
                code="unknown_parameter",
            )
    out: dict[str, Any] = {}
    for name, spec in fields.items():
        if name not in body or (body[name] is None and not spec.required):
            if spec.required:
                raise invalid(
                    f"Missing required parameter: '{name}'.",
                    f"缺少必需参数：'{name}'。",
                    param=name,
                    code="missing_required_parameter",
                )
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


def require(condition: bool, message_en: str, message_zh: str, *, param: str | None = None, code: str | None = "invalid_value") -> None:
    if not condition:
        raise invalid(message_en, message_zh, param=param, code=code)


__all__ = ["F", "APIError", "validate_body", "openapi_schema", "check_value", "json_type", "require"]
