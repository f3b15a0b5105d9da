"""What each endpoint accepts: the OpenAI parameters, their types and ranges.

Bounds follow the OpenAI API reference. Where the offline server is narrower
than the real API (e.g. `n`), the limit is stated in the error message.
"""
from __future__ import annotations

from typing import Any

from .schema import F, invalid, json_type, require

MAX_N = 8  # the real API allows 128; a laptop cannot do that usefully

CHAT_ROLES = ("system", "developer", "user", "assistant", "tool", "function")

REAL_API_HINT_EN = "Set OPENAI_API_KEY (and unset COURSE_BACKEND=offline) to use the real OpenAI API for this."
REAL_API_HINT_ZH = "如需此功能，请设置 OPENAI_API_KEY（并取消 COURSE_BACKEND=offline），改用真实的 OpenAI API。"


def _check_stop(value: Any, param: str) -> None:
    if isinstance(value, list):
        require(len(value) <= 4, f"Invalid '{param}': array too long. Expected an array with maximum length 4, but got an array with length {len(value)} instead.",
                f"参数 '{param}' 最多 4 个停止序列。", param=param, code="array_above_max_length")
        for i, s in enumerate(value):
            require(isinstance(s, str), f"Invalid type for '{param}[{i}]': expected a string, but got {json_type(s)} instead.",
                    f"'{param}[{i}]' 必须是字符串。", param=f"{param}[{i}]", code="invalid_type")


def _text_of_parts(parts: list[Any], param: str, allowed: tuple[str, ...]) -> str:
    texts = []
    for j, part in enumerate(parts):
        p = f"{param}[{j}]"
        require(isinstance(part, dict), f"Invalid type for '{p}': expected an object, but got {json_type(part)} instead.",
                f"'{p}' 必须是对象。", param=p, code="invalid_type")
        kind = part.get("type")
        if kind in ("image_url", "input_image", "input_audio", "file", "input_file"):
            raise invalid(
                f"Invalid content type. {kind} is not supported by the offline course server (its chat model reads text only). {REAL_API_HINT_EN}",
                f"离线课程服务器不支持 {kind} 类型的内容（它的聊天模型只读文本）。{REAL_API_HINT_ZH}",
                param=f"{p}.type", code="invalid_value")
        require(kind in allowed, f"Invalid value: '{kind}'. Supported values are: " + ", ".join(f"'{a}'" for a in allowed) + ".",
                f"'{p}.type' 取值无效：'{kind}'。", param=f"{p}.type", code="invalid_value")
        text = part.get("text", part.get("refusal"))
        require(isinstance(text, str), f"Missing required parameter: '{p}.text'.", f"缺少必需参数：'{p}.text'。",
                param=f"{p}.text", code="missing_required_parameter")
        texts.append(text)
    return "\n".join(texts)


def normalize_content(content: Any, param: str, *, allowed_parts: tuple[str, ...] = ("text",), required: bool = True) -> str | None:
    """Content is a string or a list of text parts; return the text."""
    if content is None and not required:
        return None
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return _text_of_parts(content, param, allowed_parts)
    if content is None:
        raise invalid(f"Missing required parameter: '{param}'.", f"缺少必需参数：'{param}'。", param=param, code="missing_required_parameter")
    raise invalid(
        f"Invalid type for '{param}': expected one of a string or array of objects, but got {json_type(content)} instead.",
        f"'{param}' 应为字符串或对象数组，实际是 {json_type(content)}。", param=param, code="invalid_type")


def check_messages(messages: list[Any], param: str = "messages") -> None:
    for i, m in enumerate(messages):
        p = f"{param}[{i}]"
        require(isinstance(m, dict), f"Invalid type for '{p}': expected an object, but got {json_type(m)} instead.",
                f"'{p}' 必须是对象。", param=p, code="invalid_type")
        role = m.get("role")
        if role is None:
            raise invalid(f"Missing required parameter: '{p}.role'.", f"缺少必需参数：'{p}.role'。", param=f"{p}.role", code="missing_required_parameter")
        if role not in CHAT_ROLES:
            raise invalid(
                f"Invalid value: '{role}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.",
                f"角色（role）取值无效：'{role}'。支持的取值：system、assistant、user、function、tool、developer。",
                param=f"{p}.role", code="invalid_value")
        has_calls = role == "assistant" and bool(m.get("tool_calls") or m.get("function_call"))
        parts = ("text", "refusal") if role == "assistant" else ("text",)
        normalize_content(m.get("content"), f"{p}.content", allowed_parts=parts, required=not has_calls and role != "assistant")
        if role == "tool":
            require(isinstance(m.get("tool_call_id"), str), f"Missing required parameter: '{p}.tool_call_id'.",
                    f"缺少必需参数：'{p}.tool_call_id'。", param=f"{p}.tool_call_id", code="missing_required_parameter")
        if "name" in m and m["name"] is not None:
            require(isinstance(m["name"], str), f"Invalid type for '{p}.name': expected a string, but got {json_type(m['name'])} instead.",
                    f"'{p}.name' 必须是字符串。", param=f"{p}.name", code="invalid_type")


def _check_response_format(value: dict, param: str) -> None:
    kind = value.get("type")
    require(kind in ("text", "json_object", "json_schema"),
            f"Invalid value: '{kind}'. Supported values are: 'text', 'json_object', and 'json_schema'.",
            f"'{param}.type' 取值无效：'{kind}'。支持 text、json_object、json_schema。", param=f"{param}.type")
    if kind == "json_schema":
        js = value.get("json_schema")
        require(isinstance(js, dict), f"Missing required parameter: '{param}.json_schema'.",
                f"缺少必需参数：'{param}.json_schema'。", param=f"{param}.json_schema", code="missing_required_parameter")
        require(isinstance(js.get("name"), str), f"Missing required parameter: '{param}.json_schema.name'.",
                f"缺少必需参数：'{param}.json_schema.name'。", param=f"{param}.json_schema.name", code="missing_required_parameter")
        require(isinstance(js.get("schema", {}), dict), f"Invalid type for '{param}.json_schema.schema': expected an object.",
                f"'{param}.json_schema.schema' 必须是对象。", param=f"{param}.json_schema.schema", code="invalid_type")


def _check_stream_options(value: dict, param: str) -> None:
    if "include_usage" in value:
        require(isinstance(value["include_usage"], bool), f"Invalid type for '{param}.include_usage': expected a boolean.",
                f"'{param}.include_usage' 必须是布尔值。", param=f"{param}.include_usage", code="invalid_type")


def check_metadata(value: dict, param: str) -> None:
    """The API's metadata rules: at most 16 pairs, keys <= 64 chars, string values <= 512 chars."""
    require(len(value) <= 16, f"Invalid '{param}': too many keys. Expected at most 16, but got {len(value)}.",
            f"'{param}' 最多 16 个键，实际 {len(value)} 个。", param=param, code="invalid_value")
    for k, v in value.items():
        require(len(k) <= 64, f"Invalid '{param}': key '{k[:70]}' is longer than 64 characters.",
                f"'{param}' 的键不能超过 64 个字符。", param=param, code="invalid_value")
        require(isinstance(v, str), f"Invalid type for '{param}.{k}': expected a string, but got {json_type(v)} instead.",
                f"'{param}.{k}' 必须是字符串。", param=f"{param}.{k}", code="invalid_type")
        require(len(v) <= 512, f"Invalid '{param}.{k}': string too long. Expected a string with maximum length 512.",
                f"'{param}.{k}' 最长 512 个字符。", param=f"{param}.{k}", code="string_above_max_length")


METADATA_SCHEMA = {"type": "object", "maxProperties": 16, "propertyNames": {"maxLength": 64},
                   "additionalProperties": {"type": "string", "maxLength": 512}}

_SAMPLING = {
    "temperature": F(("number",), minimum=0, maximum=2),
    "top_p": F(("number",), minimum=0, maximum=1),
    "presence_penalty": F(("number",), minimum=-2, maximum=2),
    "frequency_penalty": F(("number",), minimum=-2, maximum=2),
    "seed": F(("integer",), minimum=-(2**63), maximum=2**63 - 1),
    "stop": F(("string", "array"), check=_check_stop),
    "n": F(("integer",), minimum=1, maximum=MAX_N, description=f"at most {MAX_N} offline"),
    "stream": F(("boolean",)),
    "stream_options": F(("object",), check=_check_stream_options),
    "logit_bias": F(("object",)),
    "user": F(("string",)),
}

CHAT_FIELDS = {
    "model": F(("string",), required=True),
    "messages": F(("array",), required=True, min_items=1, max_items=2048, items=F(("object",)),
                  check=lambda v, p: check_messages(v, p),
                  schema={"type": "array", "minItems": 1, "maxItems": 2048, "items": {
                      "type": "object", "required": ["role", "content"], "properties": {
                          "role": {"type": "string", "enum": ["system", "developer", "user", "assistant"]},
                          "content": {"type": "string"}}}}),
    "max_tokens": F(("integer",), minimum=1),
    "max_completion_tokens": F(("integer",), minimum=1),
    "logprobs": F(("boolean",)),
    "top_logprobs": F(("integer",), minimum=0, maximum=20),
    "response_format": F(("object",), check=_check_response_format),
    "store": F(("boolean",)),
    "metadata": F(("object",), check=check_metadata, schema=METADATA_SCHEMA),
    **_SAMPLING,
}
# Real parameters accepted and passed over or handled loosely offline.
CHAT_IGNORED = frozenset({
    "tools", "tool_choice", "parallel_tool_calls", "functions", "function_call", "service_tier",
    "reasoning_effort", "modalities", "prediction", "web_search_options", "verbosity",
    "prompt_cache_key", "safety_identifier",
})

COMPLETION_FIELDS = {
    "model": F(("string",), required=True),
    "prompt": F(("string", "array"), required=True),
    "max_tokens": F(("integer",), minimum=0),
    "logprobs": F(("integer",), minimum=0, maximum=5),
    "echo": F(("boolean",)),
    "best_of": F(("integer",), minimum=1, maximum=MAX_N),
    "suffix": F(("string",)),
    **_SAMPLING,
}

EMBEDDING_FIELDS = {
    "model": F(("string",), required=True),
    "input": F(("string", "array"), required=True, max_items=2048,
               schema={"anyOf": [{"type": "string", "minLength": 1},
                                 {"type": "array", "minItems": 1, "maxItems": 16, "items": {"type": "string", "minLength": 1}}]}),
    "encoding_format": F(("string",), enum=("float", "base64")),
    "dimensions": F(("integer",), minimum=1),
    "user": F(("string",)),
}

RESPONSES_FIELDS = {
    "model": F(("string",), required=True),
    "input": F(("string", "array"), required=True, schema={"anyOf": [
        {"type": "string"},
        {"type": "array", "minItems": 1, "items": {"type": "object", "required": ["role", "content"], "properties": {
            "role": {"type": "string", "enum": ["system", "developer", "user", "assistant"]}, "content": {"type": "string"}}}}]}),
    "instructions": F(("string",)),
    "max_output_tokens": F(("integer",), minimum=16),
    "temperature": F(("number",), minimum=0, maximum=2),
    "top_p": F(("number",), minimum=0, maximum=1),
    "stream": F(("boolean",)),
    "store": F(("boolean",)),
    "metadata": F(("object",), check=check_metadata, schema=METADATA_SCHEMA),
    "text": F(("object",)),
    "user": F(("string",)),
}
RESPONSES_IGNORED = frozenset({
    "tools", "tool_choice", "parallel_tool_calls", "truncation", "reasoning", "include", "service_tier",
    "prompt_cache_key", "safety_identifier", "background", "previous_response_id", "stream_options",
})

UPDATE_STORED_FIELDS = {
    "metadata": F(("object",), required=True, check=check_metadata, schema=METADATA_SCHEMA),
}
