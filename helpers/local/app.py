"""The offline OpenAI-compatible HTTP server (FastAPI on uvicorn).

Routes mirror the OpenAI API's paths and JSON shapes. Validation, auth, limits,
fair scheduling and reshaping happen here in Python; generation happens in
llama.cpp worker threads (see chat_engine), embeddings in NumPy (see embedder).
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Callable

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import chat_service as cs
from . import responses_api
from .chat_engine import DEFAULT_CTX_PER_SLOT, ChatEngine, engine_error
from .bodies import read_json
from .embedder import MODEL_ID as EMBEDDING_MODEL_ID
from .embedder import Embedder, embedding_payload, normalize_input
from .errors import APIError, invalid
from .gate import KeyRing, Limits
from .keys import KeyEntry
from .models import ModelRegistry, real_api_only
from .scheduler import FairScheduler, shutting_down
from .schema import openapi_schema, validate_body
from .specs import CHAT_FIELDS, CHAT_IGNORED, COMPLETION_FIELDS, EMBEDDING_FIELDS, RESPONSES_FIELDS, RESPONSES_IGNORED
from .store import CompletionStore
from .usage import UsageBook

log = logging.getLogger("helpers.local")
from . import SERVICE_NAME
OPEN_PATHS = ("/health", "/openapi.json")
_DONE = object()


@dataclass
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 18765
    keys: list[KeyEntry] = field(default_factory=list)
    admin_keys: list[str] = field(default_factory=list)
    parallel: int = 4
    model_path: str | None = None
    ctx_per_slot: int = DEFAULT_CTX_PER_SLOT
    threads: int | None = None
    rpm: int | None = None
    tpm: int | None = None
    per_key_concurrency: int | None = None  # default: half the slots with keys, all without
    max_waiting: int = 256
    default_max_tokens: int = 1024
    max_output_tokens: int = 4096
    max_body_bytes: int = 8 * 1024 * 1024
    db_path: str | None = None
    retention_days: float = 30.0
    log_prompts: bool = False


class State:
    """The loaded models, the gate and the books, shared by all requests."""

    def __init__(self, config: ServerConfig, engine: ChatEngine, embedder: "Future[Embedder]", store: CompletionStore):
        self.config = config
        self.engine = engine
        self._embedder = embedder
        self.store = store
        self.registry = ModelRegistry(engine.model_id, EMBEDDING_MODEL_ID)
        self.keys = KeyRing(config.keys, config.admin_keys)
        self.limits = Limits(config.rpm, config.tpm)
        self.usage = UsageBook()
        per_key = config.per_key_concurrency or (max(1, config.parallel // 2) if self.keys.enabled else config.parallel)
        self.scheduler = FairScheduler(config.parallel, per_key, max_waiting=config.max_waiting,
                                       max_waiting_per_key=max(4, config.max_waiting // 8) if self.keys.enabled else config.max_waiting)
        self.threads = anyio.CapacityLimiter(max(64, config.parallel * 16))
        self.embed_threads = anyio.CapacityLimiter(2)
        self.streams: set[ThreadStream] = set()
        self.shutting_down = False
        self.started = time.time()

    @property
    def embedder(self) -> Embedder:
        """The sentence encoder, loaded in the background while the server already answers
        (chat is ready first); a call made before it is loaded waits for it."""
        return self._embedder.result()

    def begin_shutdown(self) -> None:
        """Called on SIGINT/SIGTERM before connections are drained."""
        self.shutting_down = True
        self.scheduler.close()
        for s in list(self.streams):
            s.interrupt(shutting_down())


def _error_response(e: APIError) -> JSONResponse:
    return JSONResponse(e.body(), status_code=e.status, headers=e.headers)


def sse_response(events: AsyncIterator[bytes], stream: "ThreadStream") -> StreamingResponse:
    return StreamingResponse(coalesced(events, stream), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


async def coalesced(events: AsyncIterator[bytes], stream: "ThreadStream") -> AsyncIterator[bytes]:
    """Send the events that are already waiting in one write: under load this saves a
    wake-up and a syscall per token; a lone token still goes out at once."""
    buf: list[bytes] = []
    async for piece in events:
        buf.append(piece)
        if stream.queue.empty():
            yield b"".join(buf)
            buf.clear()
    if buf:
        yield b"".join(buf)


def sse(data: Any, event: str | None = None) -> bytes:
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


class ThreadStream:
    """Runs blocking streaming generations in worker threads, each after taking a
    fair slot, and hands their chunks to the event loop. A client that goes away,
    or a server shutdown, stops generation at the next token."""

    def __init__(self, state: State, who: str, fn: Callable[[dict, Callable], None], requests: list[dict[str, Any]]):
        self.state = state
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue = asyncio.Queue()
        self.cancel = threading.Event()
        self.pending = len(requests)
        state.streams.add(self)
        self.tasks = [asyncio.create_task(self._run(who, fn, i, r)) for i, r in enumerate(requests)]

    def _put(self, item: tuple[int, Any]) -> None:
        self.loop.call_soon_threadsafe(self.queue.put_nowait, item)

    async def _run(self, who: str, fn, index: int, req: dict[str, Any]) -> None:
        def on_chunk(chunk: dict[str, Any]) -> bool:
            self._put((index, chunk))
            return self.cancel.is_set()

        def work() -> None:
            try:
                fn(req, on_chunk)
            except APIError as e:
                self._put((index, e))
            except Exception as e:  # noqa: BLE001 - reported to the client as a server_error, never a crash
                log.exception("generation failed")
                self._put((index, APIError(500, f"Generation failed: {type(e).__name__}", "生成失败。", type="server_error")))

        try:
            async with self.state.scheduler.slot(who):
                if not self.cancel.is_set():
                    await anyio.to_thread.run_sync(work, limiter=self.state.threads)
        except APIError as e:
            self.queue.put_nowait((index, e))
        finally:
            self.queue.put_nowait((index, _DONE))

    def interrupt(self, error: APIError) -> None:
        self.cancel.set()
        self.queue.put_nowait((-1, error))

    async def items(self) -> AsyncIterator[tuple[int, Any]]:
        """Yield (choice index, chunk | APIError) until every generation is done."""
        try:
            while self.pending:
                index, item = await self.queue.get()
                if item is _DONE:
                    self.pending -= 1
                    continue
                if isinstance(item, dict) and "error" in item:
                    item = engine_error(item["error"])
                yield index, item
        finally:
            self.stop()

    def stop(self) -> None:
        self.cancel.set()
        self.state.streams.discard(self)
        for t in self.tasks:
            if not t.done():
                t.cancel()


async def first_then_rest(gen: AsyncIterator[tuple[int, Any]]) -> tuple[list[tuple[int, Any]], AsyncIterator[tuple[int, Any]]]:
    """Wait for the first chunk so an early error (e.g. no slot) becomes a proper HTTP status."""
    first = []
    async for item in gen:
        if isinstance(item[1], APIError):
            await gen.aclose()
            raise item[1]
        first.append(item)
        break
    return first, gen


async def chain(first: list, rest: AsyncIterator) -> AsyncIterator:
    for item in first:
        yield item
    async for item in rest:
        yield item


class GateMiddleware:
    """Pure ASGI: who is calling (401 otherwise), admin-only paths, usage counts, and
    the x-ratelimit-* headers a route decided on (request.state.ratelimit)."""

    def __init__(self, app, state: State):
        self.app = app
        self.state = state

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS:
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        auth = headers.get("authorization")
        admin_path = scope["path"].startswith("/v1/admin/")
        try:
            if admin_path:
                if not self.state.keys.is_admin(auth):
                    raise APIError(401, "This endpoint needs the server's admin key (serve --admin-key).",
                                   "这个端点需要服务器的管理员密钥（serve --admin-key）。", code="invalid_api_key")
                who = "admin"
            else:
                who = self.state.keys.identify(auth)
        except APIError as e:
            return await _error_response(e)(scope, receive, send)
        scope.setdefault("state", {})["who"] = who
        status = [500]

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                extra = scope["state"].get("ratelimit") or {}
                if extra:
                    message = {**message, "headers": list(message.get("headers", [])) +
                               [(k.encode(), v.encode()) for k, v in extra.items()]}
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            if not admin_path:
                self.state.usage.request(who, status[0])


async def housekeeping(state: State, summary_every: float = 60.0, purge_every: float = 3600.0) -> None:
    """Each minute a one-line usage summary on the console; each hour, purge expired stored completions."""
    next_purge = 0.0
    while True:
        now = time.monotonic()
        if now >= next_purge:
            purged = await anyio.to_thread.run_sync(state.store.purge_expired)
            if purged:
                log.info("purged %d stored completions older than %g days", purged, state.config.retention_days)
            next_purge = now + purge_every
        await asyncio.sleep(summary_every)
        line = state.usage.minute_line(state.scheduler.snapshot())
        if line:
            print(line, flush=True)


def create_app(state: State) -> FastAPI:
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(_app):
        task = asyncio.create_task(housekeeping(state))
        try:
            yield
        finally:
            task.cancel()

    app = FastAPI(title="OpenAI course offline server", version="1.0",
                  description="An OpenAI-compatible API served by local models (llama.cpp and the Universal Sentence Encoder).",
                  docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.course = state
    app.add_middleware(GateMiddleware, state=state)

    def body_schema(fields) -> dict[str, Any]:
        return {"requestBody": {"required": True, "content": {"application/json": {"schema": openapi_schema(fields)}}}}

    @app.exception_handler(APIError)
    async def on_api_error(_: Request, e: APIError):
        return _error_response(e)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, e: StarletteHTTPException):
        if e.status_code == 404:
            err = APIError(404, f"Invalid URL ({request.method} {request.url.path})", f"无效的 URL（{request.method} {request.url.path}）")
        elif e.status_code == 405:
            err = APIError(405, f"Not allowed to {request.method} on {request.url.path}.", f"{request.url.path} 不支持 {request.method} 方法。")
        else:
            err = APIError(e.status_code, str(e.detail), "请求出错。")
        return _error_response(err)

    @app.exception_handler(RequestValidationError)
    async def on_validation(_: Request, e: RequestValidationError):
        first = (e.errors() or [{}])[0]
        where = ".".join(str(p) for p in first.get("loc", ())[1:]) or None
        return _error_response(invalid(f"Invalid '{where}': {first.get('msg', 'invalid value')}.", f"参数 '{where}' 无效。", param=where,
                                       code="invalid_value"))

    @app.exception_handler(Exception)
    async def on_unexpected(_: Request, e: Exception):
        log.exception("unexpected error")
        return _error_response(APIError(500, "The offline server had an unexpected error; it keeps running. Please retry.",
                                        "离线服务器出现意外错误（服务仍在运行），请重试。", type="server_error"))

    async def body_of(request: Request, fields, ignored: frozenset[str] = frozenset()) -> dict[str, Any]:
        return validate_body(await read_json(request, state.config.max_body_bytes), fields, ignored=ignored)

    def admit(request: Request, model: str, texts: list[str], max_out: int) -> str:
        """Per-key limits for one generating request; returns the caller's identity."""
        who = request.state.who
        if state.shutting_down:
            raise shutting_down()
        estimate = cs.estimate_prompt_tokens(texts) + max_out
        request.state.ratelimit = state.limits.admit(who, model, estimate, state.usage.tokens_last_minute(who))
        return who

    async def generate(who: str, fn, req: dict[str, Any]) -> dict[str, Any]:
        async with state.scheduler.slot(who):
            return await anyio.to_thread.run_sync(fn, req, limiter=state.threads)

    def record(who: str, usage: dict[str, Any]) -> None:
        state.usage.tokens(who, usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0))

    async def store_if_asked(who: str, body: dict[str, Any], completion: dict[str, Any]) -> None:
        if body.get("store"):
            await anyio.to_thread.run_sync(state.store.put, who, body, completion, body.get("metadata") or {})

    def log_prompt(body: dict[str, Any]) -> None:
        if state.config.log_prompts:  # off unless the teacher turns it on explicitly
            log.info("prompt: %s", json.dumps(body.get("messages") or body.get("input") or body.get("prompt"), ensure_ascii=False)[:2000])

    # ---- health and models -------------------------------------------------
    @app.get("/health")
    async def health():
        return {"status": "ok", "service": SERVICE_NAME, "pid": os.getpid(), "chat_model": state.engine.model_id,
                "embedding_model": EMBEDDING_MODEL_ID, "embeddings_ready": state._embedder.done(), "auth": state.keys.enabled,
                "uptime_s": round(time.time() - state.started, 1), **state.scheduler.snapshot()}

    @app.get("/v1/models")
    async def list_models():
        return {"object": "list", "data": state.registry.model_objects()}

    @app.get("/v1/models/{model_id:path}")
    async def get_model(model_id: str):
        return state.registry.model_object(model_id)

    # ---- chat completions ---------------------------------------------------
    @app.post("/v1/chat/completions", openapi_extra=body_schema(CHAT_FIELDS))
    async def chat_completions(request: Request):
        body = await body_of(request, CHAT_FIELDS, CHAT_IGNORED)
        model = state.registry.resolve(body["model"], "chat")
        plan = await anyio.to_thread.run_sync(cs.plan_chat, body, model.id, state.engine, state.config.default_max_tokens,
                                              state.config.max_output_tokens, limiter=state.threads)
        who = admit(request, body["model"], plan.prompt_texts(),
                    plan.requests[0]["max_tokens"] * len(plan.requests))
        log_prompt(body)
        if not plan.stream:
            results = await asyncio.gather(*(generate(who, plan.generate_with(state.engine), r) for r in plan.requests))
            completion = cs.merge_chat(plan, list(results))
            record(who, completion["usage"])
            await store_if_asked(who, body, completion)
            return completion
        stream = ThreadStream(state, who, plan.generate_with(state.engine, stream=True), plan.requests)
        first, rest = await first_then_rest(stream.items())
        assembled = cs.StreamAssembler(plan, len(plan.requests))

        async def events():
            usages = []
            try:
                async for index, item in chain(first, rest):
                    if isinstance(item, APIError):
                        yield sse(item.body())
                        break
                    if item.get("usage"):  # its own chunk from chat, on the last text chunk from a completion
                        usages.append(item["usage"])
                        if not item.get("choices"):
                            continue
                    for chunk in cs.chat_chunks(plan, index, item):
                        assembled.add(index, chunk)
                        yield sse(chunk)
                else:
                    completion = assembled.completion(usages)
                    record(who, completion["usage"])
                    await store_if_asked(who, body, completion)
                    if plan.include_usage:
                        yield sse(cs.usage_chunk(plan, usages))
                yield b"data: [DONE]\n\n"
            finally:
                stream.stop()

        return sse_response(events(), stream)

    # ---- legacy completions -------------------------------------------------
    @app.post("/v1/completions", openapi_extra=body_schema(COMPLETION_FIELDS))
    async def completions(request: Request):
        body = await body_of(request, COMPLETION_FIELDS)
        model = state.registry.resolve(body["model"], "completions")
        plan, prompts = await anyio.to_thread.run_sync(cs.plan_completion, body, model.id, state.engine, state.config.max_output_tokens,
                                                       limiter=state.threads)
        who = admit(request, body["model"], prompts, sum(r["max_tokens"] for r in plan.requests))
        log_prompt(body)
        if not plan.stream:
            results = await asyncio.gather(*(generate(who, state.engine.complete, r) for r in plan.requests))
            completion = cs.merge_completion(plan, list(results), prompts, bool(body.get("echo")))
            record(who, completion["usage"])
            return completion
        stream = ThreadStream(state, who, state.engine.complete_stream, plan.requests)
        first, rest = await first_then_rest(stream.items())

        async def events():
            try:
                async for index, item in chain(first, rest):
                    if isinstance(item, APIError):
                        yield sse(item.body())
                        break
                    if item.get("usage"):
                        record(who, item["usage"])
                    chunk = cs.completion_chunk(plan, index, item)
                    if chunk:
                        yield sse(chunk)
                yield b"data: [DONE]\n\n"
            finally:
                stream.stop()

        return sse_response(events(), stream)

    # ---- responses ------------------------------------------------------------
    @app.post("/v1/responses", openapi_extra=body_schema(RESPONSES_FIELDS))
    async def responses(request: Request):
        body = await body_of(request, RESPONSES_FIELDS, RESPONSES_IGNORED)
        cs.check_output_cap(body.get("max_output_tokens"), "max_output_tokens", state.config.max_output_tokens)
        chat_body = validate_body(responses_api.to_chat_body(body), CHAT_FIELDS, ignored=CHAT_IGNORED)
        model = state.registry.resolve(body["model"], "responses")
        plan = await anyio.to_thread.run_sync(cs.plan_chat, chat_body, model.id, state.engine, state.config.default_max_tokens,
                                              state.config.max_output_tokens, limiter=state.threads)
        who = admit(request, body["model"], plan.prompt_texts(), plan.requests[0]["max_tokens"])
        log_prompt(body)
        if not plan.stream:
            result = await generate(who, plan.generate_with(state.engine), plan.requests[0])
            completion = cs.merge_chat(plan, [result])
            record(who, completion["usage"])
            return responses_api.from_chat(body, completion)
        stream = ThreadStream(state, who, plan.generate_with(state.engine, stream=True), plan.requests[:1])
        first, rest = await first_then_rest(stream.items())
        conv = responses_api.ResponseEvents(body, model.id)

        async def events():
            usage: dict[str, Any] = {}
            try:
                for kind, ev in conv.start():
                    yield sse(ev, kind)
                async for _, item in chain(first, rest):
                    if isinstance(item, APIError):
                        yield sse({"type": "error", "sequence_number": conv.seq, "code": item.code, "message": item.message,
                                   "param": item.param}, "error")
                        return
                    if item.get("usage"):
                        usage = item["usage"]
                        if not item.get("choices"):
                            continue
                    for chunk in cs.chat_chunks(plan, 0, item):
                        for kind, ev in conv.on_chunk(chunk):
                            yield sse(ev, kind)
                record(who, usage)
                for kind, ev in conv.finish(usage):
                    yield sse(ev, kind)
            finally:
                stream.stop()

        return sse_response(events(), stream)

    # ---- embeddings ------------------------------------------------------------
    @app.post("/v1/embeddings", openapi_extra=body_schema(EMBEDDING_FIELDS))
    async def embeddings(request: Request):
        body = await body_of(request, EMBEDDING_FIELDS)
        model = state.registry.resolve(body["model"], "embeddings")
        texts = normalize_input(body["input"])
        who = admit(request, body["model"], texts, 0)

        def work():
            n_tokens = state.embedder.count_input_tokens(texts)
            return state.embedder.embed(texts), n_tokens

        vectors, n_tokens = await anyio.to_thread.run_sync(work, limiter=state.embed_threads)
        data = embedding_payload(vectors, body.get("encoding_format", "float"), body.get("dimensions"))
        state.usage.tokens(who, n_tokens, 0)
        return {"object": "list", "data": data, "model": model.id, "usage": {"prompt_tokens": n_tokens, "total_tokens": n_tokens}}

    # ---- what needs the real API -------------------------------------------------
    async def needs_real_api(request: Request, default_model: str):
        model = default_model
        if request.headers.get("content-type", "").startswith("application/json"):
            try:
                body = await read_json(request, state.config.max_body_bytes)
                if isinstance(body, dict) and isinstance(body.get("model"), str):
                    model = body["model"]
            except APIError:
                pass
        raise real_api_only(model)

    for path, default in (("/v1/images/generations", "dall-e-2"), ("/v1/images/edits", "dall-e-2"), ("/v1/images/variations", "dall-e-2"),
                          ("/v1/audio/speech", "tts-1"), ("/v1/audio/transcriptions", "whisper-1"), ("/v1/audio/translations", "whisper-1"),
                          ("/v1/moderations", "omni-moderation-latest")):
        async def handler(request: Request, _default=default):
            return await needs_real_api(request, _default)
        app.add_api_route(path, handler, methods=["POST"], name=path)

    from .stored_routes import add_stored_routes

    add_stored_routes(app, state, body_schema)

    @app.get("/v1/admin/usage")
    async def admin_usage():
        report = state.usage.report(state.keys.names)
        report["queue"] = state.scheduler.snapshot()
        report["stored_completions"] = await anyio.to_thread.run_sync(state.store.count)
        return report

    return app
