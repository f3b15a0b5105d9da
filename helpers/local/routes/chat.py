"""POST /v1/chat/completions: whole answers and streamed chunks."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from .. import errors
from ..planning import Plan, plan_chat
from ..schema import openapi_body
from ..shaping import StreamAssembler, chat_chunks, chat_completion, chat_usage, usage_chunk
from ..specs import CHAT_FIELDS, CHAT_IGNORED
from ..streaming import DONE, sse
from ..tools import generation as tool_generation


class ChatStream:
    def __init__(self, plan: Plan):
        self.plan = plan
        self.assembled = StreamAssembler(plan)

    def start(self) -> list[bytes]:
        return []

    def chunk(self, index: int, raw: dict[str, Any]) -> list[bytes]:
        out = chat_chunks(self.plan, index, raw)
        for chunk in out:
            self.assembled.add(index, chunk)
        return [sse(chunk) for chunk in out]

    def error(self, error: errors.APIError) -> list[bytes]:
        return [sse(error.body()), DONE]

    def finish(self, usages: list[dict[str, Any]]):
        completion = self.assembled.completion(usages)
        tail = [sse(usage_chunk(self.plan, usages))] if self.plan.include_usage else []
        return tail + [DONE], completion, completion["usage"]


class ChatEndpoint:
    api = "chat"
    fields = CHAT_FIELDS
    ignored = CHAT_IGNORED

    def plan(self, body: dict[str, Any], model_id: str, state, who: str) -> Plan:
        return plan_chat(body, model_id, state.engine, state.config.default_max_tokens, state.config.max_output_tokens)

    def run(self, engine, stream: bool):
        return tool_generation.runner(engine, stream)  # chat, or the tool path when the plan made one

    def result(self, plan: Plan, body: dict[str, Any], results: list[dict[str, Any]]):
        completion = chat_completion(plan, results)
        return completion, completion["usage"]

    def shaper(self, plan: Plan, body: dict[str, Any]) -> ChatStream:
        return ChatStream(plan)

    def keep(self, state, who: str, body: dict[str, Any], plan: Plan, obj: dict[str, Any]) -> None:
        if body.get("store") and "no-store" not in state.config.profile:  # a provider without storage accepts and ignores it
            state.store.put(who, body, obj, body.get("metadata") or {})


def router(state, pipeline) -> APIRouter:
    r = APIRouter()
    endpoint = ChatEndpoint()

    @r.post("/v1/chat/completions", openapi_extra=openapi_body(CHAT_FIELDS))
    async def chat_completions(request: Request):
        return await pipeline.generate(request, endpoint)

    return r


__all__ = ["router", "ChatEndpoint", "chat_usage"]
