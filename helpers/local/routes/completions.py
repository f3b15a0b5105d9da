"""POST /v1/completions: the legacy text-completion endpoint."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from .. import errors
from ..planning import Plan, plan_completion
from ..schema import openapi_body
from ..shaping import completion_chunk, completion_usage, text_completion
from ..specs import COMPLETION_FIELDS
from ..streaming import DONE, sse


class CompletionStream:
    def __init__(self, plan: Plan):
        self.plan = plan

    def start(self) -> list[bytes]:
        return []

    def chunk(self, index: int, raw: dict[str, Any]) -> list[bytes]:
        out = completion_chunk(self.plan, index, raw)
        return [sse(out)] if out else []

    def error(self, error: errors.APIError) -> list[bytes]:
        return [sse(error.body()), DONE]

    def finish(self, usages: list[dict[str, Any]]):
        usage = completion_usage(usages)
        return [DONE], {}, usage


class CompletionEndpoint:
    api = "completions"
    fields = COMPLETION_FIELDS
    ignored: frozenset[str] = frozenset()

    def plan(self, body: dict[str, Any], model_id: str, state, who: str) -> Plan:
        return plan_completion(body, model_id, state.engine, state.config.max_output_tokens)

    def run(self, engine, stream: bool):
        return engine.complete_stream if stream else engine.complete

    def result(self, plan: Plan, body: dict[str, Any], results: list[dict[str, Any]]):
        completion = text_completion(plan, results, bool(body.get("echo")))
        return completion, completion["usage"]

    def shaper(self, plan: Plan, body: dict[str, Any]) -> CompletionStream:
        return CompletionStream(plan)

    def keep(self, state, who: str, body: dict[str, Any], plan: Plan, obj: dict[str, Any]) -> None:
        """The legacy endpoint stores nothing."""


def router(state, pipeline) -> APIRouter:
    r = APIRouter()
    endpoint = CompletionEndpoint()

    @r.post("/v1/completions", openapi_extra=openapi_body(COMPLETION_FIELDS))
    async def completions(request: Request):
        return await pipeline.generate(request, endpoint)

    return r
