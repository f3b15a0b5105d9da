"""Capability profiles: make the offline server lack a feature, as some providers do.

Why: the course promises that every notebook runs on OpenAI, Azure OpenAI and
compatible providers, and some of those (DeepSeek, for example) have no
embeddings, no legacy completions or no stored completions. `serve --profile
no-embeddings,no-completions,no-store` (or env COURSE_LOCAL_PROFILE) lets the
tests and a teacher prove a lesson copes: a missing endpoint answers exactly what
the API answers for an unknown URL (404 `Invalid URL (POST /v1/embeddings)`), so
the SDK raises `openai.NotFoundError` as it would with such a provider.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from . import errors
from .middleware import send_error

PROFILE_ENV = "COURSE_LOCAL_PROFILE"

# flag -> (what it removes, 中文说明)
FLAGS = {
    "no-embeddings": ("POST /v1/embeddings answers 404; /v1/models lists no embedding model", "没有嵌入接口"),
    "no-completions": ("POST /v1/completions answers 404", "没有旧版补全接口"),
    "no-store": ("`store` is ignored; the stored chat completion routes answer 404", "不保存对话补全"),
    "no-responses": ("/v1/responses and /v1/conversations answer 404", "没有 Responses API"),
}

_STORED_ONE = re.compile(r"^/v1/chat/completions/[^/]+(/messages)?/?$")
_RESPONSES = re.compile(r"^/v1/(responses|conversations)(/.*)?$")


class ProfileError(ValueError):
    """An unknown flag; the message is bilingual and lists the known ones."""


def parse_profile(text: str | None) -> frozenset[str]:
    """`"no-embeddings, no-store"` -> frozenset of flags; raises ProfileError on an unknown flag."""
    flags = frozenset(f.strip().lower() for f in (text or "").split(",") if f.strip())
    unknown = sorted(flags - FLAGS.keys())
    if unknown:
        known = ", ".join(FLAGS)
        raise ProfileError(
            f"Unknown profile flag(s): {', '.join(unknown)}. Known flags: {known}. / 未知的能力配置项：{', '.join(unknown)}。可用的配置项：{known}。"
        )
    return flags


def profile_from_env(env: Mapping[str, str] = os.environ) -> str:
    return env.get(PROFILE_ENV, "").strip()


def is_removed(flags: frozenset[str], method: str, path: str) -> bool:
    """Does this profile take away the endpoint that `method path` would reach?"""
    if "no-embeddings" in flags and path.rstrip("/") == "/v1/embeddings":
        return True
    if "no-completions" in flags and path.rstrip("/") == "/v1/completions":
        return True
    if "no-store" in flags and ((method == "GET" and path.rstrip("/") == "/v1/chat/completions") or _STORED_ONE.match(path)):
        return True
    return "no-responses" in flags and bool(_RESPONSES.match(path))


class ProfileMiddleware:
    """Answers a removed endpoint with the API's unknown-URL 404, before any route sees it.

    It sits inside the gate (auth, request id, usage), so a missing key still gets
    401 first, exactly as for any other unknown URL."""

    def __init__(self, app, flags: frozenset[str]):
        self.app = app
        self.flags = flags

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and self.flags and is_removed(self.flags, scope["method"], scope["path"]):
            return await send_error(send, errors.url_not_found(scope["method"], scope["path"]), [])
        return await self.app(scope, receive, send)
