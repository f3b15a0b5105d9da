"""The offline OpenAI-compatible HTTP app, assembled from its parts.

Routes (routes/) mirror the OpenAI API's paths and JSON shapes; every generating
route goes through the one pipeline (pipeline.py); the middleware does ids, auth,
limits; errors (errors.py) become the API's JSON here. Generation happens in
llama.cpp worker threads, embeddings in NumPy (engines/).
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import errors
from .dashboard import mount_dashboard
from .housekeeping import housekeeping
from .middleware import GateMiddleware, request_id
from .pipeline import Pipeline
from .profile import ProfileMiddleware
from .routes import routers
from .state import State

log = logging.getLogger("helpers.local")


def error_response(e: errors.APIError) -> JSONResponse:
    return JSONResponse(e.body(), status_code=e.status, headers=e.headers)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(errors.APIError)
    async def on_api_error(_: Request, e: errors.APIError):
        return error_response(e)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, e: StarletteHTTPException):
        if e.status_code == 404:
            return error_response(errors.url_not_found(request.method, request.url.path))
        if e.status_code == 405:
            return error_response(errors.method_not_allowed(request.method, request.url.path))
        return error_response(errors.http_error(e.status_code, str(e.detail)))

    @app.exception_handler(RequestValidationError)
    async def on_validation(_: Request, e: RequestValidationError):
        first = (e.errors() or [{}])[0]
        where = ".".join(str(p) for p in first.get("loc", ())[1:]) or None
        return error_response(
            errors.invalid(f"Invalid '{where}': {first.get('msg', 'invalid value')}.", f"参数 '{where}' 无效。", param=where, code="invalid_value")
        )

    @app.exception_handler(Exception)
    async def on_unexpected(_: Request, e: Exception):
        # Outside the middleware (Starlette's outermost layer): add the request id here.
        log.exception("unexpected error")
        response = error_response(errors.unexpected())
        response.headers["x-request-id"] = request_id.get()
        return response


def create_app(state: State) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app):
        task = asyncio.create_task(housekeeping(state))
        try:
            yield
        finally:
            task.cancel()
            if state.gateway:
                await state.gateway.relay.aclose()

    app = FastAPI(
        title="OpenAI course offline server",
        version="1.0",
        description="An OpenAI-compatible API served by local models (llama.cpp and the Universal Sentence Encoder).",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.course = state
    app.add_middleware(ProfileMiddleware, flags=state.config.profile)  # added first: inside the gate
    app.add_middleware(GateMiddleware, state=state)
    mount_dashboard(app, state)  # /admin and /course/v1/progress, in front of the gate
    _add_error_handlers(app)
    pipeline = Pipeline(state)
    if state.gateway:  # first, so its routes answer instead of the local ones of the same paths
        from .gateway.routes import router as gateway_router

        app.include_router(gateway_router(state, pipeline))
    for router in routers(state, pipeline):
        app.include_router(router)
    return app
