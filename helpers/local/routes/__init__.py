"""One module per API area; each offers `router(state, pipeline) -> APIRouter`."""
from __future__ import annotations

from fastapi import APIRouter

from . import admin, chat, completions, conversations, embeddings, models, responses, stored


def routers(state, pipeline) -> list[APIRouter]:
    # stored comes after chat: GET /v1/chat/completions lists, POST creates.
    return [m.router(state, pipeline) for m in (models, chat, stored, completions, responses, conversations, embeddings, admin)]
