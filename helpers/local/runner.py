"""Running engine work on worker threads, each generation after taking a fair slot.

Blocking llama.cpp calls run in threads (they release the GIL); a streaming
generation hands its chunks back to the event loop through a queue. A client that
goes away, or a server shutdown, stops generation at the next token.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio

from . import errors
from .scheduler import FairScheduler

log = logging.getLogger("helpers.local")
_DONE = object()
StreamFn = Callable[[dict, Callable[[dict], bool]], None]


class Runner:
    def __init__(self, scheduler: FairScheduler, max_threads: int):
        self.scheduler = scheduler
        self.threads = anyio.CapacityLimiter(max_threads)
        self.streams: set[EngineStream] = set()

    async def in_thread(self, fn: Callable, *args: Any) -> Any:
        """Blocking work that needs no slot (planning, token counting)."""
        return await anyio.to_thread.run_sync(fn, *args, limiter=self.threads)

    async def generate(self, who: str, fn: Callable[[dict], dict], request: dict[str, Any]) -> dict[str, Any]:
        async with self.scheduler.slot(who):
            return await anyio.to_thread.run_sync(fn, request, limiter=self.threads)

    async def stream(self, who: str, fn: StreamFn, requests: list[dict[str, Any]]) -> EngineStream:
        """Start the generations; return once the first chunk is there, so an early error
        (no slot, context too long) is still an HTTP status rather than an event."""
        stream = EngineStream(self, who, fn, requests)
        await stream.wait_first()
        return stream

    def interrupt_all(self, error: errors.APIError) -> None:
        for s in list(self.streams):
            s.interrupt(error)


class EngineStream:
    def __init__(self, runner: Runner, who: str, fn: StreamFn, requests: list[dict[str, Any]]):
        self.runner = runner
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue = asyncio.Queue()
        self.cancel = threading.Event()
        self.pending = len(requests)
        self._first: list[tuple[int, Any]] = []
        runner.streams.add(self)
        self.tasks = [asyncio.create_task(self._run(who, fn, i, r)) for i, r in enumerate(requests)]

    def _put(self, item: tuple[int, Any]) -> None:
        self.loop.call_soon_threadsafe(self.queue.put_nowait, item)

    async def _run(self, who: str, fn: StreamFn, index: int, req: dict[str, Any]) -> None:
        def on_chunk(chunk: dict[str, Any]) -> bool:
            self._put((index, chunk))
            return self.cancel.is_set()

        def work() -> None:
            try:
                fn(req, on_chunk)
            except errors.APIError as e:
                self._put((index, e))
            except Exception as e:  # noqa: BLE001 - reported to the client as a server_error, never a crash
                log.exception("generation failed")
                self._put((index, errors.generation_failed(type(e).__name__)))

        try:
            async with self.runner.scheduler.slot(who):
                if not self.cancel.is_set():
                    await anyio.to_thread.run_sync(work, limiter=self.runner.threads)
        except errors.APIError as e:
            self.queue.put_nowait((index, e))
        finally:
            self.queue.put_nowait((index, _DONE))

    def nothing_waiting(self) -> bool:
        return self.queue.empty()

    def interrupt(self, error: errors.APIError) -> None:
        self.cancel.set()
        self.queue.put_nowait((-1, error))

    async def _next(self) -> tuple[int, Any] | None:
        while self.pending:
            index, item = await self.queue.get()
            if item is _DONE:
                self.pending -= 1
                continue
            return index, item
        return None

    async def wait_first(self) -> None:
        try:
            first = await self._next()
        except BaseException:
            self.stop()
            raise
        if first is not None and isinstance(first[1], errors.APIError):
            self.stop()
            raise first[1]
        if first is not None:
            self._first.append(first)

    async def items(self) -> AsyncIterator[tuple[int, Any]]:
        """Yield (choice index, chunk | APIError) until every generation is done."""
        try:
            while self._first:
                yield self._first.pop(0)
            while (item := await self._next()) is not None:
                yield item
        finally:
            self.stop()

    def stop(self) -> None:
        self.cancel.set()
        self.runner.streams.discard(self)
        for t in self.tasks:
            if not t.done():
                t.cancel()
