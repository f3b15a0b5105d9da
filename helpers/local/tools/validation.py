"""The API's checks on tools, tool_choice and tool messages, with its error JSON.

Messages, params and codes follow what the real API answers (e.g.
`invalid_function_parameters` with the jsonschema library's own wording, or
`messages.[3].role` for a `tool` message that answers nothing), so a learner's
`except openai.BadRequestError` and the printed message match production.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..errors import REAL_API_HINT_EN, REAL_API_HINT_ZH, APIError
from ..schema import json_type
from .schema_check import Draft202012Validator, SchemaError

NAME_PATTERN = re.compile(r"^[a-zA-Z0-9_-]+$")
CHOICES = ("none", "auto", "required")
RESPONSES_BUILTIN_TOOLS = (
    "web_search",
    "web_search_preview",
    "file_search",
    "code_interpreter",
    "computer_use_preview",
    "computer_use",
    "image_generation",
    "mcp",
    "local_shell",
    "shell",
    "custom",
    "apply_patch",
)

__all__ = ["bad", "json_type"]


def bad(en: str, zh: str, *, param: str | None = None, code: str | None = "invalid_value") -> APIError:
    return APIError(400, en, zh, param=param, code=code)


def _missing(param: str) -> APIError:
    return bad(f"Missing required parameter: '{param}'.", f"缺少必需参数：'{param}'。", param=param, code="missing_required_parameter")


def _need_type(value: Any, kind: str, param: str) -> None:
    names = {"object": "an object", "string": "a string", "array": "an array", "boolean": "a boolean"}
    if json_type(value) != kind:
        raise bad(
            f"Invalid type for '{param}': expected {names[kind]}, but got {json_type(value)} instead.",
            f"参数 '{param}' 的类型不对：应为 {kind}，实际是 {json_type(value)}。",
            param=param,
            code="invalid_type",
        )


def check_bool(value: Any, param: str) -> None:
    _need_type(value, "boolean", param)


def check_choice_needs_tools(body: dict[str, Any], tools: Any) -> None:
    for param in ("tool_choice", "parallel_tool_calls"):
        if body.get(param) is not None and not tools:
            raise bad(
                f"Invalid value for '{param}': '{param}' is only allowed when 'tools' are specified.",
                f"'{param}' 只能在设置了 'tools' 时使用。",
                param=param,
                code=None,
            )


def check_chat_tools(tools: Any) -> list[dict[str, Any]]:
    _need_type(tools, "array", "tools")
    if len(tools) > 128:
        raise bad(
            f"Invalid 'tools': array too long. Expected an array with maximum length 128, but got an array with length {len(tools)} instead.",
            "'tools' 最多 128 个。",
            param="tools",
            code="array_above_max_length",
        )
    names: set[str] = set()
    for i, tool in enumerate(tools):
        p = f"tools[{i}]"
        _need_function_tool(tool, p, supported="'function' and 'custom'")
        if "function" not in tool:
            raise _missing(f"{p}.function")
        fn = check_function(tool["function"], f"{p}.function")
        if fn["name"] in names:
            raise bad(f"Invalid 'tools': duplicate function name '{fn['name']}'.", f"'tools' 里有重复的函数名 '{fn['name']}'。", param="tools")
        names.add(fn["name"])
    return tools


def _need_function_tool(tool: Any, p: str, supported: str) -> None:
    """One entry of `tools` is an object of type "function"; the API's error names what it supports."""
    _need_type(tool, "object", p)
    kind = tool.get("type")
    if kind is None:
        raise _missing(f"{p}.type")
    if kind != "function":
        raise _unsupported_type(kind, f"{p}.type", supported=supported)


def check_responses_tools(tools: Any) -> list[dict[str, Any]]:
    _need_type(tools, "array", "tools")
    out = []
    for i, tool in enumerate(tools):
        p = f"tools[{i}]"
        _need_function_tool(tool, p, supported="'function', 'file_search', 'web_search', 'code_interpreter', 'mcp', ...")
        out.append(check_function(tool, p))
    return out


def _unsupported_type(kind: Any, param: str, *, supported: str) -> APIError:
    if kind in RESPONSES_BUILTIN_TOOLS:
        return bad(
            f"Invalid value: '{kind}'. The offline course server has only 'function' tools: it cannot search the web or files, "
            f"run code or use other hosted tools. {REAL_API_HINT_EN}",
            f"离线课程服务器只支持 'function' 类型的工具，不能联网搜索、检索文件、运行代码或使用其他托管工具。{REAL_API_HINT_ZH}",
            param=param,
        )
    return bad(f"Invalid value: '{kind}'. Supported values are: {supported}.", f"工具类型取值无效：'{kind}'。", param=param)


def check_function(fn: Any, param: str) -> dict[str, Any]:
    _need_type(fn, "object", param)
    name = fn.get("name")
    if name is None:
        raise _missing(f"{param}.name")
    _need_type(name, "string", f"{param}.name")
    if len(name) > 64:
        raise bad(
            f"Invalid '{param}.name': string too long. Expected a string with maximum length 64, but got a string with length {len(name)} instead.",
            f"'{param}.name' 太长：最多 64 个字符，实际 {len(name)} 个。",
            param=f"{param}.name",
            code="string_above_max_length",
        )
    if not NAME_PATTERN.match(name):
        raise bad(
            f"Invalid '{param}.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
            f"'{param}.name' 格式不对：函数名只能包含字母、数字、下划线和连字符。",
            param=f"{param}.name",
        )
    if fn.get("description") is not None:
        _need_type(fn["description"], "string", f"{param}.description")
    if fn.get("strict") is not None:
        check_bool(fn["strict"], f"{param}.strict")
    if fn.get("parameters") is not None:
        check_parameters(fn["parameters"], name, f"{param}.parameters", strict=bool(fn.get("strict")))
    return fn


def _schema_error(name: str, param: str, en: str, zh: str) -> APIError:
    return bad(f"Invalid schema for function '{name}': {en}", f"函数 '{name}' 的参数 schema 无效：{zh}", param=param, code="invalid_function_parameters")


def check_parameters(schema: Any, name: str, param: str, *, strict: bool) -> None:
    """A JSON Schema (checked against the metaschema, as the API does) whose top is an object."""
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as e:
        raise _schema_error(name, param, f"{e.message}.", e.message) from None
    if not isinstance(schema, dict) or schema.get("type") != "object":
        got = json.dumps(schema.get("type")) if isinstance(schema, dict) else json_type(schema)
        raise _schema_error(
            name, param, f"schema must be a JSON Schema of 'type: \"object\"', got 'type: {got}'.", f'schema 的顶层必须是 type: "object"，实际是 {got}。'
        )
    if strict:
        _check_strict(schema, name, param, ())


def _check_strict(node: Any, name: str, param: str, path: tuple[str, ...]) -> None:
    """Strict mode's rules: every object closes `additionalProperties` and requires every key."""
    if isinstance(node, list):
        for item in node:
            _check_strict(item, name, param, path)
        return
    if not isinstance(node, dict):
        return
    context = f"In context=({', '.join(repr(p) for p in path)}{',' if len(path) == 1 else ''})"
    if node.get("type") == "object" or "properties" in node:
        if node.get("additionalProperties") is not False:
            raise _schema_error(
                name,
                param,
                f"{context}, 'additionalProperties' is required to be supplied and to be false.",
                "strict 模式下，每个对象都必须写明 'additionalProperties': false。",
            )
        missing = [k for k in node.get("properties", {}) if k not in (node.get("required") or [])]
        if missing:
            raise _schema_error(
                name,
                param,
                f"{context}, 'required' is required to be supplied and to be an array including every key in properties. Missing '{missing[0]}'.",
                f"strict 模式下，'required' 必须列出全部属性；缺少 '{missing[0]}'。",
            )
    for key in ("properties", "$defs", "definitions"):
        for sub, child in (node.get(key) or {}).items():
            _check_strict(child, name, param, (*path, key, sub))
    for key in ("items", "anyOf"):
        if key in node:
            _check_strict(node[key], name, param, (*path, key))


def check_tool_choice(value: Any, names: set[str], param: str, *, flat: bool = False) -> tuple[str, str | None]:
    """Return (choice, forced function name). `flat` is the Responses API's `{"type": "function", "name": ...}`."""
    if value is None:
        return "auto", None
    if isinstance(value, str):
        if value not in CHOICES:
            raise bad(
                f"Invalid value: '{value}'. Supported values are: 'none', 'auto', and 'required'.",
                f"'{param}' 取值无效：'{value}'。支持 none、auto、required。",
                param=param,
            )
        return value, None
    _need_type(value, "object", param)
    if value.get("type") != "function":
        raise bad(
            f"Invalid value: '{value.get('type')}'. Supported values are: 'function'.",
            f"'{param}.type' 取值无效：'{value.get('type')}'。",
            param=f"{param}.type",
        )
    holder, where = (value, param) if flat else (value.get("function"), f"{param}.function")
    if not isinstance(holder, dict) or not isinstance(holder.get("name"), str):
        raise _missing(f"{where}.name")
    name = holder["name"]
    if name not in names:
        raise bad(
            f"Invalid value for '{param}': function '{name}' is not one of the functions in 'tools'.",
            f"'{param}' 指定的函数 '{name}' 不在 'tools' 里。",
            param=param,
        )
    return "function", name


def check_function_call(value: Any, names: set[str]) -> tuple[str, str | None]:
    """The deprecated `function_call`: "none", "auto" or {"name": ...}."""
    if value is None:
        return "auto", None
    if isinstance(value, str):
        if value not in ("none", "auto"):
            raise bad(f"Invalid value: '{value}'. Supported values are: 'none' and 'auto'.", f"'function_call' 取值无效：'{value}'。", param="function_call")
        return value, None
    _need_type(value, "object", "function_call")
    name = value.get("name")
    if not isinstance(name, str):
        raise _missing("function_call.name")
    if name not in names:
        raise bad(
            f"Invalid value for 'function_call': function '{name}' is not one of the functions in 'functions'.",
            f"'function_call' 指定的函数 '{name}' 不在 'functions' 里。",
            param="function_call",
        )
    return "function", name
