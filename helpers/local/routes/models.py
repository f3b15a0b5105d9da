"""GET /v1/models, GET /v1/models/{id}, and the endpoints only the real API has
(images, audio, moderation), which answer the API's 404 with a hint."""

from __future__ import annotations

from fastapi import APIRouter, Request

from .. import errors
from ..bodies import read_json

REAL_API_ONLY_PATHS = (
    ("/v1/images/generations", "dall-e-2"),
    ("/v1/images/edits", "dall-e-2"),
    ("/v1/images/variations", "dall-e-2"),
    ("/v1/audio/speech", "tts-1"),
    ("/v1/audio/transcriptions", "whisper-1"),
    ("/v1/audio/translations", "whisper-1"),
    ("/v1/moderations", "omni-moderation-latest"),
)


async def _requested_model(request: Request, default_model: str) -> str:
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = await read_json(request)
        except errors.APIError:
            return default_model
        if isinstance(body, dict) and isinstance(body.get("model"), str):
            return body["model"]
    return default_model


def router(state, pipeline) -> APIRouter:
    r = APIRouter()

    # A provider without embeddings (profile no-embeddings) lists no embedding model and knows none.
    hidden = "embedding" if "no-embeddings" in state.config.profile else None

    @r.get("/v1/models")
    async def list_models():
        return {"object": "list", "data": [m for m in state.registry.model_objects() if state.registry.kind_of(m["id"]) != hidden]}

    @r.get("/v1/models/{model_id:path}")
    async def get_model(model_id: str):
        if state.registry.kind_of(model_id) == hidden:
            raise errors.model_not_found(model_id)
        return state.registry.model_object(model_id)

    for path, default in REAL_API_ONLY_PATHS:

        async def needs_real_api(request: Request, _default: str = default):
            raise errors.real_api_only(await _requested_model(request, _default))

        r.add_api_route(path, needs_real_api, methods=["POST"], name=path)

    return r
