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
from fastapi import APIRouter, Request

from .. import errors
from ..schema import openapi_body
from ..specs import UPDATE_STORED_FIELDS

_META = re.compile(r"^metadata\[(.+)\]$")
MAX_PAGE = 100


def not_found(cid: str) -> errors.APIError:
    return errors.not_found("chat completion", "对话补全", cid, "completion_id",
                            "Only completions created with store=true by your own key are kept.",
                            "只有用你自己的密钥、并设置 store=true 创建的补全才会被保存。")


def page_params(request: Request, default_limit: int = 20, default_order: str = "asc") -> tuple[int, str, str | None]:
    """limit, order and after of a list request, checked like the API checks them."""
    q = request.query_params
    try:
        limit = int(q.get("limit", default_limit))
    except ValueError:
        raise errors.invalid_query_value("limit", "expected an integer.", "必须是整数。", code="invalid_type") from None
    if not 1 <= limit <= MAX_PAGE:
        raise errors.invalid_query_value("limit", f"expected a value between 1 and {MAX_PAGE}, but got {limit} instead.",
                                         f"必须在 1 到 {MAX_PAGE} 之间，实际是 {limit}。")
    order = q.get("order", default_order)
    if order not in ("asc", "desc"):
        raise errors.unsupported_value("order", order, ("asc", "desc"))
    return limit, order, q.get("after")


def page(items: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    return {"object": "list", "data": items, "first_id": items[0]["id"] if items else None,
            "last_id": items[-1]["id"] if items else None, "has_more": has_more}


def page_of_items(items: list[dict[str, Any]], limit: int, order: str, after: str | None) -> dict[str, Any]:
    """One page of an item list kept oldest first (a conversation's or a response's input
    items): the API's `order`, an `after` cursor, and `has_more`."""
    if order == "desc":
        items = items[::-1]
    if after:
        ids = [i["id"] for i in items]
        items = items[ids.index(after) + 1:] if after in ids else []
    return page(items[:limit], len(items) > limit)


def router(state, pipeline) -> APIRouter:
    r = APIRouter()
    store = state.store

    @r.get("/v1/chat/completions")
    async def list_stored(request: Request):
        limit, order, after = page_params(request)
        metadata = {m.group(1): v for k, v in request.query_params.items() if (m := _META.match(k))}
        items, more = await anyio.to_thread.run_sync(
            lambda: store.list(request.state.who, model=request.query_params.get("model"), metadata=metadata, after=after,
                               limit=limit, order=order))
        return page(items, more)

    @r.get("/v1/chat/completions/{completion_id}")
    async def get_stored(completion_id: str, request: Request):
        found = await anyio.to_thread.run_sync(store.get, request.state.who, completion_id)
        if found is None:
            raise not_found(completion_id)
        return found

    @r.get("/v1/chat/completions/{completion_id}/messages")
    async def get_stored_messages(completion_id: str, request: Request):
        limit, order, after = page_params(request)
        msgs = await anyio.to_thread.run_sync(store.messages, request.state.who, completion_id)
        if msgs is None:
            raise not_found(completion_id)
        if order == "desc":
            msgs = msgs[::-1]
        if after:
            ids = [m["id"] for m in msgs]
            msgs = msgs[ids.index(after) + 1:] if after in ids else []
        return page(msgs[:limit], len(msgs) > limit)

    @r.post("/v1/chat/completions/{completion_id}", openapi_extra=openapi_body(UPDATE_STORED_FIELDS))
    async def update_stored(completion_id: str, request: Request):
        body = await pipeline.body(request, UPDATE_STORED_FIELDS)
        updated = await anyio.to_thread.run_sync(store.update_metadata, request.state.who, completion_id, body["metadata"])
        if updated is None:
            raise not_found(completion_id)
        return updated

    @r.delete("/v1/chat/completions/{completion_id}")
    async def delete_stored(completion_id: str, request: Request):
        if not await anyio.to_thread.run_sync(store.delete, request.state.who, completion_id):
            raise not_found(completion_id)
        return {"object": "chat.completion.deleted", "id": completion_id, "deleted": True}

    return r
