"""The error answer itself and the two kinds every factory builds on: 400 invalid_request_error, 5xx server_error."""

from __future__ import annotations

from typing import Any

REAL_API_HINT_EN = "Set OPENAI_API_KEY (and unset COURSE_BACKEND=offline) to use the real OpenAI API for this."
REAL_API_HINT_ZH = "如需此功能，请设置 OPENAI_API_KEY（并取消 COURSE_BACKEND=offline），改用真实的 OpenAI API。"


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
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


def invalid(message_en: str, message_zh: str, *, param: str | None = None, code: str | None = None) -> APIError:
    """400 invalid_request_error: the client sent something the API does not accept."""
    return APIError(400, message_en, message_zh, param=param, code=code)


def server_error(message_en: str, message_zh: str, *, status: int = 500, code: str | None = None, headers: dict[str, str] | None = None) -> APIError:
    return APIError(status, message_en, message_zh, type="server_error", code=code, headers=headers)
