"""POST /v1/responses: a Response object, or its stream of `response.*` events."""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import APIRouter, Request

from .. import errors
from ..planning import Plan, check_output_cap, engine_messages, plan_chat
from ..responses_api import ResponseEvents, conversation_id, from_chat, input_messages, items_from_input, messages_from_items, to_chat_body
from ..schema import openapi_body
from ..shaping import chat_chunks, chat_completion, chat_usage
from ..specs_responses import INPUT_TOKENS_FIELDS, RESPONSES_FIELDS, RESPONSES_IGNORED
from ..streaming import sse
from ..tools import generation as tool_generation
from ..tools.responses_items import assistant_turn
from .conversations import conversation_not_found
from .stored import page_of_items, page_params


class ResponseStream:
    def __init__(self, plan: Plan, body: dict[str, Any]):
        self.plan = plan
        self.events = plan.extra.get("events") or ResponseEvents(body, plan.model_id)  # background: made at queueing

    def start(self) -> list[bytes]:
        return [sse(ev, kind) for kind, ev in self.events.start()]

    def chunk(self, index: int, raw: dict[str, Any]) -> list[bytes]:
        return [sse(ev, kind) for chunk in chat_chunks(self.plan, index, raw) for kind, ev in self.events.on_chunk(chunk)]

    def error(self, error: errors.APIError) -> list[bytes]:
        return [sse({"type": "error", "sequence_number": self.events.seq, "code": error.code, "message": error.message, "param": error.param}, "error")]

    def finish(self, usages: list[dict[str, Any]]):
        usage = chat_usage(usages)
        events = self.events.finish(usage)
        return [sse(ev, kind) for kind, ev in events], self.events.resp, usage


class ResponsesEndpoint:
    api = "responses"
    fields = RESPONSES_FIELDS
    ignored = RESPONSES_IGNORED

    def plan(self, body: dict[str, Any], model_id: str, state, who: str) -> Plan:
        check_output_cap(body.get("max_output_tokens"), "max_output_tokens", state.config.max_output_tokens)
        history = conversation_so_far(state, who, body)
        if not history and not body.get("instructions") and body.get("input") == []:
            raise errors.array_too_short("input", 1, 0)  # nothing to respond to
        plan = plan_chat(
            to_chat_body(body, history), model_id, state.engine, state.config.default_max_tokens, state.config.max_output_tokens, id_prefix="chatcmpl"
        )
        plan.extra["history"] = history + input_messages(body, history)
        return plan

    def run(self, engine, stream: bool):
        return tool_generation.runner(engine, stream)

    def result(self, plan: Plan, body: dict[str, Any], results: list[dict[str, Any]]):
        completion = chat_completion(plan, results)
        return from_chat(body, completion), completion["usage"]

    def shaper(self, plan: Plan, body: dict[str, Any]) -> ResponseStream:
        return ResponseStream(plan, body)

    def keep(self, state, who: str, body: dict[str, Any], plan: Plan, obj: dict[str, Any]) -> None:
        """`store` defaults to true here, as in the API."""
        items = items_from_input(body["input"])
        if body.get("conversation"):  # input and output join the conversation, stored or not
            state.conversations.add_items(who, conversation_id(body), items + obj["output"])
        if body.get("store", True):
            state.responses.put(who, obj, items, plan.extra["history"] + [assistant_turn(obj["output"])])


def conversation_so_far(state, who: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    """The messages before this input: a stored response's (previous_response_id) or a conversation's."""
    if body.get("previous_response_id") and body.get("conversation"):
        raise errors.invalid(
            "Mutually exclusive parameters: 'previous_response_id' and 'conversation'. Ensure you are only providing one of them.",
            "previous_response_id 和 conversation 不能同时使用，请只提供其中一个。",
            param="conversation",
            code="mutually_exclusive_parameters",
        )
    if body.get("previous_response_id"):
        history = state.responses.history(who, body["previous_response_id"])
        if history is None:
            raise errors.previous_response_not_found(body["previous_response_id"])
        return history
    if body.get("conversation"):
        items = state.conversations.items(who, conversation_id(body))
        if items is None:
            raise conversation_not_found(conversation_id(body))
        return messages_from_items(items)
    return []


def count_input_tokens(state, who: str, body: dict[str, Any]) -> int:
    history = conversation_so_far(state, who, body)
    messages = to_chat_body({"input": [], **body}, history)["messages"]
    return state.engine.count_chat_prompt(engine_messages(messages)) if messages else 0


def not_found(rid: str) -> errors.APIError:
    return errors.not_found(
        "response",
        "响应",
        rid,
        "response_id",
        "Only responses stored (store=true, the default) by your own key are kept.",
        "只有用你自己的密钥保存（store=true，默认）的响应才会被保留。",
    )


def router(state, pipeline) -> APIRouter:
    r = APIRouter()
    endpoint = ResponsesEndpoint()

    @r.post("/v1/responses", openapi_extra=openapi_body(RESPONSES_FIELDS))
    async def responses(request: Request):
        return await pipeline.generate(request, endpoint)

    @r.post("/v1/responses/input_tokens", openapi_extra=openapi_body(INPUT_TOKENS_FIELDS))
    async def input_tokens(request: Request):
        body = await pipeline.body(request, INPUT_TOKENS_FIELDS, RESPONSES_IGNORED)
        if body.get("model"):
            state.registry.resolve(body["model"], "responses")
        n = await state.runner.in_thread(count_input_tokens, state, request.state.who, body)
        return {"object": "response.input_tokens", "input_tokens": n}

    @r.get("/v1/responses/{response_id}")
    async def get_response(response_id: str, request: Request):
        found = await anyio.to_thread.run_sync(state.responses.get, request.state.who, response_id)
        if found is None:
            raise not_found(response_id)
        return found

    @r.delete("/v1/responses/{response_id}")
    async def delete_response(response_id: str, request: Request):
        await state.background.stop(request.state.who, response_id)  # a running one stops, or it would come back
        if not await anyio.to_thread.run_sync(state.responses.delete, request.state.who, response_id):
            raise not_found(response_id)
        return {"id": response_id, "object": "response.deleted", "deleted": True}

    @r.post("/v1/responses/{response_id}/cancel")
    async def cancel_response(response_id: str, request: Request):
        found = await state.background.cancel(request.state.who, response_id)
        if found is None:
            raise not_found(response_id)
        return found

    @r.get("/v1/responses/{response_id}/input_items")
    async def list_input_items(response_id: str, request: Request):
        limit, order, after = page_params(request, default_order="desc")
        items = await anyio.to_thread.run_sync(state.responses.input_items, request.state.who, response_id)
        if items is None:
            raise not_found(response_id)
        return page_of_items(items, limit, order, after)

    return r
