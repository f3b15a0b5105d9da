"""The stored-completions endpoints of the API, each key seeing only its own.

GET /v1/chat/completions (list: limit, after, order, model, metadata[k]=v),
GET /v1/chat/completions/{id}, GET /v1/chat/completions/{id}/messages,
POST /v1/chat/completions/{id} (update metadata), DELETE /v1/chat/completions/{id}.
Another key's completion answers 404, exactly like one that does not exist.
"""
from __future__ import annotations

import re
from typing import Any

import anyio
from fastapi import FastAPI, Request

from .bodies import read_json
from .errors import APIError, invalid
from .schema import validate_body
from .specs import UPDATE_STORED_FIELDS

_META = re.compile(r"^metadata\[(.+)\]$")


def not_found(cid: str) -> APIError:
    return APIError(404, f"No chat completion found with id '{cid}'. Only completions created with store=true by your own key are kept.",
                    f"找不到 id 为 '{cid}' 的对话补全。只有用你自己的密钥、并设置 store=true 创建的补全才会被保存。",
                    param="completion_id", code="not_found")


def _limit_order(request: Request, default_limit: int = 20) -> tuple[int, str, str | None]:
    q = request.query_params
    try:
        limit = int(q.get("limit", default_limit))
    except ValueError:
        raise invalid("Invalid 'limit': expected an integer.", "'limit' 必须是整数。", param="limit", code="invalid_type") from None
    if not 1 <= limit <= 100:
        raise invalid(f"Invalid 'limit': expected a value between 1 and 100, but got {limit} instead.",
                      f"'limit' 必须在 1 到 100 之间，实际是 {limit}。", param="limit", code="invalid_value")
    order = q.get("order", "asc")
    if order not in ("asc", "desc"):
        raise invalid(f"Invalid value: '{order}'. Supported values are: 'asc' and 'desc'.", f"'order' 只能是 asc 或 desc。",
                      param="order", code="invalid_value")
    return limit, order, q.get("after")


def _page(items: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    return {"object": "list", "data": items, "first_id": items[0]["id"] if items else None,
            "last_id": items[-1]["id"] if items else None, "has_more": has_more}


def add_stored_routes(app: FastAPI, state, body_schema) -> None:
    store = state.store

    @app.get("/v1/chat/completions")
    async def list_stored(request: Request):
        limit, order, after = _limit_order(request)
        metadata = {m.group(1): v for k, v in request.query_params.items() if (m := _META.match(k))}
        items, more = await anyio.to_thread.run_sync(
            lambda: store.list(request.state.who, model=request.query_params.get("model"), metadata=metadata, after=after,
                               limit=limit, order=order))
        return _page(items, more)

    @app.get("/v1/chat/completions/{completion_id}")
    async def get_stored(completion_id: str, request: Request):
        found = await anyio.to_thread.run_sync(store.get, request.state.who, completion_id)
        if found is None:
            raise not_found(completion_id)
        return found

    @app.get("/v1/chat/completions/{completion_id}/messages")
    async def get_stored_messages(completion_id: str, request: Request):
        limit, order, after = _limit_order(request)
        msgs = await anyio.to_thread.run_sync(store.messages, request.state.who, completion_id)
        if msgs is None:
            raise not_found(completion_id)
        if order == "desc":
            msgs = msgs[::-1]
        if after:
            ids = [m["id"] for m in msgs]
            msgs = msgs[ids.index(after) + 1:] if after in ids else []
        return _page(msgs[:limit], len(msgs) > limit)

    @app.post("/v1/chat/completions/{completion_id}", openapi_extra=body_schema(UPDATE_STORED_FIELDS))
    async def update_stored(completion_id: str, request: Request):
        body = validate_body(await read_json(request, state.config.max_body_bytes), UPDATE_STORED_FIELDS)
        updated = await anyio.to_thread.run_sync(store.update_metadata, request.state.who, completion_id, body["metadata"])
        if updated is None:
            raise not_found(completion_id)
        return updated

    @app.delete("/v1/chat/completions/{completion_id}")
    async def delete_stored(completion_id: str, request: Request):
        if not await anyio.to_thread.run_sync(store.delete, request.state.who, completion_id):
            raise not_found(completion_id)
        return {"object": "chat.completion.deleted", "id": completion_id, "deleted": True}
