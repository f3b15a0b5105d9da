"""The Conversations API: /v1/conversations and their items, each key seeing only its own.

POST /v1/conversations (items, metadata), GET/POST/DELETE /v1/conversations/{id},
GET/POST /v1/conversations/{id}/items, GET/DELETE /v1/conversations/{id}/items/{item_id}.
"""
from __future__ import annotations

import anyio
from fastapi import APIRouter, Request

from .. import errors
from ..responses_api import items_from_input
from ..schema import F, openapi_body
from ..specs import METADATA
from ..specs_responses import INPUT_ITEM, check_input
from .stored import page, page_of_items, page_params

MAX_ITEMS_PER_CALL = 20  # the API's limit on items added at once

ITEMS = F(("array",), max_items=MAX_ITEMS_PER_CALL, items=INPUT_ITEM, check=check_input)
CREATE_FIELDS = {"items": ITEMS, "metadata": METADATA}
UPDATE_FIELDS = {"metadata": F(("object",), required=True, check=METADATA.check, extra_schema=METADATA.extra_schema)}
ADD_ITEMS_FIELDS = {"items": F(("array",), required=True, min_items=1, max_items=MAX_ITEMS_PER_CALL, items=INPUT_ITEM, check=check_input)}


def conversation_not_found(cid: str) -> errors.APIError:
    return errors.not_found("conversation", "对话（conversation）", cid, "conversation_id",
                            "Only conversations created by your own key are kept.", "只有用你自己的密钥创建的对话才会被保留。")


def item_not_found(item_id: str) -> errors.APIError:
    return errors.not_found("conversation item", "对话条目", item_id, "item_id")


def router(state, pipeline) -> APIRouter:
    r = APIRouter()
    store = state.conversations

    async def run(fn, *args):
        return await anyio.to_thread.run_sync(fn, *args)

    @r.post("/v1/conversations", openapi_extra=openapi_body(CREATE_FIELDS))
    async def create(request: Request):
        body = await pipeline.body(request, CREATE_FIELDS)
        return await run(store.create, request.state.who, body.get("metadata") or {}, items_from_input(body.get("items") or []))

    @r.get("/v1/conversations/{cid}")
    async def retrieve(cid: str, request: Request):
        found = await run(store.get, request.state.who, cid)
        if found is None:
            raise conversation_not_found(cid)
        return found

    @r.post("/v1/conversations/{cid}", openapi_extra=openapi_body(UPDATE_FIELDS))
    async def update(cid: str, request: Request):
        body = await pipeline.body(request, UPDATE_FIELDS)
        found = await run(store.update, request.state.who, cid, body["metadata"])
        if found is None:
            raise conversation_not_found(cid)
        return found

    @r.delete("/v1/conversations/{cid}")
    async def delete(cid: str, request: Request):
        if not await run(store.delete, request.state.who, cid):
            raise conversation_not_found(cid)
        return {"id": cid, "object": "conversation.deleted", "deleted": True}

    @r.get("/v1/conversations/{cid}/items")
    async def list_items(cid: str, request: Request):
        limit, order, after = page_params(request, default_order="desc")
        items = await run(store.items, request.state.who, cid)
        if items is None:
            raise conversation_not_found(cid)
        return page_of_items(items, limit, order, after)

    @r.post("/v1/conversations/{cid}/items", openapi_extra=openapi_body(ADD_ITEMS_FIELDS))
    async def add_items(cid: str, request: Request):
        body = await pipeline.body(request, ADD_ITEMS_FIELDS)
        added = await run(store.add_items, request.state.who, cid, items_from_input(body["items"]))
        if added is None:
            raise conversation_not_found(cid)
        return page(added, False)

    @r.get("/v1/conversations/{cid}/items/{item_id}")
    async def get_item(cid: str, item_id: str, request: Request):
        items = await run(store.items, request.state.who, cid)
        if items is None:
            raise conversation_not_found(cid)
        for item in items:
            if item["id"] == item_id:
                return item
        raise item_not_found(item_id)

    @r.delete("/v1/conversations/{cid}/items/{item_id}")
    async def delete_item(cid: str, item_id: str, request: Request):
        if await run(store.get, request.state.who, cid) is None:
            raise conversation_not_found(cid)
        if not await run(store.delete_item, request.state.who, cid, item_id):
            raise item_not_found(item_id)
        return await run(store.get, request.state.who, cid)

    return r
