"""A request the API does not accept: its shape (the validator's vocabulary), its JSON, its size, its URL."""

from __future__ import annotations

from typing import Any

from .base import REAL_API_HINT_EN, REAL_API_HINT_ZH, APIError, invalid


def missing_required(param: str) -> APIError:
    return invalid(f"Missing required parameter: '{param}'.", f"缺少必需参数：'{param}'。", param=param, code="missing_required_parameter")


_TYPE_ZH = {
    "a string": "字符串",
    "an integer": "整数",
    "a decimal": "小数",
    "a boolean": "布尔值",
    "an array": "数组",
    "an object": "对象",
    "null": "null",
    "one of a string or array of objects": "字符串或对象数组",
    "a string or an array of token ids": "字符串或词元 ID 数组",
}


def _type_zh(phrase: str) -> str:
    if phrase in _TYPE_ZH:
        return _TYPE_ZH[phrase]
    if phrase.startswith("one of "):
        return "或".join(_TYPE_ZH.get(p, p) for p in phrase[len("one of ") :].split(" or "))
    return phrase


def invalid_type(param: str, expected: str, got: str) -> APIError:
    """`expected` and `got` are the API's phrases ("a string", "one of a string or an array")."""
    return invalid(
        f"Invalid type for '{param}': expected {expected}, but got {got} instead.",
        f"参数 '{param}' 的类型不对：应为{_type_zh(expected)}，实际是{_type_zh(got)}。",
        param=param,
        code="invalid_type",
    )


def unsupported_value(param: str, value: Any, allowed: tuple[str, ...]) -> APIError:
    listed = ", ".join(f"'{v}'" for v in allowed)
    return invalid(
        f"Invalid value: '{value}'. Supported values are: {listed}.",
        f"'{param}' 取值无效：'{value}'。支持的取值：{listed}。",
        param=param,
        code="invalid_value",
    )


def array_too_long(param: str, maximum: int, length: int) -> APIError:
    return invalid(
        f"Invalid '{param}': array too long. Expected an array with maximum length {maximum}, but got an array with length {length} instead.",
        f"参数 '{param}' 的数组太长：最多 {maximum} 个元素，实际 {length} 个。",
        param=param,
        code="array_above_max_length",
    )


def array_too_short(param: str, minimum: int, length: int) -> APIError:
    if not length:
        en = f"Invalid '{param}': empty array. Expected an array with minimum length {minimum}, but got an empty array instead."
        code = "empty_array"
    else:
        en = f"Invalid '{param}': array too short. Expected an array with minimum length {minimum}, but got an array with length {length} instead."
        code = "array_below_min_length"
    return invalid(en, f"参数 '{param}' 的数组太短：至少需要 {minimum} 个元素，实际 {length} 个。", param=param, code=code)


def out_of_range(param: str, kind: str, bound: float, value: Any, above: bool) -> APIError:
    """kind is "integer" or "decimal", as in the API's codes (integer_above_max_value ...)."""
    if above:
        return invalid(
            f"Invalid '{param}': {kind} above maximum value. Expected a value <= {bound:g}, but got {value} instead.",
            f"参数 '{param}' 超过最大值：应 <= {bound:g}，实际是 {value}。",
            param=param,
            code=f"{kind}_above_max_value",
        )
    return invalid(
        f"Invalid '{param}': {kind} below minimum value. Expected a value >= {bound:g}, but got {value} instead.",
        f"参数 '{param}' 低于最小值：应 >= {bound:g}，实际是 {value}。",
        param=param,
        code=f"{kind}_below_min_value",
    )


def unknown_parameter(name: str) -> APIError:
    return invalid(f"Unrecognized request argument supplied: {name}", f"无法识别的请求参数：{name}", param=name, code="unknown_parameter")


def body_not_object(got: str) -> APIError:
    return invalid(f"Invalid type for request body: expected an object, but got {got} instead.", "请求体必须是一个 JSON 对象。", code="invalid_type")


def invalid_json() -> APIError:
    return invalid(
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. "
        "The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
        "无法解析请求体中的 JSON。（提示：OpenAI API 需要 JSON 格式的请求体，而收到的不是合法的 JSON。）",
    )


def lone_surrogate() -> APIError:
    return invalid(
        "Invalid JSON body: a string contains a lone surrogate (e.g. \\ud800), which is not valid Unicode.",
        "请求体无效：字符串里有单独的代理项（如 \\ud800），不是合法的 Unicode。",
    )


def nested_too_deeply() -> APIError:
    return invalid("Invalid JSON body: nested too deeply.", "请求体无效：嵌套层级太深。")


def request_too_large(limit: int) -> APIError:
    mb = limit // (1024 * 1024)
    return APIError(413, f"Request body too large: the limit is {mb} MB.", f"请求体太大：上限是 {mb} MB。", code="request_too_large")


def invalid_query_value(param: str, en: str, zh: str, code: str = "invalid_value") -> APIError:
    return invalid(f"Invalid '{param}': {en}", f"'{param}' {zh}", param=param, code=code)


def media_not_supported(kind: str, param: str) -> APIError:
    return invalid(
        f"Invalid content type. {kind} is not supported by the offline course server (its chat model reads text only). {REAL_API_HINT_EN}",
        f"离线课程服务器不支持 {kind} 类型的内容（它的聊天模型只读文本）。{REAL_API_HINT_ZH}",
        param=param,
        code="invalid_value",
    )


# ---- HTTP routing and stored objects ----------------------------------------------


def url_not_found(method: str, path: str) -> APIError:
    return APIError(404, f"Invalid URL ({method} {path})", f"无效的 URL（{method} {path}）")


def method_not_allowed(method: str, path: str) -> APIError:
    return APIError(405, f"Not allowed to {method} on {path}.", f"{path} 不支持 {method} 方法。")


def http_error(status: int, detail: str) -> APIError:
    return APIError(status, detail, "请求出错。")


def not_found(kind_en: str, kind_zh: str, object_id: str, param: str, hint_en: str = "", hint_zh: str = "") -> APIError:
    """404 for a stored object (completion, response, conversation, item) this key cannot see."""
    return APIError(
        404,
        f"No {kind_en} found with id '{object_id}'.{' ' + hint_en if hint_en else ''}",
        f"找不到 id 为 '{object_id}' 的{kind_zh}。{hint_zh}",
        param=param,
        code="not_found",
    )
