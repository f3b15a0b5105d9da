"""POST /v1/responses: a Response object, or its stream of `response.*` events."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from .. import errors
from ..planning import Plan, check_output_cap, plan_chat
from ..responses_api import ResponseEvents, from_chat, to_chat_body
from ..schema import openapi_body
from ..shaping import chat_completion, chat_usage
from ..specs_responses import RESPONSES_FIELDS, RESPONSES_IGNORED
from ..streaming import sse


class ResponseStream:
    def __init__(self, plan: Plan, body: dict[str, Any]):
        self.events = ResponseEvents(body, plan.model_id)

    def start(self) -> list[bytes]:
        return [sse(ev, kind) for kind, ev in self.events.start()]

    def chunk(self, index: int, raw: dict[str, Any]) -> list[bytes]:
        return [sse(ev, kind) for kind, ev in self.events.on_chunk(raw)]

    def error(self, error: errors.APIError) -> list[bytes]:
        return [sse({"type": "error", "sequence_number": self.events.seq, "code": error.code, "message": error.message,
                     "param": error.param}, "error")]

    def finish(self, usages: list[dict[str, Any]]):
        usage = chat_usage(usages)
        events = self.events.finish(usage)
        return [sse(ev, kind) for kind, ev in events], self.events.resp, usage


class ResponsesEndpoint:
    api = "responses"
    fields = RESPONSES_FIELDS
    ignored = RESPONSES_IGNORED
    stores = False

    def plan(self, body: dict[str, Any], model_id: str, state) -> Plan:
        check_output_cap(body.get("max_output_tokens"), "max_output_tokens", state.config.max_output_tokens)
        return plan_chat(to_chat_body(body), model_id, state.engine, state.config.default_max_tokens, state.config.max_output_tokens,
                         id_prefix="chatcmpl")

    def run(self, engine, stream: bool):
        return engine.chat_stream if stream else engine.chat

    def result(self, plan: Plan, body: dict[str, Any], results: list[dict[str, Any]]):
        completion = chat_completion(plan, results)
        return from_chat(body, completion), completion["usage"]

    def shaper(self, plan: Plan, body: dict[str, Any]) -> ResponseStream:
        return ResponseStream(plan, body)


def router(state, pipeline) -> APIRouter:
    r = APIRouter()
    endpoint = ResponsesEndpoint()

    @r.post("/v1/responses", openapi_extra=openapi_body(RESPONSES_FIELDS))
    async def responses(request: Request):
        return await pipeline.generate(request, endpoint)

    return r
