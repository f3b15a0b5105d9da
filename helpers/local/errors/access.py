"""Who may call and how much: keys, rate limits, and the server's own capacity (overload, shutdown)."""

from __future__ import annotations

from ...redact import mask_key
from .base import APIError, server_error


def missing_api_key() -> APIError:
    return APIError(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        "你没有提供 API 密钥（API key）。请在 Authorization 请求头里用 Bearer 方式提供，即 Authorization: Bearer 你的密钥。",
        code="invalid_api_key",
    )


def incorrect_api_key(key: str) -> APIError:
    shown = mask_key(key)
    return APIError(
        401,
        f"Incorrect API key provided: {shown}. Ask your teacher for a valid key of this server, or unset OPENAI_BASE_URL to use your own offline server.",
        f"提供的 API 密钥不正确：{shown}。请向老师要这个服务器的有效密钥，或取消 OPENAI_BASE_URL 以使用本机离线服务器。",
        code="invalid_api_key",
    )


def admin_key_required() -> APIError:
    return APIError(
        401, "This endpoint needs the server's admin key (serve --admin-key).", "这个端点需要服务器的管理员密钥（serve --admin-key）。", code="invalid_api_key"
    )


def rate_limited(kind: str, en: str, zh: str, headers: dict[str, str]) -> APIError:
    """429 rate_limit_exceeded; kind is the API's error type: "requests" or "tokens"."""
    return APIError(429, en, zh, type=kind, code="rate_limit_exceeded", headers=headers)


def tpm_request_too_large(model: str, limit: int, requested: int, headers: dict[str, str]) -> APIError:
    return rate_limited(
        "tokens",
        f"Request too large for {model} on tokens per min (TPM): Limit {limit}, Requested {requested}. "
        "The input or output tokens must be reduced in order to run successfully.",
        f"请求过大，超过每分钟词元数（TPM）上限：限额 {limit}，本次请求 {requested}。请减少输入或输出词元。",
        headers,
    )


def tpm_reached(model: str, limit: int, used: int, requested: int, wait: int, headers: dict[str, str]) -> APIError:
    return rate_limited(
        "tokens",
        f"Rate limit reached for {model} on tokens per min (TPM): Limit {limit}, Used {used}, Requested {requested}. Please try again in {wait}s.",
        f"已达到每分钟词元数（TPM）上限：限额 {limit}，已用 {used}，本次 {requested}。请在 {wait} 秒后重试。",
        headers,
    )


def rpm_reached(model: str, limit: int, used: int, wait: int, headers: dict[str, str]) -> APIError:
    return rate_limited(
        "requests",
        f"Rate limit reached for {model} on requests per min (RPM): Limit {limit}, Used {used}, Requested 1. Please try again in {wait}s.",
        f"已达到每分钟请求数（RPM）上限：限额 {limit}，已用 {used}。请在 {wait} 秒后重试。",
        headers,
    )


def too_many_concurrent(per_key: int, max_waiting: int) -> APIError:
    return rate_limited(
        "requests",
        f"Too many concurrent requests for this API key: at most {per_key} run at once and {max_waiting} may wait. Wait for your earlier requests to finish.",
        f"这个 API 密钥的并发请求太多：最多同时运行 {per_key} 个、等待 {max_waiting} 个。请等之前的请求完成。",
        {"Retry-After": "1"},
    )


def overloaded() -> APIError:
    return server_error(
        "The offline server is overloaded: too many requests are waiting. Please retry in a few seconds.",
        "离线服务器过载：等待中的请求太多。请过几秒再试。",
        status=503,
        code="server_overloaded",
        headers={"Retry-After": "2"},
    )


def shutting_down() -> APIError:
    return server_error(
        "The offline server is shutting down. Please retry when it is back.",
        "离线服务器正在关闭，请等它重新启动后再试。",
        status=503,
        code="server_shutting_down",
        headers={"Retry-After": "5"},
    )


def unexpected() -> APIError:
    return server_error("The offline server had an unexpected error; it keeps running. Please retry.", "离线服务器出现意外错误（服务仍在运行），请重试。")


def generation_failed(reason: str) -> APIError:
    return server_error(f"Generation failed: {reason}", "生成失败。")
