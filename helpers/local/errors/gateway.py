"""Gateway mode: what the class server answers when the engines behind it fail or refuse."""

from __future__ import annotations

from .base import APIError, server_error


def insufficient_quota(what_en: str, what_zh: str) -> APIError:
    """A student's budget is used up: the real API's answer for an account with no credit left."""
    return APIError(
        429,
        f"You exceeded your current quota, please check your plan and billing details. ({what_en} Ask your teacher.)",
        f"你已超出当前配额（{what_zh}），请联系老师。",
        type="insufficient_quota",
        code="insufficient_quota",
    )


def upstream_unreachable() -> APIError:
    return server_error(
        "The class server cannot reach its inference engine right now. Please retry in a few seconds.",
        "课堂服务器暂时连不上它的推理引擎，请过几秒再试。",
        status=503,
        code="upstream_unavailable",
        headers={"Retry-After": "2"},
    )


def upstream_broke_off() -> APIError:
    return server_error(
        "The inference engine behind the class server stopped in the middle of this answer. Please retry.",
        "课堂服务器后面的推理引擎在回答中途断开了，请重试。",
        status=502,
        code="upstream_error",
    )


def upstream_refused_credentials() -> APIError:
    """The engine refused the teacher's key: not the student's fault, so not a 401."""
    return server_error(
        "The class server's inference engine refused the server's own credentials; tell your teacher.",
        "课堂服务器的推理引擎拒绝了服务器自己的凭据，请告诉老师。",
        status=502,
        code="upstream_error",
    )


def upstream_out_of_quota() -> APIError:
    return APIError(
        429,
        "The teacher's account behind the class server has run out of quota.",
        "课堂服务器背后的老师账户配额已用完。",
        type="insufficient_quota",
        code="insufficient_quota",
    )


def upstream_busy() -> APIError:
    return APIError(
        429,
        "The inference engine is busy; please retry shortly.",
        "推理引擎正忙，请稍后重试。",
        type="requests",
        code="rate_limit_exceeded",
        headers={"Retry-After": "1"},
    )


def upstream_failed() -> APIError:
    return server_error("The server had an error while processing your request. Sorry about that!", "服务器处理请求时出错，请重试。")


def upstream_rejected(status: int, message: str, param: str | None, code: str | None) -> APIError:
    """The engine's own 4xx, its message kept (already scrubbed of its address and key)."""
    fallback_en, fallback_zh = (
        ("Not found.", "未找到（原因见前面的英文）。")
        if status == 404
        else ("The inference engine rejected this request.", "推理引擎拒绝了这个请求（原因见前面的英文）。")
    )
    already_bilingual = any("\u4e00" <= ch <= "\u9fff" for ch in message)
    return APIError(status, message or fallback_en, "" if already_bilingual else fallback_zh, param=param, code=code)
