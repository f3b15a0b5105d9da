"""Upstream errors rewritten as the API's own, for the student.

The student should meet the same exception class as with the real API
(BadRequestError for a mistake of theirs, NotFoundError for an unknown model,
InternalServerError for trouble behind the class server), and never the teacher's
key, the upstream's address or its internal model name.
"""
from __future__ import annotations

import json
import re
from typing import Any

from ..errors import APIError, model_not_found
from .config import UpstreamSpec

_URL = re.compile(r"https?://\S+")
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def scrub(text: str, spec: UpstreamSpec, student_model: str, upstream_model: str) -> str:
    """Remove the key, the upstream's address and its model name from an upstream message."""
    if spec.key:
        text = text.replace(spec.key, "***")
    host = spec.url.split("://", 1)[-1].split("/", 1)[0]
    text = _URL.sub("<upstream>", text).replace(host, "<upstream>")
    if upstream_model and upstream_model != student_model:
        text = text.replace(upstream_model, student_model)
    return text[:2000]


def _error_fields(raw: bytes) -> dict[str, Any]:
    """The `error` object of an OpenAI-style body; vLLM, Ollama and llama.cpp's server use it too."""
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return {}
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict):
            return err
        if isinstance(err, str):
            return {"message": err}
    return {}


def _zh(message: str, fallback: str) -> str:
    """An upstream message that is already bilingual (this project's own server) keeps its Chinese."""
    return "" if _CHINESE.search(message) else fallback


def upstream_unreachable() -> APIError:
    return APIError(503, "The class server cannot reach its inference engine right now. Please retry in a few seconds.",
                    "课堂服务器暂时连不上它的推理引擎，请过几秒再试。", type="server_error", code="upstream_unavailable",
                    headers={"Retry-After": "2"})


def upstream_broke_off() -> APIError:
    return APIError(502, "The inference engine behind the class server stopped in the middle of this answer. Please retry.",
                    "课堂服务器后面的推理引擎在回答中途断开了，请重试。", type="server_error", code="upstream_error")


def map_upstream_error(status: int, raw: bytes, spec: UpstreamSpec, student_model: str, upstream_model: str) -> APIError:
    """The student's error for an upstream's error answer (4xx or final 5xx)."""
    err = _error_fields(raw)
    message = scrub(str(err.get("message") or ""), spec, student_model, upstream_model)
    param = err.get("param") if isinstance(err.get("param"), str) else None
    code = err.get("code") if isinstance(err.get("code"), str) else None
    if status in (401, 403):  # the teacher's upstream key, not the student's: not the student's fault
        return APIError(502, "The class server's inference engine refused the server's own credentials; tell your teacher.",
                        "课堂服务器的推理引擎拒绝了服务器自己的凭据，请告诉老师。", type="server_error", code="upstream_error")
    if status == 404 and ("model" in message.lower() or code == "model_not_found"):
        return model_not_found(student_model)
    if status == 404:
        return APIError(404, message or "Not found.", _zh(message, "未找到（原因见前面的英文）。"), param=param, code=code)
    if status == 429:
        if code == "insufficient_quota":
            return APIError(429, "The teacher's account behind the class server has run out of quota.",
                            "课堂服务器背后的老师账户配额已用完。", type="insufficient_quota", code="insufficient_quota")
        return APIError(429, "The inference engine is busy; please retry shortly.", "推理引擎正忙，请稍后重试。",
                        type="requests", code="rate_limit_exceeded", headers={"Retry-After": "1"})
    if 400 <= status < 500:  # 400, 413, 422 (vLLM's validation errors): the request itself
        return APIError(400, message or "The inference engine rejected this request.",
                        _zh(message, "推理引擎拒绝了这个请求（原因见前面的英文）。"), param=param, code=code)
    return APIError(500, "The server had an error while processing your request. Sorry about that!",
                    "服务器处理请求时出错，请重试。", type="server_error")


def retry_after_seconds(headers: Any, default: float = 1.0) -> float:
    try:
        return min(max(float(headers.get("retry-after", default)), 0.1), 60.0)
    except (TypeError, ValueError):
        return default
