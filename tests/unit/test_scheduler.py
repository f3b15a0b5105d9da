"""The fair scheduler on its own: per-key caps, round robin, bounded waiting, shutdown."""

from __future__ import annotations

import asyncio

import pytest

from helpers.local.errors import APIError
from helpers.local.scheduler import FairScheduler


async def _hold(sched: FairScheduler, who: str, log: list, release: asyncio.Event):
    async with sched.slot(who):
        log.append(who)
        await release.wait()


async def test_one_key_cannot_take_every_slot():
    sched = FairScheduler(slots=4, per_key=2)
    log: list[str] = []
    go = asyncio.Event()
    tasks = [asyncio.create_task(_hold(sched, "greedy", log, go)) for _ in range(6)]
    await asyncio.sleep(0.01)
    assert log == ["greedy", "greedy"] and sched.free == 2
    other = asyncio.create_task(_hold(sched, "other", log, go))
    await asyncio.sleep(0.01)
    assert log[-1] == "other"  # a free slot goes to another key at once
    go.set()
    await asyncio.gather(*tasks, other)
    assert sched.free == 4 and sched.n_waiting == 0


async def test_waiting_requests_are_served_round_robin():
    sched = FairScheduler(slots=1, per_key=1)
    order: list[str] = []
    gate = asyncio.Event()

    async def job(who):
        async with sched.slot(who):
            order.append(who)
            await gate.wait()

    first = asyncio.create_task(job("a"))
    await asyncio.sleep(0.01)
    later = [asyncio.create_task(job(w)) for w in ["a", "a", "a", "b", "c"]]
    await asyncio.sleep(0.01)
    gate.set()
    await asyncio.gather(first, *later)
    # first come first served would be a,a,a,a,b,c; fair turns interleave the keys
    assert order == ["a", "a", "b", "c", "a", "a"]


async def test_bounded_waiting_room():
    sched = FairScheduler(slots=1, per_key=1, max_waiting=2, max_waiting_per_key=1)
    gate = asyncio.Event()
    holder = asyncio.create_task(_hold(sched, "a", [], gate))
    await asyncio.sleep(0.01)
    w1 = asyncio.create_task(_hold(sched, "a", [], gate))
    await asyncio.sleep(0.01)
    with pytest.raises(APIError) as e:
        await sched.acquire("a")
    assert e.value.status == 429 and e.value.code == "rate_limit_exceeded"
    w2 = asyncio.create_task(_hold(sched, "b", [], gate))
    await asyncio.sleep(0.01)
    with pytest.raises(APIError) as e:
        await sched.acquire("c")
    assert e.value.status == 503 and "Retry-After" in e.value.headers
    gate.set()
    await asyncio.gather(holder, w1, w2)


async def test_cancelled_waiter_leaves_no_trace_and_shutdown_fails_waiters():
    sched = FairScheduler(slots=1, per_key=1)
    gate = asyncio.Event()
    holder = asyncio.create_task(_hold(sched, "a", [], gate))
    await asyncio.sleep(0.01)
    waiter = asyncio.create_task(sched.acquire("b"))
    await asyncio.sleep(0.01)
    waiter.cancel()
    await asyncio.sleep(0.01)
    assert sched.n_waiting == 0
    late = asyncio.create_task(sched.acquire("c"))
    await asyncio.sleep(0.01)
    sched.close()
    with pytest.raises(APIError) as e:
        await late
    assert e.value.status == 503 and e.value.code == "server_shutting_down"
    gate.set()
    await holder
    assert sched.free == 1
