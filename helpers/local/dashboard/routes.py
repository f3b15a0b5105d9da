"""The dashboard's routes and the course's progress endpoint, in front of the API.

These routes are not part of the OpenAI API (nothing lives under /v1) and have
their own ways in: the admin key or a session cookie for /admin, a student key
for /course/v1/progress. So they are dispatched before the API's gate, by one
small ASGI middleware, and stay out of /openapi.json.
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter
from urllib.parse import parse_qs

import anyio
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route, Router

from ..errors import APIError
from ..gate import Limits
from . import pages, snapshot
from .auth import SECURITY_HEADERS, AdminSessions, expired_cookie, same_origin, session_cookie, session_token
from .progress_store import ProgressStore
from .report import parse_report, read_report

log = logging.getLogger("helpers.local")
PROGRESS_RPM = 60  # reports per minute per student: far above any real pace, a cap on a runaway loop
FEED_EVERY_S = 2.0  # a snapshot at least this often (queue and tokens/s move without reports)
FEED_MIN_GAP_S = 0.3  # and no more often than this, however fast reports arrive
MAX_FORM_BYTES = 4096


def _headers(scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _error(e: APIError) -> JSONResponse:
    return JSONResponse(e.body(), status_code=e.status, headers=e.headers)


def not_admin() -> APIError:
    return APIError(401, "This page needs the server's admin key (serve --admin-key): sign in at /admin or send it as a Bearer token.",
                    "这个页面需要服务器的管理员密钥（serve --admin-key）：请在 /admin 登录，或用 Bearer 方式发送。", code="invalid_api_key")


class Feed:
    """Wakes the open dashboards when a report arrives, so progress shows at once. A version
    number, so a report that lands while a viewer is busy sending is not missed."""

    def __init__(self) -> None:
        self.version = 0
        self._event: asyncio.Event | None = None

    def bump(self) -> None:
        self.version += 1
        if self._event is not None:
            self._event.set()
            self._event = None

    async def wait(self, seen: int, timeout: float) -> None:
        """Return when the version differs from `seen`, or after `timeout` seconds."""
        if self.version != seen:
            return
        if self._event is None:
            self._event = asyncio.Event()
        with anyio.move_on_after(timeout):
            await self._event.wait()


class Dashboard:
    """State of the dashboard: the progress store, admin sessions, the live feed and its own cost."""

    def __init__(self, state, exercises: list[str]):
        self.state = state
        self.exercises = exercises
        self.known = set(exercises)
        self.collect_answers = bool(getattr(state.config, "collect_answers", False))
        self.store = ProgressStore(state.store.path, state.config.retention_days)
        self.sessions = AdminSessions(state.keys)
        self.limits = Limits(PROGRESS_RPM, None)
        self.feed = Feed()
        self.threads = anyio.CapacityLimiter(4)  # its own worker threads: the API's are never taken by the dashboard
        self.requests: Counter = Counter()
        self.cpu_s = 0.0  # CPU time of this module's own work (SQLite, snapshots, JSON)
        self.started = time.time()
        self._cached: tuple[int, float, str] | None = None  # (feed version, built at, JSON)
        self._building = asyncio.Lock()
        self.router = Router(routes=[
            Route("/admin", self.page, methods=["GET"]),
            Route("/admin/login", self.login, methods=["POST"]),
            Route("/admin/logout", self.logout, methods=["POST"]),
            Route("/admin/state.json", self.state_json, methods=["GET"]),
            Route("/admin/events", self.events, methods=["GET"]),
            Route("/admin/progress.csv", self.progress_csv, methods=["GET"]),
            Route("/admin/usage.csv", self.usage_csv, methods=["GET"]),
            Route("/course/static/{name}", self.static, methods=["GET"]),
            Route("/course/v1/progress", self.report, methods=["POST"]),
        ], default=self.not_found)

    # ---- the work, timed -------------------------------------------------------
    async def _timed(self, fn, *args):
        def work():
            t0 = time.thread_time()
            try:
                return fn(*args)
            finally:
                self.cpu_s += time.thread_time() - t0

        return await anyio.to_thread.run_sync(work, limiter=self.threads)

    def _build(self) -> str:
        snap = snapshot.build(self.state, self.store.cells(), self.exercises, self.collect_answers)
        return json.dumps(snap, ensure_ascii=False)

    async def snapshot_text(self) -> str:
        """One shared snapshot for every viewer: rebuilt after a report, else at most every FEED_MIN_GAP_S."""
        async with self._building:  # several open dashboards share one build
            version = self.feed.version
            if self._cached and self._cached[0] == version and time.monotonic() - self._cached[1] < FEED_MIN_GAP_S:
                return self._cached[2]
            text = await self._timed(self._build)
            self._cached = (version, time.monotonic(), text)
            return text

    # ---- admin routes -------------------------------------------------------------
    def _allowed(self, request: Request) -> bool:
        return self.sessions.allowed({k.lower(): v for k, v in request.headers.items()})

    async def page(self, request: Request) -> Response:
        lang = pages.page_lang(request.headers.get("accept-language"))
        if not self._allowed(request):
            return pages.html_page("login.html", lang, status=401)
        return pages.html_page("dashboard.html", lang)

    async def login(self, request: Request) -> Response:
        lang = pages.page_lang(request.headers.get("accept-language"))
        if not same_origin({k.lower(): v for k, v in request.headers.items()}):
            return pages.html_page("login.html", lang, status=403, error=True)
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_FORM_BYTES:
                return pages.html_page("login.html", lang, status=413, error=True)
        key = (parse_qs(body.decode("utf-8", "replace")).get("key") or [""])[0].strip()
        token = self.sessions.sign_in(key)
        if token is None:
            await asyncio.sleep(0.5)  # slows down guessing; the right key never waits
            return pages.html_page("login.html", lang, status=401, error=True)
        return RedirectResponse("/admin", status_code=303, headers={"Set-Cookie": session_cookie(token)})

    async def logout(self, request: Request) -> Response:
        self.sessions.sign_out(session_token({k.lower(): v for k, v in request.headers.items()}))
        return RedirectResponse("/admin", status_code=303, headers={"Set-Cookie": expired_cookie()})

    async def state_json(self, request: Request) -> Response:
        if not self._allowed(request):
            return _error(not_admin())
        snap = json.loads(await self.snapshot_text())
        snap["dashboard_cost"] = {"requests": dict(self.requests), "cpu_s": round(self.cpu_s, 4),
                                  "since": int(self.started), "progress_rows": await self._timed(self.store.count)}
        return JSONResponse(snap)

    async def events(self, request: Request) -> Response:
        """Server-sent events: a snapshot now, then on every report and every FEED_EVERY_S."""
        if not self._allowed(request):
            return _error(not_admin())

        async def stream():
            last = None
            while not self.state.shutting_down:
                seen = self.feed.version
                self.state.touch()  # someone is watching: not idle
                text = await self.snapshot_text()
                yield f"data: {text}\n\n".encode() if text != last else b": still here\n\n"
                last = text
                await asyncio.sleep(FEED_MIN_GAP_S)
                await self.feed.wait(seen, FEED_EVERY_S)

        return StreamingResponse(stream(), media_type="text/event-stream")

    async def _csv(self, request: Request, make, filename: str) -> Response:
        if not self._allowed(request):
            return _error(not_admin())
        text = make(json.loads(await self.snapshot_text()))
        return Response(text, media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})

    async def progress_csv(self, request: Request) -> Response:
        return await self._csv(request, snapshot.progress_csv, "progress.csv")

    async def usage_csv(self, request: Request) -> Response:
        return await self._csv(request, snapshot.usage_csv, "usage.csv")

    async def static(self, request: Request) -> Response:
        return pages.asset(request.path_params["name"])

    async def not_found(self, scope, receive, send) -> None:
        path = scope.get("path", "")
        await _error(APIError(404, f"Invalid URL ({scope.get('method')} {path})", f"无效的 URL（{scope.get('method')} {path}）"))(
            scope, receive, send)

    # ---- the students' reports ---------------------------------------------------------
    async def report(self, request: Request) -> Response:
        try:
            who = self.state.keys.identify(request.headers.get("authorization"))
            self.limits.admit(who, "course progress", 0, (0, 0.0))
            r = parse_report(await read_report(request), self.known, self.collect_answers)
        except APIError as e:
            return _error(e)
        attempts = await self._timed(self.store.record, who, r.exercise, r.passed, r.attempt, r.answer)
        self.feed.bump()
        return JSONResponse({"object": "course.progress", "exercise": r.exercise, "passed": r.passed, "attempts": attempts,
                             "collect_answers": self.collect_answers})


class CourseRoutes:
    """Pure ASGI: /admin and /course/ go to the dashboard (with its security headers),
    everything else to the API behind its gate."""

    def __init__(self, app, dashboard: Dashboard):
        self.app = app
        self.dashboard = dashboard

    @staticmethod
    def handles(path: str) -> bool:
        return path == "/admin" or path.startswith(("/admin/", "/course/"))

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not self.handles(scope["path"]):
            return await self.app(scope, receive, send)
        self.dashboard.requests[scope["path"].split("/")[-1] or "admin"] += 1
        self.dashboard.state.touch()  # a report or an open dashboard is activity (idle timeout)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                have = {k.decode("latin-1").lower() for k, _ in message.get("headers", [])}
                extra = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items() if k.lower() not in have]
                message = {**message, "headers": list(message.get("headers", [])) + extra}
            await send(message)

        started = False

        async def tracked(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send_with_headers(message)

        try:
            await self.dashboard.router(scope, receive, tracked)
        except HTTPException as e:  # the router's own 405
            method, path = scope.get("method"), scope["path"]
            await _error(APIError(e.status_code, f"Not allowed to {method} on {path}.", f"{path} 不支持 {method} 方法。",
                                  headers=dict(e.headers or {})))(scope, receive, send_with_headers)
        except Exception:  # a dashboard fault is logged and answered, never a crash
            log.exception("dashboard error")
            if not started:
                await _error(APIError(500, "The dashboard had an unexpected error; the server keeps running.",
                                      "看板出现意外错误（服务仍在运行）。", type="server_error"))(scope, receive, send_with_headers)
