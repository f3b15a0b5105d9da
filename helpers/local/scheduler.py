"""Fair turns at the llama.cpp slots.

llama.cpp's own queue is first come, first served: one student firing 20
requests would make 39 others wait. Here every generation first takes a slot
from this scheduler. A key may hold at most `per_key` slots at once; waiting
requests are served round robin across keys (each key keeps its own order);
the waiting room is bounded, overall and per key, and answers 503 / 429 when
full instead of letting the queue grow without end.
"""
from __future__ import annotations

import asyncio
from collections import OrderedDict, deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from . import errors
from .errors import shutting_down


class FairScheduler:
    def __init__(self, slots: int, per_key: int, max_waiting: int = 256, max_waiting_per_key: int = 64):
        self.slots = slots
        self.per_key = max(1, min(per_key, slots))
        self.max_waiting = max_waiting
        self.max_waiting_per_key = max_waiting_per_key
        self.free = slots
        self.active: dict[str, int] = {}
        self.waiting: OrderedDict[str, deque[asyncio.Future]] = OrderedDict()
        self.n_waiting = 0
        self.closed = False

    @asynccontextmanager
    async def slot(self, who: str) -> AsyncIterator[None]:
        await self.acquire(who)
        try:
            yield
        finally:
            self.release(who)

    def _grant(self, who: str) -> None:
        self.free -= 1
        self.active[who] = self.active.get(who, 0) + 1

    async def acquire(self, who: str) -> None:
        if self.closed:
            raise shutting_down()
        if self.free > 0 and self.active.get(who, 0) < self.per_key and not self.waiting.get(who):
            self._grant(who)
            return
        queue = self.waiting.get(who)
        if self.n_waiting >= self.max_waiting:
            raise errors.overloaded()
        if queue is not None and len(queue) >= self.max_waiting_per_key:
            raise errors.too_many_concurrent(self.per_key, self.max_waiting_per_key)
        fut: asyncio.Future = asyncio.get_running_loop().create_future()
        self.waiting.setdefault(who, deque()).append(fut)
        self.n_waiting += 1
        try:
            await fut
        except BaseException:
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                self.release(who)  # granted just as we were cancelled: give it back
            else:
                self._forget(who, fut)
            raise

    def _forget(self, who: str, fut: asyncio.Future) -> None:
        q = self.waiting.get(who)
        if q and fut in q:
            q.remove(fut)
            self.n_waiting -= 1
            if not q:
                del self.waiting[who]

    def release(self, who: str) -> None:
        self.free += 1
        left = self.active.get(who, 1) - 1
        if left:
            self.active[who] = left
        else:
            self.active.pop(who, None)
        self._dispatch()

    def _dispatch(self) -> None:
        """Give free slots to waiting keys in turn: the served key goes to the back."""
        while self.free > 0:
            for who in list(self.waiting):
                if self.active.get(who, 0) < self.per_key:
                    q = self.waiting.pop(who)
                    fut = q.popleft()
                    self.n_waiting -= 1
                    if q:
                        self.waiting[who] = q  # to the back of the round
                    if fut.done():  # its request went away while waiting
                        break
                    self._grant(who)
                    fut.set_result(None)
                    break
            else:
                return

    def close(self) -> None:
        """Shutting down: everyone still waiting gets a 503 now."""
        self.closed = True
        for q in self.waiting.values():
            for fut in q:
                if not fut.done():
                    fut.set_exception(shutting_down())
        self.waiting.clear()
        self.n_waiting = 0

    def snapshot(self) -> dict[str, int]:
        return {"slots": self.slots, "busy": self.slots - self.free, "waiting": self.n_waiting}

