"""What the server does on its own while it runs: a one-line usage summary each
minute on the console, and each hour the purge of stored objects past retention.

A failing step (a locked or damaged SQLite file, a full disk) is logged and the
loop goes on: one error must not silently stop every later purge.
"""

from __future__ import annotations

import asyncio
import logging
import time

import anyio

log = logging.getLogger("helpers.local")


def purge_once(state) -> None:
    for what, store in (("stored completions", state.store), ("stored responses", state.responses), ("conversations", state.conversations)):
        purged = store.purge_expired()
        if purged:
            log.info("purged %d %s older than %g days", purged, what, state.config.retention_days)


def summary_once(state) -> None:
    line = state.usage.minute_line(state.scheduler.snapshot())
    if line:
        print(line, flush=True)


async def housekeeping(state, summary_every: float = 60.0, purge_every: float = 3600.0) -> None:
    next_purge = 0.0
    while True:
        now = time.monotonic()
        if now >= next_purge:
            next_purge = now + purge_every
            try:
                await anyio.to_thread.run_sync(purge_once, state)
            except Exception:  # noqa: BLE001 - log and keep purging next time
                log.exception("purging expired stored objects failed; will retry in %g s", purge_every)
        await asyncio.sleep(summary_every)
        try:
            summary_once(state)
        except Exception:  # noqa: BLE001 - a summary is never worth stopping the loop
            log.exception("usage summary failed")
