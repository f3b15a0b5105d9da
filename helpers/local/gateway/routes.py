"""The endpoints that go upstream in gateway mode.

Each request is checked here exactly as the offline server checks it (same
validation, same OpenAI errors, keys, RPM/TPM), then charged against the
student's budget, then relayed. Registered before the local routes, so for a
kind that has upstreams these handlers answer and the local engine is never asked.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from ..errors import model_not_found, shutting_down, upstream_broke_off
from ..planning import check_output_cap
from ..schema import openapi_body
from ..specs import CHAT_FIELDS, CHAT_IGNORED, COMPLETION_FIELDS, EMBEDDING_FIELDS
from ..specs_responses import INPUT_TOKENS_FIELDS, RESPONSES_FIELDS, RESPONSES_IGNORED
from .config import GatewayConfig
from .relay import STREAM_ERRORS, Opened, Relay
from .responses_state import Turn, begin
from .sse import StreamTap, assembled_chat_completion, usage_tokens


@dataclass(frozen=True)
class Endpoint:
    name: str  # "chat", "completions", "responses", "embeddings"
    kind: str  # which upstreams serve it: "chat" or "embeddings"
    path: str  # below /v1
    fields: dict
    ignored: frozenset = frozenset()


ENDPOINTS = (
    Endpoint("chat", "chat", "/chat/completions", CHAT_FIELDS, CHAT_IGNORED),
    Endpoint("completions", "chat", "/completions", COMPLETION_FIELDS),
    Endpoint("responses", "chat", "/responses", RESPONSES_FIELDS, RESPONSES_IGNORED),
    Endpoint("embeddings", "embeddings", "/embeddings", EMBEDDING_FIELDS),
)
PROMPT_FIELD = {"chat": "messages", "completions": "prompt", "responses": "input", "embeddings": "input"}
CLASS_SERVER_ONLY = ("store", "metadata")  # kept by the class server, not sent to a provider's account


class Gateway:
    """What gateway mode adds to the server's state: the relay (budgets are the state's, as offline)."""

    def __init__(self, config: GatewayConfig, scheduler):
        self.config = config
        self.relay = Relay(config, scheduler)

    def upstream_model(self, student_model: str) -> str:
        return self.config.model_map.get(student_model, student_model)

    def add_to_report(self, report: dict[str, Any]) -> None:
        """The teacher's usage view gains each upstream's state."""
        report["upstreams"] = self.relay.snapshot()


def upstream_body(endpoint: Endpoint, body: dict[str, Any], upstream_model: str) -> tuple[dict[str, Any], bool]:
    """The body for the upstream, and whether the usage chunk is ours to drop (the student did not ask for it)."""
    out = {k: v for k, v in body.items() if not (endpoint.name == "chat" and k in CLASS_SERVER_ONLY)}
    out["model"] = upstream_model
    strip_usage = False
    if body.get("stream") and endpoint.name in ("chat", "completions"):
        options = dict(body.get("stream_options") or {})
        if not options.get("include_usage"):
            options["include_usage"] = True
            out["stream_options"] = options
            strip_usage = True
    return out, strip_usage


def _admit(state, pipeline, request: Request, endpoint: Endpoint, body: dict[str, Any], prompt: str) -> str:
    """The class server's own checks before anything goes upstream: the output cap, then
    the pipeline's budget and per-key limits (keys were checked by the middleware)."""
    if state.shutting_down:
        raise shutting_down()
    for param in ("max_tokens", "max_completion_tokens", "max_output_tokens"):
        check_output_cap(body.get(param), param, state.config.max_output_tokens)
    out = (
        0
        if endpoint.name == "embeddings"
        else body.get("max_tokens") or body.get("max_completion_tokens") or body.get("max_output_tokens") or state.config.default_max_tokens
    )
    return pipeline.admit(request, body["model"], [prompt], out * body.get("n", 1))


async def relay_request(state, pipeline, request: Request, endpoint: Endpoint):
    gw: Gateway = state.gateway
    body = await pipeline.body(request, endpoint.fields, endpoint.ignored)
    turn: Turn | None = None  # Responses state is the class server's (responses_state.py)
    if endpoint.name == "responses":
        turn = await anyio.to_thread.run_sync(begin, state, request.state.who, body)
    prompt = turn.prompt_text() if turn else json.dumps(body.get(PROMPT_FIELD[endpoint.name]), ensure_ascii=False)
    who = _admit(state, pipeline, request, endpoint, body, prompt)
    prompt_estimate = len(prompt.encode()) // 4 + 1
    student_model = body["model"]
    models = (student_model, gw.upstream_model(student_model))
    out, strip_usage = upstream_body(endpoint, body, models[1])
    if turn:
        out = turn.upstream_body(out)
    stream = bool(body.get("stream")) and endpoint.name != "embeddings"
    opened = await gw.relay.open(who, endpoint.kind, endpoint.path, out, student_model, stream)
    if not stream:
        await opened.close()
        answer = opened.body
        usage = StreamTap(endpoint.name, False)
        if isinstance(answer, dict) and isinstance(answer.get("usage"), dict):
            usage.usage = usage_tokens(answer["usage"])
        state.charge(who, models, *usage.counted(prompt_estimate))
        if endpoint.name == "chat" and body.get("store") and isinstance(answer, dict):
            await anyio.to_thread.run_sync(state.store.put, who, body, answer, body.get("metadata") or {})
        if turn and isinstance(answer, dict):
            await anyio.to_thread.run_sync(turn.keep, state, who, turn.restore(answer))
            return Response(json.dumps(answer, ensure_ascii=False).encode(), media_type="application/json")
        return Response(opened.raw, media_type="application/json")  # the upstream's bytes, not parsed and dumped again
    tap = StreamTap(endpoint.name, strip_usage, keep_text=endpoint.name == "chat" and bool(body.get("store")), turn=turn)
    events = pass_through(state, opened, tap, who, models, body, prompt_estimate)
    return StreamingResponse(events, media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


async def pass_through(
    state, opened: Opened, tap: StreamTap, who: str, models: tuple[str, str], body: dict[str, Any], prompt_estimate: int
) -> AsyncIterator[bytes]:
    """The upstream's events as they come, each upstream packet in one write. A stream
    with `store: true` is stored before its `[DONE]` (chat) or its final `response.*`
    event (Responses) goes out, so a student who asks for it right after finds it."""
    try:
        batches = _chain([opened.first_events], opened.chunks)
        try:
            async for events in batches:
                out = b"".join(e for e in map(tap.event, events) if e)
                if tap.keep_text and out.endswith(b"data: [DONE]\n\n") and not tap.ended_with_error:
                    await anyio.to_thread.run_sync(state.store.put, who, body, assembled_chat_completion(tap, body), body.get("metadata") or {})
                if tap.final is not None:
                    final, tap.final = tap.final, None
                    await anyio.to_thread.run_sync(tap.turn.keep, state, who, final)
                if out:
                    yield out
        except STREAM_ERRORS as e:
            error = shutting_down() if state.shutting_down else upstream_broke_off()
            if not state.shutting_down:
                Relay.failed_mid_stream(opened.upstream, type(e).__name__)
            if not tap.ended_with_error:
                yield tap.error_event(error)
    finally:
        with anyio.CancelScope(shield=True):
            await opened.close()
        state.charge(who, models, *tap.counted(prompt_estimate))


async def count_input_tokens(state, pipeline, request: Request) -> Response:
    """`POST /v1/responses/input_tokens`: a gateway has no tokenizer, so the engine counts,
    on the whole conversation (`previous_response_id` / `conversation` resolved here)."""
    gw: Gateway = state.gateway
    body = await pipeline.body(request, INPUT_TOKENS_FIELDS, RESPONSES_IGNORED)
    turn = await anyio.to_thread.run_sync(begin, state, request.state.who, {"input": [], **body})
    out = {k: v for k, v in turn.upstream_body(body).items() if k != "store"}
    if body.get("model"):
        out["model"] = gw.upstream_model(body["model"])
    opened = await gw.relay.open(request.state.who, "chat", "/responses/input_tokens", out, body.get("model", ""), False)
    await opened.close()
    return Response(opened.raw, media_type="application/json")


async def _chain(first: list[list[bytes]], rest: AsyncIterator[list[bytes]]) -> AsyncIterator[list[bytes]]:
    for events in first:
        yield events
    async for events in rest:
        yield events


async def _models(state) -> list[dict[str, Any]]:
    """The names students may use: the model map's, then what the upstreams list."""
    gw: Gateway = state.gateway
    seen = {name: {"id": name, "object": "model", "created": 1700000000, "owned_by": "class-server"} for name in gw.config.model_map}
    for pool in gw.relay.pools.values():
        upstream = pool.choose()
        headers = {"Authorization": f"Bearer {upstream.spec.key}"} if upstream.spec.key else {}
        try:
            r = await gw.relay.client.get(upstream.spec.url + "/models", headers=headers, timeout=5)
            listed = r.json().get("data", []) if r.status_code == 200 else []
        except (ValueError, AttributeError, *STREAM_ERRORS):
            listed = []
        for m in listed:
            if isinstance(m, dict) and isinstance(m.get("id"), str) and m["id"] not in seen:
                seen[m["id"]] = {k: m.get(k) for k in ("id", "object", "created", "owned_by")}
    return list(seen.values())


def router(state, pipeline) -> APIRouter:
    """Every kind that has upstreams goes to them (included before the local routes)."""
    r = APIRouter()
    for endpoint in ENDPOINTS:
        if state.gateway.config.serves(endpoint.kind):

            async def handler(request: Request, _endpoint=endpoint):  # no annotation: FastAPI would read it from the body
                return await relay_request(state, pipeline, request, _endpoint)

            r.add_api_route("/v1" + endpoint.path, handler, methods=["POST"], name=f"gateway {endpoint.name}", openapi_extra=openapi_body(endpoint.fields))

    if state.gateway.config.serves("chat"):

        @r.post("/v1/responses/input_tokens", name="gateway input tokens", openapi_extra=openapi_body(INPUT_TOKENS_FIELDS))
        async def input_tokens(request: Request):
            return await count_input_tokens(state, pipeline, request)

    @r.get("/v1/models")
    async def list_models():
        return {"object": "list", "data": await _models(state)}

    @r.get("/v1/models/{model_id:path}")
    async def get_model(model_id: str):
        for m in await _models(state):
            if m["id"] == model_id:
                return m
        raise model_not_found(model_id)

    return r
