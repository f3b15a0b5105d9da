"""Which API the notebooks talk to, decided from environment variables alone.

Order: COURSE_BACKEND if set (offline | openai | compatible | azure); else Azure
variables; else OPENAI_BASE_URL + OPENAI_API_KEY (any OpenAI-compatible
provider or a class server); else OPENAI_API_KEY (the real API); else offline.
Pure function of the environment, so every case is testable without a network.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlparse

from .local.config import DEFAULT_PORT, PORT_ENV, port_from_env
from .redact import mask_key

OPENAI_URL = "https://api.openai.com/v1"
DEFAULT_AZURE_API_VERSION = "2024-10-21"
KINDS = ("offline", "openai", "compatible", "azure")


class BackendConfigError(ValueError):
    """A setting is wrong; the message says which and what to do, in both languages."""


@dataclass(frozen=True)
class Backend:
    kind: str
    base_url: str
    api_key: str
    chat_model: str
    embedding_model: str
    api_version: str | None = None

    @property
    def key_hint(self) -> str:
        return mask_key(self.api_key) if self.api_key else "(none)"

    def __repr__(self) -> str:  # never show the key itself
        return f"Backend(kind={self.kind!r}, base_url={self.base_url!r}, key={self.key_hint}, chat_model={self.chat_model!r}, embedding_model={self.embedding_model!r})"


def offline_port(env: Mapping[str, str] = os.environ) -> int:
    try:
        return port_from_env(env, DEFAULT_PORT)
    except ValueError:
        raise BackendConfigError(f"{PORT_ENV} must be a number, got {env.get(PORT_ENV)!r}. / {PORT_ENV} 必须是数字。") from None


def offline_url(env: Mapping[str, str] = os.environ) -> str:
    return f"http://127.0.0.1:{offline_port(env)}/v1"


def _is_offline_url(url: str, env: Mapping[str, str]) -> bool:
    """OPENAI_BASE_URL pointing at our own local server (get_client exports it so
    `OpenAI()` works in notebooks) still means the offline backend."""
    u = urlparse(url)
    return u.hostname in ("127.0.0.1", "localhost") and u.port == offline_port(env)


def detect_backend(env: Mapping[str, str] = os.environ) -> Backend:
    forced = (env.get("COURSE_BACKEND") or "").strip().lower()
    if forced and forced not in KINDS:
        raise BackendConfigError(f"COURSE_BACKEND={forced!r} is not one of {', '.join(KINDS)}. / COURSE_BACKEND 只能是 {', '.join(KINDS)} 之一。")
    key = env.get("OPENAI_API_KEY", "").strip()
    base = env.get("OPENAI_BASE_URL", "").strip().rstrip("/")
    azure_key = env.get("AZURE_OPENAI_API_KEY", "").strip()
    azure_endpoint = env.get("AZURE_OPENAI_ENDPOINT", "").strip()
    chat = env.get("COURSE_CHAT_MODEL", "").strip() or "gpt-4o-mini"
    emb = env.get("COURSE_EMBEDDING_MODEL", "").strip() or "text-embedding-3-small"

    kind = forced
    if not kind:
        if azure_key and azure_endpoint:
            kind = "azure"
        elif base and not _is_offline_url(base, env):
            kind = "compatible"
        elif key and not base:
            kind = "openai"
        else:
            kind = "offline"

    if kind == "offline":
        return Backend("offline", offline_url(env), "offline-no-key-needed", chat, emb)
    if kind == "azure":
        if not (azure_key and azure_endpoint):
            raise BackendConfigError("Azure needs AZURE_OPENAI_API_KEY and AZURE_OPENAI_ENDPOINT. / 使用 Azure 需要设置 AZURE_OPENAI_API_KEY 和 AZURE_OPENAI_ENDPOINT。")
        return Backend("azure", azure_endpoint, azure_key, chat, emb, env.get("OPENAI_API_VERSION", "").strip() or DEFAULT_AZURE_API_VERSION)
    if not key:
        raise BackendConfigError(
            f"COURSE_BACKEND={kind} needs OPENAI_API_KEY. Set it in your environment or the .env file, or use COURSE_BACKEND=offline. / "
            f"COURSE_BACKEND={kind} 需要 OPENAI_API_KEY：请在环境变量或 .env 文件里设置，或改用 COURSE_BACKEND=offline。")
    if kind == "compatible":
        if not base:
            raise BackendConfigError("COURSE_BACKEND=compatible needs OPENAI_BASE_URL (e.g. https://api.deepseek.com/v1). / 需要设置 OPENAI_BASE_URL。")
        return Backend("compatible", base, key, chat, emb)
    return Backend("openai", OPENAI_URL, key, chat, emb)
