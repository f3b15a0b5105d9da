"""Strict validation against the openai SDK's own pydantic types.

The SDK's models accept unknown fields (extra="allow") so a plain
`model_validate` would let a made-up field through; `assert_exact` validates (no
missing required field, right types) and then walks the result and fails on
any field the type does not declare.
"""

from __future__ import annotations

import typing
from typing import Any

import pydantic
from pydantic import TypeAdapter


def _no_extra(obj: Any, path: str) -> None:
    if isinstance(obj, pydantic.BaseModel):
        extra = obj.__pydantic_extra__ or {}
        assert not extra, f"{path} ({type(obj).__name__}): fields the SDK type does not have: {sorted(extra)}"
        for name in type(obj).model_fields:
            _no_extra(getattr(obj, name), f"{path}.{name}")
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            _no_extra(v, f"{path}[{i}]")
    elif isinstance(obj, dict):
        for k, v in obj.items():
            _no_extra(v, f"{path}.{k}")


def _union_member(tp: Any, data: dict[str, Any]) -> Any:
    """For the SDK's unions discriminated by `type`, the member whose `type` literal matches."""
    args = typing.get_args(tp)
    if typing.get_origin(tp) is typing.Annotated:
        return _union_member(args[0], data)
    if typing.get_origin(tp) is typing.Union and isinstance(data, dict) and "type" in data:
        for member in args:
            field = getattr(member, "model_fields", {}).get("type")
            if field is not None and data["type"] in typing.get_args(field.annotation):
                return member
        raise AssertionError(f"no member of the SDK's union has type {data['type']!r}")
    return tp


def assert_exact(tp: Any, data: Any, path: str = "$") -> Any:
    """Validate `data` against SDK type `tp` (a model or a discriminated union); return the parsed object."""
    tp = _union_member(tp, data)
    obj = TypeAdapter(tp).validate_python(data)
    _no_extra(obj, f"{path}")
    return obj
