"""One student request sent to an upstream, with failover until the first byte.

Every request first takes a turn in the gateway's fair scheduler (the same
round-robin-by-key queue the local engine uses), so 40 students share the
engines fairly whatever one of them fires. Then it goes to the least busy
upstream. Until the first event of the answer has arrived nothing has reached
the student, so a refused connection, a timeout or a 5xx sends the request to
the next upstream; a 429 puts the request back into the fair queue until the
upstream is ready again. Only the upstream's key goes upstream: the student's
key and headers stay here.
"""
from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from ..errors import APIError, upstream_unreachable
from ..scheduler import FairScheduler
from .config import GatewayConfig
from .pool import Upstream, UpstreamPool, pools_by_kind
from .sse import EventSplitter
from .upstream_errors import map_upstream_error, retry_after_seconds

MAX_THROTTLED_RETRIES = 5
MAX_THROTTLE_WAIT_S = 10.0
STREAM_ERRORS = (httpx.TransportError, httpx.StreamError)


@dataclass
class _Turn:
    held: bool = False  # whether this request holds a slot of the fair scheduler


@dataclass
class Opened:
    """An upstream answer that has started: its first events (stream) or its JSON (not a stream).
    `close()` must run once the student has it: it frees the fair slot and the upstream."""

    upstream: Upstream
    response: httpx.Response
    first_events: list[bytes] = field(default_factory=list)
    body: Any = None
    raw: bytes = b""
    chunks: AsyncIterator[bytes] | None = None
    _close: Any = None

    async def close(self) -> None:
        if self._close:
            done, self._close = self._close, None
            await done()


class Relay:
    def __init__(self, config: GatewayConfig, scheduler: FairScheduler):
        self.config = config
        self.scheduler = scheduler
        self.pools: dict[str, UpstreamPool] = pools_by_kind(config.upstreams)
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(config.read_timeout, connect=config.connect_timeout),
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=256),
            headers={"Accept-Encoding": "identity"})  # events must not wait in a compressor

    async def aclose(self) -> None:
        await self.client.aclose()

    async def open(self, who: str, kind: str, path: str, body: dict[str, Any], student_model: str, stream: bool) -> Opened:
        """Send `body` to an upstream of `kind` after a fair turn; return once its answer has begun."""
        turn = _Turn()
        await self.scheduler.acquire(who)
        turn.held = True
        try:
            return await self._open_with_failover(turn, who, kind, path, body, student_model, stream)
        except BaseException:
            if turn.held:
                self.scheduler.release(who)
            raise

    async def _open_with_failover(self, turn: _Turn, who, kind, path, body, student_model, stream) -> Opened:
        pool = self.pools[kind]
        tried: set[str] = set()
        throttles = 0
        last_error: APIError | None = None
        content = json.dumps(body, ensure_ascii=False).encode()
        while True:
            upstream = pool.choose(tried)
            if upstream is None:
                raise last_error or upstream_unreachable()
            pool.started(upstream)
            outcome = await self._attempt(upstream, path, content, stream)
            if isinstance(outcome, Opened):
                pool.succeeded(upstream)
                outcome._close = self._closer(who, upstream, outcome.response)
                return outcome
            pool.finished(upstream)
            status, raw, headers = outcome
            if status == 0 or status >= 500:  # no answer, or the engine's fault: try another
                pool.failed(upstream, f"HTTP {status}" if status else raw.decode())
                tried.add(upstream.label)
                if status:
                    last_error = map_upstream_error(status, raw, upstream.spec, student_model, body.get("model", ""))
                continue
            error = map_upstream_error(status, raw, upstream.spec, student_model, body.get("model", ""))
            if status == 429 and error.code != "insufficient_quota" and throttles < MAX_THROTTLED_RETRIES:
                throttles += 1
                pool.throttled(upstream, retry_after_seconds(headers))
                await self._requeue(turn, who, pool)
                tried.clear()
                continue
            pool.succeeded(upstream)  # it answered: a client-side error is no sign of ill health
            raise error

    async def _requeue(self, turn: _Turn, who: str, pool: UpstreamPool) -> None:
        """A throttled request goes back into the fair queue: other students take their
        turns while it waits for an upstream to have room again."""
        self.scheduler.release(who)
        turn.held = False
        await asyncio.sleep(min(pool.seconds_until_available(), MAX_THROTTLE_WAIT_S))
        await self.scheduler.acquire(who)
        turn.held = True

    async def _attempt(self, upstream: Upstream, path: str, content: bytes, stream: bool) -> Opened | tuple[int, bytes, Any]:
        """One try: an Opened answer, or (status, body, headers) of a failure (status 0: no answer)."""
        headers = {"Content-Type": "application/json"}
        if upstream.spec.key:
            headers["Authorization"] = f"Bearer {upstream.spec.key}"
        request = self.client.build_request("POST", upstream.spec.url + path, content=content, headers=headers)
        try:
            response = await self.client.send(request, stream=True)
        except STREAM_ERRORS as e:
            return 0, type(e).__name__.encode(), {}
        result: Opened | tuple[int, bytes, Any] | None = None
        try:
            if response.status_code >= 400:
                result = response.status_code, await response.aread(), response.headers
            elif not stream:
                raw = await response.aread()
                result = Opened(upstream, response, body=json.loads(raw), raw=raw)
            else:
                result = await _first_events(upstream, response)
        except (StopAsyncIteration, ValueError, *STREAM_ERRORS) as e:
            result = 0, type(e).__name__.encode(), {}
        finally:
            if not (stream and isinstance(result, Opened)):
                await response.aclose()
        return result

    def _closer(self, who: str, upstream: Upstream, response: httpx.Response):
        async def close() -> None:
            try:
                await response.aclose()
            finally:
                UpstreamPool.finished(upstream)
                self.scheduler.release(who)
        return close

    @staticmethod
    def failed_mid_stream(upstream: Upstream, reason: str) -> None:
        UpstreamPool.failed(upstream, reason)

    def snapshot(self) -> dict[str, list[dict]]:
        return {kind: pool.snapshot() for kind, pool in self.pools.items()}


async def _first_events(upstream: Upstream, response: httpx.Response) -> Opened:
    """Wait for the first complete event: until then, a failure can still go elsewhere."""
    chunks = response.aiter_raw()
    splitter = EventSplitter()
    first: list[bytes] = []
    while not first:
        first = splitter.feed(await anext(chunks))
    return Opened(upstream, response, first_events=first, chunks=_continue(splitter, chunks))


async def _continue(splitter: EventSplitter, chunks: AsyncIterator[bytes]) -> AsyncIterator[list[bytes]]:
    """The rest of the stream, as the complete events of each upstream packet."""
    async for data in chunks:
        events = splitter.feed(data)
        if events:
            yield events
    rest = splitter.rest()
    if rest:
        yield [rest + b"\n\n"]
