"""The offline OpenAI-compatible HTTP server (FastAPI on uvicorn).

Routes mirror the OpenAI API's paths and JSON shapes. Validation, auth, limits
and reshaping happen here in Python; generation happens in llama.cpp worker
threads (see chat_engine), embeddings in NumPy (see embedder).
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Callable

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import chat_service as cs
from . import responses_api
from .chat_engine import ChatEngine
from .embedder import Embedder, embedding_payload, normalize_input
from .errors import APIError, invalid
from .gate import KeyRing, RequestLimiter
from .models import ModelRegistry
from .schema import openapi_schema, validate_body
from .specs import (CHAT_FIELDS, CHAT_IGNORED, COMPLETION_FIELDS, EMBEDDING_FIELDS, REAL_API_HINT_EN, REAL_API_HINT_ZH,
                    RESPONSES_FIELDS, RESPONSES_IGNORED)

log = logging.getLogger("helpers.local")
SERVICE_NAME = "openai-course-offline"
_DONE = object()


@dataclass
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 18765
    api_keys: list[str] = field(default_factory=list)
    parallel: int = 4
    model_path: str | None = None
    ctx_per_slot: int = 8192
    threads: int | None = None
    rpm: int | None = None
    default_max_tokens: int = 1024
    max_body_bytes: int = 8 * 1024 * 1024


class State:
    """The loaded models and the gate, shared by all requests."""

    def __init__(self, config: ServerConfig, engine: ChatEngine, embedder: Embedder):
        self.config = config
        self.engine = engine
        self.embedder = embedder
        self.registry = ModelRegistry(engine.model_id, embedder.model_id)
        self.keys = KeyRing(config.api_keys)
        self.limiter = RequestLimiter(config.rpm)
        self.workers = anyio.CapacityLimiter(max(64, config.parallel * 16))
        self.embed_workers = anyio.CapacityLimiter(2)
        self.started = time.time()


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers=headers)


def _error_response(e: APIError) -> JSONResponse:
    return _json(e.body(), e.status, e.headers)


async def read_json(request: Request, limit: int) -> Any:
    """Read the body with a size cap (413 beyond it) and parse it like the API does."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    raw = b"".join(chunks)
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise invalid(
            "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. "
            "The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
            "无法解析请求体中的 JSON。（提示：OpenAI API 需要 JSON 格式的请求体，而收到的不是合法的 JSON。）",
        ) from None


def _too_large(limit: int) -> APIError:
    return APIError(413, f"Request body too large: the limit is {limit // (1024 * 1024)} MB.",
                    f"请求体太大：上限是 {limit // (1024 * 1024)} MB。", code="request_too_large")


def _sse(data: Any, event: str | None = None) -> bytes:
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


class ThreadStream:
    """Runs blocking streaming generations in worker threads and hands their
    chunks to the event loop; a client that goes away stops generation."""

    def __init__(self, state: State, fn: Callable[[dict, Callable], None], requests: list[dict[str, Any]]):
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue = asyncio.Queue()
        self.cancel = threading.Event()
        self.pending = len(requests)
        self.tasks = [asyncio.create_task(self._run(state, fn, i, r)) for i, r in enumerate(requests)]

    async def _run(self, state: State, fn, index: int, req: dict[str, Any]) -> None:
        def on_chunk(chunk: dict[str, Any]) -> bool:
            self.loop.call_soon_threadsafe(self.queue.put_nowait, (index, chunk))
            return self.cancel.is_set()

        def work() -> None:
            try:
                fn(req, on_chunk)
            except APIError as e:
                self.loop.call_soon_threadsafe(self.queue.put_nowait, (index, e))
            except Exception as e:  # noqa: BLE001 - reported to the client as a server_error, never a crash
                log.exception("generation failed")
                self.loop.call_soon_threadsafe(self.queue.put_nowait, (index, APIError(500, f"Generation failed: {e}", "生成失败。", type="server_error")))
            finally:
                self.loop.call_soon_threadsafe(self.queue.put_nowait, (index, _DONE))

        await anyio.to_thread.run_sync(work, limiter=state.workers)

    async def items(self) -> AsyncIterator[tuple[int, Any]]:
        """Yield (choice index, chunk | APIError) until every generation is done."""
        try:
            while self.pending:
                index, item = await self.queue.get()
                if item is _DONE:
                    self.pending -= 1
                    continue
                if isinstance(item, dict) and "error" in item:
                    from .chat_engine import engine_error

                    item = engine_error(item["error"])
                yield index, item
        finally:
            self.cancel.set()

    def stop(self) -> None:
        self.cancel.set()


async def _first_then_rest(gen: AsyncIterator[tuple[int, Any]]) -> tuple[list[tuple[int, Any]], AsyncIterator[tuple[int, Any]]]:
    """Wait for the first chunk so an early error becomes a proper HTTP status."""
    first = []
    async for item in gen:
        if isinstance(item[1], APIError):
            raise item[1]
        first.append(item)
        break
    return first, gen


def create_app(state: State) -> FastAPI:
    app = FastAPI(title="OpenAI course offline server", version="1.0",
                  description="An OpenAI-compatible API served by local models (llama.cpp and the Universal Sentence Encoder).",
                  docs_url=None, redoc_url=None)
    app.state.course = state

    def body_schema(fields) -> dict[str, Any]:
        return {"requestBody": {"required": True, "content": {"application/json": {"schema": openapi_schema(fields)}}}}

    # ---- gate: auth and limits on every route but /health -----------------
    @app.middleware("http")
    async def gate(request: Request, call_next):
        if request.url.path in ("/health", "/openapi.json"):
            return await call_next(request)
        try:
            who = state.keys.identify(request.headers.get("authorization"))
            headers = state.limiter.check(who) if request.method == "POST" else {}
        except APIError as e:
            return _error_response(e)
        request.state.who = who
        response = await call_next(request)
        for k, v in headers.items():
            response.headers[k] = v
        return response

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
        return _error_response(invalid(f"Invalid request: {e.errors()[:1]}", "请求无效。"))

    @app.exception_handler(Exception)
    async def on_unexpected(_: Request, e: Exception):
        log.exception("unexpected error")
        return _error_response(APIError(500, "The offline server had an unexpected error; it keeps running. Please retry.",
                                        "离线服务器出现意外错误（服务仍在运行），请重试。", type="server_error"))

    # ---- health and models -------------------------------------------------
    @app.get("/health")
    async def health():
        return {"status": "ok", "service": SERVICE_NAME, "pid": os.getpid(), "chat_model": state.engine.model_id,
                "embedding_model": state.embedder.model_id, "auth": state.keys.enabled,
                "uptime_s": round(time.time() - state.started, 1)}

    @app.get("/v1/models")
    async def list_models():
        return {"object": "list", "data": state.registry.model_objects()}

    @app.get("/v1/models/{model_id:path}")
    async def get_model(model_id: str):
        return state.registry.model_object(model_id)

    # ---- chat completions ---------------------------------------------------
    @app.post("/v1/chat/completions", openapi_extra=body_schema(CHAT_FIELDS))
    async def chat_completions(request: Request):
        body = validate_body(await read_json(request, state.config.max_body_bytes), CHAT_FIELDS, ignored=CHAT_IGNORED)
        model = state.registry.resolve(body["model"], "chat")
        plan = await anyio.to_thread.run_sync(cs.plan_chat, body, model.id, state.engine, state.config.default_max_tokens,
                                              limiter=state.workers)
        if not plan.stream:
            results = await asyncio.gather(*(anyio.to_thread.run_sync(state.engine.chat, r, limiter=state.workers) for r in plan.requests))
            return cs.merge_chat(plan, list(results))
        stream = ThreadStream(state, state.engine.chat_stream, plan.requests)
        first, rest = await _first_then_rest(stream.items())

        async def events():
            usages = []
            try:
                async for index, item in _chain(first, rest):
                    if isinstance(item, APIError):
                        yield _sse(item.body())
                        break
                    if item.get("usage") and not item.get("choices"):
                        usages.append(item["usage"])
                        continue
                    chunk = cs.chat_chunk(plan, index, item)
                    if chunk:
                        yield _sse(chunk)
                else:
                    if plan.include_usage:
                        yield _sse(cs.usage_chunk(plan, usages))
                yield b"data: [DONE]\n\n"
            finally:
                stream.stop()

        return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    # ---- legacy completions -------------------------------------------------
    @app.post("/v1/completions", openapi_extra=body_schema(COMPLETION_FIELDS))
    async def completions(request: Request):
        body = validate_body(await read_json(request, state.config.max_body_bytes), COMPLETION_FIELDS)
        model = state.registry.resolve(body["model"], "completions")
        plan, prompts = await anyio.to_thread.run_sync(cs.plan_completion, body, model.id, state.engine, limiter=state.workers)
        if not plan.stream:
            results = await asyncio.gather(*(anyio.to_thread.run_sync(state.engine.complete, r, limiter=state.workers) for r in plan.requests))
            return cs.merge_completion(plan, list(results), prompts, bool(body.get("echo")))
        stream = ThreadStream(state, state.engine.complete_stream, plan.requests)
        first, rest = await _first_then_rest(stream.items())

        async def events():
            try:
                async for index, item in _chain(first, rest):
                    if isinstance(item, APIError):
                        yield _sse(item.body())
                        break
                    chunk = cs.completion_chunk(plan, index, item)
                    if chunk:
                        yield _sse(chunk)
                yield b"data: [DONE]\n\n"
            finally:
                stream.stop()

        return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    # ---- responses ------------------------------------------------------------
    @app.post("/v1/responses", openapi_extra=body_schema(RESPONSES_FIELDS))
    async def responses(request: Request):
        body = validate_body(await read_json(request, state.config.max_body_bytes), RESPONSES_FIELDS, ignored=RESPONSES_IGNORED)
        chat_body = responses_api.to_chat_body(body)
        validate_body(chat_body, CHAT_FIELDS)
        model = state.registry.resolve(body["model"], "responses")
        plan = await anyio.to_thread.run_sync(cs.plan_chat, chat_body, model.id, state.engine, state.config.default_max_tokens,
                                              limiter=state.workers)
        if not plan.stream:
            result = await anyio.to_thread.run_sync(state.engine.chat, plan.requests[0], limiter=state.workers)
            return responses_api.from_chat(body, cs.merge_chat(plan, [result]))
        stream = ThreadStream(state, state.engine.chat_stream, plan.requests[:1])
        first, rest = await _first_then_rest(stream.items())
        conv = responses_api.ResponseEvents(body, model.id)

        async def events():
            usage: dict[str, Any] = {}
            try:
                for kind, ev in conv.start():
                    yield _sse(ev, kind)
                async for _, item in _chain(first, rest):
                    if isinstance(item, APIError):
                        yield _sse({"type": "error", "sequence_number": conv.seq, "code": item.code, "message": item.message, "param": item.param}, "error")
                        return
                    if item.get("usage") and not item.get("choices"):
                        usage = item["usage"]
                        continue
                    for kind, ev in conv.on_chunk(item):
                        yield _sse(ev, kind)
                for kind, ev in conv.finish(usage):
                    yield _sse(ev, kind)
            finally:
                stream.stop()

        return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    # ---- embeddings ------------------------------------------------------------
    @app.post("/v1/embeddings", openapi_extra=body_schema(EMBEDDING_FIELDS))
    async def embeddings(request: Request):
        body = validate_body(await read_json(request, state.config.max_body_bytes), EMBEDDING_FIELDS, ignored=frozenset())
        model = state.registry.resolve(body["model"], "embeddings")
        texts = normalize_input(body["input"])

        def work():
            counts = [state.embedder.count_tokens(t) for t in texts]
            for i, n in enumerate(counts):
                if n > 8192:
                    raise invalid(f"This model's maximum context length is 8192 tokens, however you requested {n} tokens in input[{i}]. Please reduce your input.",
                                  f"该模型每条输入最多 8192 个词元，input[{i}] 有 {n} 个。请缩短输入。", param="input", code="context_length_exceeded")
            return state.embedder.embed(texts), sum(counts)

        vectors, n_tokens = await anyio.to_thread.run_sync(work, limiter=state.embed_workers)
        data = embedding_payload(vectors, body.get("encoding_format", "float"), body.get("dimensions"))
        return {"object": "list", "data": data, "model": model.id,
                "usage": {"prompt_tokens": n_tokens, "total_tokens": n_tokens}}

    # ---- what needs the real API -------------------------------------------------
    async def _real_api_only(request: Request, default_model: str):
        model = default_model
        if request.headers.get("content-type", "").startswith("application/json"):
            try:
                body = await read_json(request, state.config.max_body_bytes)
                if isinstance(body, dict) and isinstance(body.get("model"), str):
                    model = body["model"]
            except APIError:
                pass
        raise APIError(404, f"The model `{model}` does not exist or you do not have access to it. The offline course server has no "
                            f"image, audio or moderation models. {REAL_API_HINT_EN}",
                       f"模型 `{model}` 不存在，或你无权使用它。离线课程服务器没有图像、音频或内容审核模型。{REAL_API_HINT_ZH}",
                       code="model_not_found")

    for path, default in (("/v1/images/generations", "dall-e-2"), ("/v1/images/edits", "dall-e-2"), ("/v1/images/variations", "dall-e-2"),
                          ("/v1/audio/speech", "tts-1"), ("/v1/audio/transcriptions", "whisper-1"), ("/v1/audio/translations", "whisper-1"),
                          ("/v1/moderations", "omni-moderation-latest")):
        async def handler(request: Request, _default=default):
            return await _real_api_only(request, _default)
        app.add_api_route(path, handler, methods=["POST"], name=path)

    return app


async def _chain(first: list, rest: AsyncIterator) -> AsyncIterator:
    for item in first:
        yield item
    async for item in rest:
        yield item
