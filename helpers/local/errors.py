"""OpenAI-shaped errors.

The offline server must make the `openai` SDK raise the same exception classes a
learner meets in production (BadRequestError, AuthenticationError, NotFoundError,
RateLimitError, ...). The SDK picks the class from the HTTP status code and shows
the JSON body, so every error here carries OpenAI's status, `type`, `param` and
`code`, and a message in English followed by Chinese.
"""
from __future__ import annotations

from typing import Any


class APIError(Exception):
    """An error answer: raise it anywhere in a handler, the app turns it into JSON."""

    def __init__(
        self,
        status: int,
        message_en: str,
        message_zh: str = "",
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message_en)
        self.status = status
        self.message = f"{message_en} / {message_zh}" if message_zh else message_en
        self.type = type
        self.param = param
        self.code = code
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "param": self.param,
                "code": self.code,
            }
        }


def invalid(message_en: str, message_zh: str, *, param: str | None = None, code: str | None = None) -> APIError:
    """400 invalid_request_error: the client sent something the API does not accept."""
    return APIError(400, message_en, message_zh, param=param, code=code)


def model_not_found(model: str, hint_en: str = "", hint_zh: str = "") -> APIError:
    en = f"The model `{model}` does not exist or you do not have access to it."
    zh = f"模型 `{model}` 不存在，或你无权使用它。"
    if hint_en:
        en, zh = f"{en} {hint_en}", f"{zh}{hint_zh}"
    return APIError(404, en, zh, code="model_not_found")


def missing_api_key() -> APIError:
    return APIError(
        401,
        "You didn't provide an API key. You need to provide your API key in an "
        "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        "你没有提供 API 密钥（API key）。请在 Authorization 请求头里用 Bearer 方式提供，"
        "即 Authorization: Bearer 你的密钥。",
        code="invalid_api_key",
    )


def mask_key(key: str) -> str:
    """Show only the last 4 characters of a key, the way the course shows keys everywhere."""
    key = key or ""
    if len(key) <= 4:
        return "*" * len(key)
    return "*" * min(len(key) - 4, 12) + key[-4:]


def incorrect_api_key(key: str) -> APIError:
    shown = mask_key(key)
    return APIError(
        401,
        f"Incorrect API key provided: {shown}. Ask your teacher for a valid key of this server, "
        "or unset OPENAI_BASE_URL to use your own offline server.",
        f"提供的 API 密钥不正确：{shown}。请向老师要这个服务器的有效密钥，"
        "或取消 OPENAI_BASE_URL 以使用本机离线服务器。",
        code="invalid_api_key",
    )
