"""Which OpenAI model names the offline server accepts, and what serves them.

Course notebooks name real OpenAI models (`gpt-4o-mini`, `text-embedding-3-small`)
so they run unchanged against the real API. Offline, each such name is an alias
of the local model of the right kind. Names of image, audio and moderation models
get the API's 404 `model_not_found`, with a hint to use the real API.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import model_not_found, real_api_only, wrong_model_kind


def sdk_chat_model_names() -> tuple[str, ...]:
    """Every chat model name in the installed openai SDK's own `ChatModel` type (dated
    snapshots included), so upgrading the SDK brings the new names with it. Audio models
    are left out: they need audio, which the offline server does not have."""
    import typing

    from openai.types.shared.chat_model import ChatModel

    return tuple(n for n in typing.get_args(ChatModel) if "audio" not in n)


# Older names the current SDK no longer lists but course material may still use.
RETIRED_CHAT_NAMES = ("gpt-4.5-preview",)
CHAT_FAMILIES = tuple(dict.fromkeys(sdk_chat_model_names() + RETIRED_CHAT_NAMES))
_CHAT = frozenset(CHAT_FAMILIES)
# Legacy completion models: served on /v1/completions only, as in the real API.
COMPLETION_FAMILIES = ("gpt-3.5-turbo-instruct", "davinci-002", "babbage-002")
EMBEDDING_FAMILIES = ("text-embedding-3-small", "text-embedding-3-large", "text-embedding-ada-002")
REAL_API_ONLY = (
    "dall-e-2", "dall-e-3", "gpt-image-1", "tts-1", "tts-1-hd", "gpt-4o-mini-tts", "whisper-1",
    "gpt-4o-transcribe", "gpt-4o-mini-transcribe", "omni-moderation-latest", "text-moderation-latest",
    "text-moderation-stable", "gpt-4o-realtime-preview", "gpt-4o-audio-preview",
)
# A dated snapshot of a family: gpt-4o-mini-2024-07-18, gpt-4-0613, gpt-3.5-turbo-0125 ...
_SNAPSHOT = re.compile(r"^(?P<family>.+?)(-\d{4}-\d{2}-\d{2}|-\d{4})$")


def family_of(name: str) -> str:
    m = _SNAPSHOT.match(name)
    return m.group("family") if m else name


@dataclass(frozen=True)
class LocalModel:
    id: str
    kind: str  # "chat" or "embedding"
    aliases: tuple[str, ...]
    owned_by: str = "local"
    created: int = 1700000000


class ModelRegistry:
    """Resolves a requested model name to the local model that serves it."""

    def __init__(self, chat_id: str, embedding_id: str):
        self.chat = LocalModel(chat_id, "chat", CHAT_FAMILIES + COMPLETION_FAMILIES)
        self.embedding = LocalModel(embedding_id, "embedding", EMBEDDING_FAMILIES)

    def local_models(self) -> list[LocalModel]:
        return [self.chat, self.embedding]

    def kind_of(self, name: str) -> str | None:
        fam = family_of(name)
        if name == self.chat.id or name in _CHAT or fam in _CHAT:
            return "chat"
        if fam in COMPLETION_FAMILIES:
            return "completion"
        if name == self.embedding.id or fam in EMBEDDING_FAMILIES:
            return "embedding"
        if fam in REAL_API_ONLY or fam.startswith(("dall-e", "tts-", "whisper", "gpt-image")):
            return "real-api-only"
        return None

    def resolve(self, name: str, endpoint: str) -> LocalModel:
        """Return the local model for `name` on `endpoint` or raise the API's error."""
        kind = self.kind_of(name)
        if kind == "real-api-only":
            raise real_api_only(name)
        if kind is None:
            raise model_not_found(name, "GET /v1/models lists the names this server accepts.", "GET /v1/models 列出本服务器接受的模型名。")
        if endpoint == "embeddings":
            if kind != "embedding":
                raise wrong_model_kind(name, "embedding")
            return self.embedding
        if kind == "embedding":
            raise wrong_model_kind(name, "text")
        if endpoint == "completions" and kind == "chat" and name != self.chat.id:
            raise model_not_found(
                name, "This is a chat model and not supported in the v1/completions endpoint. Did you mean to use v1/chat/completions?",
                "这是对话（chat）模型，不能用于 v1/completions 端点。你是想用 v1/chat/completions 吗？")
        if endpoint in ("chat", "responses") and kind == "completion":
            raise model_not_found(
                name, "This is not a chat model and thus not supported in the v1/chat/completions endpoint. Did you mean to use v1/completions?",
                "这不是聊天模型，不能用于 v1/chat/completions 端点。你是想用 v1/completions 吗？")
        return self.chat

    def model_objects(self) -> list[dict]:
        objs = []
        for m in self.local_models():
            objs.append(self.model_object(m.id))
            objs.extend(self.model_object(alias) for alias in m.aliases)
        return objs

    def model_object(self, name: str) -> dict:
        """Exactly the API's Model fields; which local model serves an alias is told by /health (describe)."""
        kind = self.kind_of(name)
        if kind in (None, "real-api-only"):
            raise model_not_found(name)
        served = self.embedding if kind == "embedding" else self.chat
        owner = served.owned_by if name == served.id else "local-alias"
        return {"id": name, "object": "model", "created": served.created, "owned_by": owner}

    def describe(self) -> dict:
        """The local models and the API names each one answers to (for /health)."""
        return {m.kind: {"id": m.id, "aliases": list(m.aliases)} for m in self.local_models()}
