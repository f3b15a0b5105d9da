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

from .. import errors
from ..errors import APIError
from .config import UpstreamSpec

_URL = re.compile(r"https?://\S+")


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


def map_upstream_error(status: int, raw: bytes, spec: UpstreamSpec, student_model: str, upstream_model: str) -> APIError:
    """The student's error for an upstream's error answer (4xx or final 5xx)."""
    err = _error_fields(raw)
    message = scrub(str(err.get("message") or ""), spec, student_model, upstream_model)
    param = err.get("param") if isinstance(err.get("param"), str) else None
    code = err.get("code") if isinstance(err.get("code"), str) else None
    if status in (401, 403):  # the teacher's upstream key, not the student's: not the student's fault
        return errors.upstream_refused_credentials()
    if status == 404 and ("model" in message.lower() or code == "model_not_found"):
        return errors.model_not_found(student_model)
    if status == 429:
        return errors.upstream_out_of_quota() if code == "insufficient_quota" else errors.upstream_busy()
    if 400 <= status < 500:  # 400, 404, 413, 422 (vLLM's validation errors): the request itself
        return errors.upstream_rejected(404 if status == 404 else 400, message, param, code)
    return errors.upstream_failed()


def retry_after_seconds(headers: Any, default: float = 1.0) -> float:
    try:
        return min(max(float(headers.get("retry-after", default)), 0.1), 60.0)
    except (TypeError, ValueError):
        return default
