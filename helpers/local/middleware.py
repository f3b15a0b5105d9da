"""The ASGI layer in front of every route: request ids, auth, body limits, usage counts.

Pure ASGI (no BaseHTTPMiddleware) because it runs on every streamed token's
response too and must stay cheap. In order, for each HTTP request:
1. a request id: `x-request-id` on every response (the SDK shows it as
   `response._request_id` and on its errors) and on every log line of the request;
2. who is calling (401 otherwise) and whether an admin path has the admin key;
3. the body size limit (413), checked on the declared length and on the bytes read;
4. the x-ratelimit-* headers a route decided on (scope state "ratelimit"), and
   the usage book's count of requests and errors per key.
"""

from __future__ import annotations

import contextvars
import logging
import secrets
import time

from . import errors

log = logging.getLogger("helpers.local.requests")
OPEN_PATHS = ("/health", "/openapi.json")
ADMIN_PREFIX = "/v1/admin/"
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Adds the current request id to log records (format with %(request_id)s)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


def new_request_id() -> str:
    return "req_" + secrets.token_hex(16)


async def send_error(send, e: errors.APIError, extra_headers: list[tuple[bytes, bytes]]) -> None:
    import json

    body = json.dumps(e.body()).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *extra_headers]
    headers += [(k.lower().encode(), v.encode()) for k, v in e.headers.items()]
    await send({"type": "http.response.start", "status": e.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class GateMiddleware:
    def __init__(self, app, state):
        self.app = app
        self.state = state

    def _who(self, path: str, authorization: str | None) -> str:
        if path.startswith(ADMIN_PREFIX):
            if not self.state.keys.is_admin(authorization):
                raise errors.admin_key_required()
            return "admin"
        return self.state.keys.identify(authorization)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        rid = new_request_id()
        request_id.set(rid)
        id_header = [(b"x-request-id", rid.encode())]
        path = scope["path"]
        if path in OPEN_PATHS:
            return await self.app(scope, receive, _with_headers(send, lambda: id_header))
        headers = dict(scope.get("headers") or ())
        limit = self.state.config.max_body_bytes
        try:
            who = self._who(path, _latin1(headers.get(b"authorization")))
        except errors.APIError as e:
            return await send_error(send, e, id_header)
        declared = headers.get(b"content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            self.state.usage.request(who, 413)
            return await send_error(send, errors.request_too_large(limit), id_header)
        self.state.touch()
        state = scope.setdefault("state", {})
        state["who"] = who
        status = [500]

        def extra_headers() -> list[tuple[bytes, bytes]]:
            rate = state.get("ratelimit") or {}
            return id_header + [(k.encode(), v.encode()) for k, v in rate.items()]

        async def send_counting(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, _capped(receive, limit), _with_headers(send_counting, extra_headers))
        finally:
            if who != "admin":
                self.state.usage.request(who, status[0])
            # A line per failed request (never its content): the id ties a learner's error to the log.
            log.log(
                logging.INFO if status[0] >= 400 else logging.DEBUG,
                "%s %s %d %.0f ms",
                scope["method"],
                path,
                status[0],
                (time.perf_counter() - started) * 1000,
            )


def _latin1(value: bytes | None) -> str | None:
    return value.decode("latin-1") if value is not None else None


def _with_headers(send, extra):
    async def wrapped(message):
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", ()), *extra()]}
        await send(message)

    return wrapped


def _capped(receive, limit: int):
    """A body sent without (or with a false) content-length is cut off at the limit: 413."""
    seen = [0]

    async def wrapped():
        message = await receive()
        if message["type"] == "http.request":
            seen[0] += len(message.get("body", b""))
            if seen[0] > limit:
                raise errors.request_too_large(limit)
        return message

    return wrapped
