"""The catalogue of every error the offline server answers with.

The offline server must make the `openai` SDK raise the same exception classes a
learner meets in production (BadRequestError, AuthenticationError, NotFoundError,
RateLimitError, ...). The SDK picks the class from the HTTP status code and shows
the JSON body, so every error carries OpenAI's status, `type`, `param` and
`code`, and a message in English followed by Chinese.

One factory per API error, each message written once (the model of
openai-python's `_exceptions.py`): a handler raises `errors.context_length_exceeded(...)`
and never composes an error text itself.
"""
from __future__ import annotations

from typing import Any

from ..redact import mask_key

REAL_API_HINT_EN = "Set OPENAI_API_KEY (and unset COURSE_BACKEND=offline) to use the real OpenAI API for this."
REAL_API_HINT_ZH = "如需此功能，请设置 OPENAI_API_KEY（并取消 COURSE_BACKEND=offline），改用真实的 OpenAI API。"


class APIError(Exception):
    """An error answer: raise it anywhere in a handler, the app turns it into JSON."""

    def __init__(self, status: int, message_en: str, message_zh: str = "", *, type: str = "invalid_request_error",
                 param: str | None = None, code: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(message_en)
        self.status = status
        self.message = f"{message_en} / {message_zh}" if message_zh else message_en
        self.type = type
        self.param = param
        self.code = code
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


def invalid(message_en: str, message_zh: str, *, param: str | None = None, code: str | None = None) -> APIError:
    """400 invalid_request_error: the client sent something the API does not accept."""
    return APIError(400, message_en, message_zh, param=param, code=code)


def server_error(message_en: str, message_zh: str, *, status: int = 500, code: str | None = None,
                 headers: dict[str, str] | None = None) -> APIError:
    return APIError(status, message_en, message_zh, type="server_error", code=code, headers=headers)


# ---- request shape (the validator's vocabulary) ---------------------------------

def missing_required(param: str) -> APIError:
    return invalid(f"Missing required parameter: '{param}'.", f"缺少必需参数：'{param}'。", param=param, code="missing_required_parameter")


_TYPE_ZH = {
    "a string": "字符串", "an integer": "整数", "a decimal": "小数", "a boolean": "布尔值", "an array": "数组", "an object": "对象",
    "null": "null", "one of a string or array of objects": "字符串或对象数组", "a string or an array of token ids": "字符串或词元 ID 数组",
}


def _type_zh(phrase: str) -> str:
    if phrase in _TYPE_ZH:
        return _TYPE_ZH[phrase]
    if phrase.startswith("one of "):
        return "或".join(_TYPE_ZH.get(p, p) for p in phrase[len("one of "):].split(" or "))
    return phrase


def invalid_type(param: str, expected: str, got: str) -> APIError:
    """`expected` and `got` are the API's phrases ("a string", "one of a string or an array")."""
    return invalid(f"Invalid type for '{param}': expected {expected}, but got {got} instead.",
                   f"参数 '{param}' 的类型不对：应为{_type_zh(expected)}，实际是{_type_zh(got)}。", param=param, code="invalid_type")


def unsupported_value(param: str, value: Any, allowed: tuple[str, ...]) -> APIError:
    listed = ", ".join(f"'{v}'" for v in allowed)
    return invalid(f"Invalid value: '{value}'. Supported values are: {listed}.", f"'{param}' 取值无效：'{value}'。支持的取值：{listed}。",
                   param=param, code="invalid_value")


def array_too_long(param: str, maximum: int, length: int) -> APIError:
    return invalid(f"Invalid '{param}': array too long. Expected an array with maximum length {maximum}, but got an array with length {length} instead.",
                   f"参数 '{param}' 的数组太长：最多 {maximum} 个元素，实际 {length} 个。", param=param, code="array_above_max_length")


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
        return invalid(f"Invalid '{param}': {kind} above maximum value. Expected a value <= {bound:g}, but got {value} instead.",
                       f"参数 '{param}' 超过最大值：应 <= {bound:g}，实际是 {value}。", param=param, code=f"{kind}_above_max_value")
    return invalid(f"Invalid '{param}': {kind} below minimum value. Expected a value >= {bound:g}, but got {value} instead.",
                   f"参数 '{param}' 低于最小值：应 >= {bound:g}，实际是 {value}。", param=param, code=f"{kind}_below_min_value")


def unknown_parameter(name: str) -> APIError:
    return invalid(f"Unrecognized request argument supplied: {name}", f"无法识别的请求参数：{name}", param=name, code="unknown_parameter")


def body_not_object(got: str) -> APIError:
    return invalid(f"Invalid type for request body: expected an object, but got {got} instead.", "请求体必须是一个 JSON 对象。",
                   code="invalid_type")


def invalid_json() -> APIError:
    return invalid("We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. "
                   "The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
                   "无法解析请求体中的 JSON。（提示：OpenAI API 需要 JSON 格式的请求体，而收到的不是合法的 JSON。）")


def lone_surrogate() -> APIError:
    return invalid("Invalid JSON body: a string contains a lone surrogate (e.g. \\ud800), which is not valid Unicode.",
                   "请求体无效：字符串里有单独的代理项（如 \\ud800），不是合法的 Unicode。")


def nested_too_deeply() -> APIError:
    return invalid("Invalid JSON body: nested too deeply.", "请求体无效：嵌套层级太深。")


def request_too_large(limit: int) -> APIError:
    mb = limit // (1024 * 1024)
    return APIError(413, f"Request body too large: the limit is {mb} MB.", f"请求体太大：上限是 {mb} MB。", code="request_too_large")


def invalid_query_value(param: str, en: str, zh: str, code: str = "invalid_value") -> APIError:
    return invalid(f"Invalid '{param}': {en}", f"'{param}' {zh}", param=param, code=code)


def media_not_supported(kind: str, param: str) -> APIError:
    return invalid(f"Invalid content type. {kind} is not supported by the offline course server (its chat model reads text only). {REAL_API_HINT_EN}",
                   f"离线课程服务器不支持 {kind} 类型的内容（它的聊天模型只读文本）。{REAL_API_HINT_ZH}", param=param, code="invalid_value")


# ---- HTTP routing ----------------------------------------------------------------

def url_not_found(method: str, path: str) -> APIError:
    return APIError(404, f"Invalid URL ({method} {path})", f"无效的 URL（{method} {path}）")


def method_not_allowed(method: str, path: str) -> APIError:
    return APIError(405, f"Not allowed to {method} on {path}.", f"{path} 不支持 {method} 方法。")


def http_error(status: int, detail: str) -> APIError:
    return APIError(status, detail, "请求出错。")


def not_found(kind_en: str, kind_zh: str, object_id: str, param: str, hint_en: str = "", hint_zh: str = "") -> APIError:
    """404 for a stored object (completion, response, conversation, item) this key cannot see."""
    return APIError(404, f"No {kind_en} found with id '{object_id}'.{' ' + hint_en if hint_en else ''}",
                    f"找不到 id 为 '{object_id}' 的{kind_zh}。{hint_zh}", param=param, code="not_found")


# ---- keys and limits -----------------------------------------------------------------

def missing_api_key() -> APIError:
    return APIError(401, "You didn't provide an API key. You need to provide your API key in an "
                    "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                    "你没有提供 API 密钥（API key）。请在 Authorization 请求头里用 Bearer 方式提供，即 Authorization: Bearer 你的密钥。",
                    code="invalid_api_key")


def incorrect_api_key(key: str) -> APIError:
    shown = mask_key(key)
    return APIError(401, f"Incorrect API key provided: {shown}. Ask your teacher for a valid key of this server, "
                    "or unset OPENAI_BASE_URL to use your own offline server.",
                    f"提供的 API 密钥不正确：{shown}。请向老师要这个服务器的有效密钥，或取消 OPENAI_BASE_URL 以使用本机离线服务器。",
                    code="invalid_api_key")


def admin_key_required() -> APIError:
    return APIError(401, "This endpoint needs the server's admin key (serve --admin-key).",
                    "这个端点需要服务器的管理员密钥（serve --admin-key）。", code="invalid_api_key")


def rate_limited(kind: str, en: str, zh: str, headers: dict[str, str]) -> APIError:
    """429 rate_limit_exceeded; kind is the API's error type: "requests" or "tokens"."""
    return APIError(429, en, zh, type=kind, code="rate_limit_exceeded", headers=headers)


def tpm_request_too_large(model: str, limit: int, requested: int, headers: dict[str, str]) -> APIError:
    return rate_limited("tokens", f"Request too large for {model} on tokens per min (TPM): Limit {limit}, Requested {requested}. "
                        "The input or output tokens must be reduced in order to run successfully.",
                        f"请求过大，超过每分钟词元数（TPM）上限：限额 {limit}，本次请求 {requested}。请减少输入或输出词元。", headers)


def tpm_reached(model: str, limit: int, used: int, requested: int, wait: int, headers: dict[str, str]) -> APIError:
    return rate_limited("tokens", f"Rate limit reached for {model} on tokens per min (TPM): Limit {limit}, Used {used}, "
                        f"Requested {requested}. Please try again in {wait}s.",
                        f"已达到每分钟词元数（TPM）上限：限额 {limit}，已用 {used}，本次 {requested}。请在 {wait} 秒后重试。", headers)


def rpm_reached(model: str, limit: int, used: int, wait: int, headers: dict[str, str]) -> APIError:
    return rate_limited("requests", f"Rate limit reached for {model} on requests per min (RPM): Limit {limit}, Used {used}, Requested 1. "
                        f"Please try again in {wait}s.", f"已达到每分钟请求数（RPM）上限：限额 {limit}，已用 {used}。请在 {wait} 秒后重试。", headers)


def too_many_concurrent(per_key: int, max_waiting: int) -> APIError:
    return rate_limited("requests", f"Too many concurrent requests for this API key: at most {per_key} run at once and "
                        f"{max_waiting} may wait. Wait for your earlier requests to finish.",
                        f"这个 API 密钥的并发请求太多：最多同时运行 {per_key} 个、等待 {max_waiting} 个。请等之前的请求完成。",
                        {"Retry-After": "1"})


def overloaded() -> APIError:
    return server_error("The offline server is overloaded: too many requests are waiting. Please retry in a few seconds.",
                        "离线服务器过载：等待中的请求太多。请过几秒再试。", status=503, code="server_overloaded", headers={"Retry-After": "2"})


def shutting_down() -> APIError:
    return server_error("The offline server is shutting down. Please retry when it is back.", "离线服务器正在关闭，请等它重新启动后再试。",
                        status=503, code="server_shutting_down", headers={"Retry-After": "5"})


def unexpected() -> APIError:
    return server_error("The offline server had an unexpected error; it keeps running. Please retry.", "离线服务器出现意外错误（服务仍在运行），请重试。")


def generation_failed(reason: str) -> APIError:
    return server_error(f"Generation failed: {reason}", "生成失败。")


# ---- models ------------------------------------------------------------------------------

def model_not_found(model: str, hint_en: str = "", hint_zh: str = "") -> APIError:
    en = f"The model `{model}` does not exist or you do not have access to it."
    zh = f"模型 `{model}` 不存在，或你无权使用它。"
    if hint_en:
        en, zh = f"{en} {hint_en}", f"{zh}{hint_zh}"
    return APIError(404, en, zh, code="model_not_found")


def real_api_only(name: str) -> APIError:
    """The 404 for image, audio and moderation models (and their endpoints) offline."""
    return model_not_found(name, f"The offline course server has no image, audio or moderation models. {REAL_API_HINT_EN}",
                           f"离线课程服务器没有图像、音频或内容审核模型。{REAL_API_HINT_ZH}")


def wrong_model_kind(name: str, wanted: str) -> APIError:
    """An embedding model asked to generate text, or a text model asked for embeddings."""
    if wanted == "embedding":
        return invalid(f"The model `{name}` is not an embedding model; use e.g. `text-embedding-3-small`.",
                       f"模型 `{name}` 不是嵌入（embedding）模型，请改用例如 `text-embedding-3-small`。", param="model", code="invalid_value")
    return invalid(f"The model `{name}` is an embedding model and cannot generate text.", f"模型 `{name}` 是嵌入模型，不能生成文本。",
                   param="model", code="invalid_value")


# ---- generation -----------------------------------------------------------------------------

def context_length_exceeded(n_ctx: int, prompt: int, completion: int | None = None, *, param: str = "messages",
                            what_en: str = "your messages", what_zh: str = "你的消息") -> APIError:
    """The API's one context error; `completion` is the requested output limit when there is one."""
    if completion is None:
        en = (f"This model's maximum context length is {n_ctx} tokens. However, {what_en} resulted in {prompt} tokens. "
              f"Please reduce the length of the {param}.")
        zh = f"该模型的最大上下文长度是 {n_ctx} 个词元（token），而{what_zh}有 {prompt} 个词元。请缩短它。"
    else:
        en = (f"This model's maximum context length is {n_ctx} tokens. However, you requested {prompt + completion} tokens "
              f"({prompt} in the {param}, {completion} in the completion). Please reduce the length of the {param} or completion.")
        zh = (f"该模型的最大上下文长度是 {n_ctx} 个词元，而你请求了 {prompt + completion} 个"
              f"（输入 {prompt} 个，输出上限 {completion} 个）。请缩短输入或减小输出上限。")
    return invalid(en, zh, param=param, code="context_length_exceeded")


def previous_response_not_found(rid: str) -> APIError:
    return invalid(f"Previous response with id '{rid}' not found.",
                   f"找不到 id 为 '{rid}' 的上一个响应（previous_response_id）：它不存在、已删除、已过期，或不是用你的密钥以 store=true 创建的。",
                   param="previous_response_id", code="previous_response_not_found")


def output_cap_exceeded(param: str, value: int, cap: int) -> APIError:
    return invalid(f"{param} is too large: {value}. This model supports at most {cap} completion tokens, whereas you provided {value}.",
                   f"{param} 太大：{value}。该模型每次最多输出 {cap} 个词元。", param=param, code="invalid_value")


def json_mode_needs_json_word(param: str = "messages") -> APIError:
    return invalid(f"'{param}' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
                   f"使用 json_object 类型的 response_format 时，{param} 里必须出现单词 'json'。", param=param)


def top_logprobs_needs_logprobs() -> APIError:
    return invalid("Invalid value for 'top_logprobs': 'logprobs' must be set to true when 'top_logprobs' is used.",
                   "使用 top_logprobs 时必须同时设置 logprobs 为 true。", param="top_logprobs", code="invalid_value")


def model_rejected(message: str) -> APIError:
    """llama.cpp refused a request for a reason the client can fix (a 4xx from the engine)."""
    return invalid(f"The local model rejected the request: {message}", f"本地模型拒绝了该请求：{message}", code="invalid_value")


def model_cannot_template(reason: str) -> APIError:
    return invalid(f"The local model cannot process these messages: {reason}", f"本地模型无法处理这些消息：{reason}",
                   param="messages", code="invalid_value")


def model_failed(message: str) -> APIError:
    return server_error(f"The local model failed: {message}", f"本地模型出错：{message}")


# ---- gateway mode: the engines behind the class server --------------------------------------

def insufficient_quota(what_en: str, what_zh: str) -> APIError:
    """A student's budget is used up: the real API's answer for an account with no credit left."""
    return APIError(429, f"You exceeded your current quota, please check your plan and billing details. ({what_en} Ask your teacher.)",
                    f"你已超出当前配额（{what_zh}），请联系老师。", type="insufficient_quota", code="insufficient_quota")


def upstream_unreachable() -> APIError:
    return server_error("The class server cannot reach its inference engine right now. Please retry in a few seconds.",
                        "课堂服务器暂时连不上它的推理引擎，请过几秒再试。", status=503, code="upstream_unavailable",
                        headers={"Retry-After": "2"})


def upstream_broke_off() -> APIError:
    return server_error("The inference engine behind the class server stopped in the middle of this answer. Please retry.",
                        "课堂服务器后面的推理引擎在回答中途断开了，请重试。", status=502, code="upstream_error")


def upstream_refused_credentials() -> APIError:
    """The engine refused the teacher's key: not the student's fault, so not a 401."""
    return server_error("The class server's inference engine refused the server's own credentials; tell your teacher.",
                        "课堂服务器的推理引擎拒绝了服务器自己的凭据，请告诉老师。", status=502, code="upstream_error")


def upstream_out_of_quota() -> APIError:
    return APIError(429, "The teacher's account behind the class server has run out of quota.", "课堂服务器背后的老师账户配额已用完。",
                    type="insufficient_quota", code="insufficient_quota")


def upstream_busy() -> APIError:
    return APIError(429, "The inference engine is busy; please retry shortly.", "推理引擎正忙，请稍后重试。",
                    type="requests", code="rate_limit_exceeded", headers={"Retry-After": "1"})


def upstream_failed() -> APIError:
    return server_error("The server had an error while processing your request. Sorry about that!", "服务器处理请求时出错，请重试。")


def upstream_rejected(status: int, message: str, param: str | None, code: str | None) -> APIError:
    """The engine's own 4xx, its message kept (already scrubbed of its address and key)."""
    fallback_en, fallback_zh = ("Not found.", "未找到（原因见前面的英文）。") if status == 404 else \
        ("The inference engine rejected this request.", "推理引擎拒绝了这个请求（原因见前面的英文）。")
    already_bilingual = any("\u4e00" <= ch <= "\u9fff" for ch in message)
    return APIError(status, message or fallback_en, "" if already_bilingual else fallback_zh, param=param, code=code)
