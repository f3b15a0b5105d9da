"""Responses' background mode (`background: true`): answer at once, generate later.

Long answers should not need an open connection: the API answers a background
request at once with the Response in status `queued`, and the learner polls
`GET /v1/responses/{id}` until it leaves `queued`/`in_progress`. Here the request
takes the same pipeline as any other (validation, per-key limits, fair slots,
usage, storage); only its events are not sent. The stored Response moves
queued → in_progress → completed | incomplete | failed | cancelled.

The API's rules, kept: background needs `store` (a response nobody can fetch
is lost), only background responses can be cancelled, and cancelling a finished
one returns it unchanged. Each key sees (and cancels) only its own.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from dataclasses import dataclass
from typing import Any

from . import errors
from .responses_api import ResponseEvents, items_from_input

log = logging.getLogger("helpers.local")
FINISHED = ("completed", "incomplete", "failed", "cancelled")
# ResponseError.code has a fixed vocabulary; an offline failure maps onto it by status.
_FAILURE_CODES = {400: "invalid_prompt", 429: "rate_limit_exceeded"}


@dataclass
class Job:
    owner: str
    events: ResponseEvents  # holds the Response being built; its id is the one the client got
    task: asyncio.Task | None = None


def check(body: dict[str, Any]) -> bool:
    """Whether the request asks for background mode; the API's 400s for what cannot go with it."""
    if not body.get("background"):
        return False
    if body.get("store") is False:
        raise errors.background_needs_store()
    if body.get("stream"):
        raise errors.background_stream_not_supported()
    return True


def _failure(error: errors.APIError) -> dict[str, Any]:
    return {"code": _FAILURE_CODES.get(error.status, "server_error"), "message": error.message}


class BackgroundResponses:
    """The background responses still running, by id; finished ones live only in the response store."""

    def __init__(self, state):
        self.state = state
        self.jobs: dict[str, Job] = {}

    async def start(self, pipeline, who: str, body: dict[str, Any], endpoint, plan) -> dict[str, Any]:
        """Store the queued Response, start generating, return the queued Response."""
        job = Job(who, ResponseEvents(body, plan.model_id))
        plan.extra["events"] = job.events  # the stream shaper builds the final Response under the same id
        rid = job.events.resp["id"]
        queued = self._snapshot(job, "queued")
        await self.state.runner.in_thread(self.state.responses.put, who, queued, items_from_input(body["input"]), [])
        self.jobs[rid] = job
        job.task = asyncio.create_task(self._run(pipeline, job, body, endpoint, plan))
        return queued

    def _snapshot(self, job: Job, status: str, error: dict[str, Any] | None = None) -> dict[str, Any]:
        resp = copy.deepcopy(job.events.resp)
        resp.update(status=status, error=error)
        if status in ("queued", "in_progress", "cancelled", "failed"):
            resp.update(output=[], usage=None)
        return resp

    async def _save(self, job: Job, status: str, error: dict[str, Any] | None = None) -> None:
        await self.state.runner.in_thread(self.state.responses.update, job.owner, self._snapshot(job, status, error))

    async def _run(self, pipeline, job: Job, body: dict[str, Any], endpoint, plan) -> None:
        rid = job.events.resp["id"]
        try:
            await pipeline.run_detached(job.owner, body, endpoint, plan, lambda: self._save(job, "in_progress"))
        except errors.APIError as e:
            await self._save(job, "failed", _failure(e))
        except asyncio.CancelledError:
            raise  # cancel() records the cancellation once this task has unwound
        except Exception:  # noqa: BLE001 - a background failure is the response's status, never a crash
            log.exception("background response %s failed", rid)
            await self._save(job, "failed", _failure(errors.unexpected()))
        finally:
            self.jobs.pop(rid, None)

    async def stop(self, who: str, rid: str) -> Job | None:
        """Stop this key's running job `rid` (at its next token); the job, if there was one."""
        job = self.jobs.get(rid)
        if job is None or job.owner != who or job.task is None:
            return None
        job.task.cancel()
        await asyncio.gather(job.task, return_exceptions=True)  # its last write is done after this
        return job

    async def cancel(self, who: str, rid: str) -> dict[str, Any] | None:
        """The Response after cancelling it; None if this key has no such response."""
        job = await self.stop(who, rid)
        if job is not None:
            found = await self.state.runner.in_thread(self.state.responses.get, who, rid)
            if found is not None and found["status"] not in FINISHED:
                await self._save(job, "cancelled")
        found = await self.state.runner.in_thread(self.state.responses.get, who, rid)
        if found is not None and not found.get("background"):
            raise errors.cannot_cancel_synchronous()
        return found
