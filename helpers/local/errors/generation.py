"""Models and generation: unknown or wrong-kind models, context and output limits, the engine's refusals,
Responses state (previous_response_id, background)."""

from __future__ import annotations

from .base import REAL_API_HINT_EN, REAL_API_HINT_ZH, APIError, invalid, server_error


def model_not_found(model: str, hint_en: str = "", hint_zh: str = "") -> APIError:
    en = f"The model `{model}` does not exist or you do not have access to it."
    zh = f"模型 `{model}` 不存在，或你无权使用它。"
    if hint_en:
        en, zh = f"{en} {hint_en}", f"{zh}{hint_zh}"
    return APIError(404, en, zh, code="model_not_found")


def real_api_only(name: str) -> APIError:
    """The 404 for image, audio and moderation models (and their endpoints) offline."""
    return model_not_found(
        name,
        f"The offline course server has no image, audio or moderation models. {REAL_API_HINT_EN}",
        f"离线课程服务器没有图像、音频或内容审核模型。{REAL_API_HINT_ZH}",
    )


def wrong_model_kind(name: str, wanted: str) -> APIError:
    """An embedding model asked to generate text, or a text model asked for embeddings."""
    if wanted == "embedding":
        return invalid(
            f"The model `{name}` is not an embedding model; use e.g. `text-embedding-3-small`.",
            f"模型 `{name}` 不是嵌入（embedding）模型，请改用例如 `text-embedding-3-small`。",
            param="model",
            code="invalid_value",
        )
    return invalid(
        f"The model `{name}` is an embedding model and cannot generate text.", f"模型 `{name}` 是嵌入模型，不能生成文本。", param="model", code="invalid_value"
    )


# ---- generation -----------------------------------------------------------------------------


def context_length_exceeded(
    n_ctx: int, prompt: int, completion: int | None = None, *, param: str = "messages", what_en: str = "your messages", what_zh: str = "你的消息"
) -> APIError:
    """The API's one context error; `completion` is the requested output limit when there is one."""
    if completion is None:
        en = f"This model's maximum context length is {n_ctx} tokens. However, {what_en} resulted in {prompt} tokens. Please reduce the length of the {param}."
        zh = f"该模型的最大上下文长度是 {n_ctx} 个词元（token），而{what_zh}有 {prompt} 个词元。请缩短它。"
    else:
        en = (
            f"This model's maximum context length is {n_ctx} tokens. However, you requested {prompt + completion} tokens "
            f"({prompt} in the {param}, {completion} in the completion). Please reduce the length of the {param} or completion."
        )
        zh = (
            f"该模型的最大上下文长度是 {n_ctx} 个词元，而你请求了 {prompt + completion} 个"
            f"（输入 {prompt} 个，输出上限 {completion} 个）。请缩短输入或减小输出上限。"
        )
    return invalid(en, zh, param=param, code="context_length_exceeded")


def previous_response_not_found(rid: str) -> APIError:
    return invalid(
        f"Previous response with id '{rid}' not found.",
        f"找不到 id 为 '{rid}' 的上一个响应（previous_response_id）：它不存在、已删除、已过期，或不是用你的密钥以 store=true 创建的。",
        param="previous_response_id",
        code="previous_response_not_found",
    )


def background_needs_store() -> APIError:
    return invalid(
        "Background responses must be stored: 'background' requires 'store' to be true (its default).",
        "后台模式（background）的响应必须保存：使用 background 时 store 必须为 true（默认值）。",
        param="background",
        code="invalid_value",
    )


def background_stream_not_supported() -> APIError:
    return invalid(
        f"The offline course server does not stream background responses; create it without 'stream' and poll it. {REAL_API_HINT_EN}",
        f"离线课程服务器不支持流式的后台响应；请去掉 stream，创建后轮询它。{REAL_API_HINT_ZH}",
        param="stream",
        code="invalid_value",
    )


def cannot_cancel_synchronous() -> APIError:
    return invalid(
        "Cannot cancel a synchronous response. Only responses created with background=true can be cancelled.",
        "不能取消同步响应：只有用 background=true 创建的响应才能取消。",
    )


def output_cap_exceeded(param: str, value: int, cap: int) -> APIError:
    return invalid(
        f"{param} is too large: {value}. This model supports at most {cap} completion tokens, whereas you provided {value}.",
        f"{param} 太大：{value}。该模型每次最多输出 {cap} 个词元。",
        param=param,
        code="invalid_value",
    )


def json_mode_needs_json_word(param: str = "messages") -> APIError:
    return invalid(
        f"'{param}' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
        f"使用 json_object 类型的 response_format 时，{param} 里必须出现单词 'json'。",
        param=param,
    )


def top_logprobs_needs_logprobs() -> APIError:
    return invalid(
        "Invalid value for 'top_logprobs': 'logprobs' must be set to true when 'top_logprobs' is used.",
        "使用 top_logprobs 时必须同时设置 logprobs 为 true。",
        param="top_logprobs",
        code="invalid_value",
    )


def model_rejected(message: str) -> APIError:
    """llama.cpp refused a request for a reason the client can fix (a 4xx from the engine)."""
    return invalid(f"The local model rejected the request: {message}", f"本地模型拒绝了该请求：{message}", code="invalid_value")


def model_cannot_template(reason: str) -> APIError:
    return invalid(f"The local model cannot process these messages: {reason}", f"本地模型无法处理这些消息：{reason}", param="messages", code="invalid_value")


def model_failed(message: str) -> APIError:
    return server_error(f"The local model failed: {message}", f"本地模型出错：{message}")
