"""The one path every generating endpoint takes:
validate → resolve the model → plan → admit (budget, limits) → schedule and run → count usage (books, budget) → store.

Chat completions, completions and responses differ only in their `Endpoint`:
which fields they accept, how a request becomes engine requests, and how engine
output is shaped into their objects and events. Everything else (limits, fair
slots, streaming, usage, storage, prompt logging) happens here, once.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Protocol

from fastapi import Request

from . import background, errors
from .bodies import read_json
from .planning import Plan, estimate_prompt_tokens
from .schema import F, validate_body
from .streaming import sse_response

log = logging.getLogger("helpers.local")


class StreamShaper(Protocol):
    """Turns engine chunks into one endpoint's server-sent events."""

    def start(self) -> list[bytes]: ...
    def chunk(self, index: int, raw: dict[str, Any]) -> list[bytes]: ...
    def error(self, error: errors.APIError) -> list[bytes]: ...
    def finish(self, usages: list[dict[str, Any]]) -> tuple[list[bytes], dict[str, Any], dict[str, Any]]:
        """(last events, the whole object for storage, the usage to count as prompt/completion tokens)"""


class Endpoint(Protocol):
    api: str  # "chat" | "completions" | "responses": which model names it accepts
    fields: dict[str, F]
    ignored: frozenset[str]

    def plan(self, body: dict[str, Any], model_id: str, state, who: str) -> Plan: ...
    def run(self, engine, stream: bool): ...
    def result(self, plan: Plan, body: dict[str, Any], results: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]: ...
    def shaper(self, plan: Plan, body: dict[str, Any]) -> StreamShaper: ...
    def keep(self, state, who: str, body: dict[str, Any], plan: Plan, obj: dict[str, Any]) -> None:
        """Store the result if the request asks for it (runs in a worker thread)."""


class Pipeline:
    def __init__(self, state):
        self.state = state

    async def body(self, request: Request, fields: dict[str, F], ignored: frozenset[str] = frozenset()) -> dict[str, Any]:
        return validate_body(await read_json(request), fields, ignored=ignored)

    def admit(self, request: Request, model: str, prompt_texts: list[str], max_output: int) -> str:
        """Per-key limits for one request; returns the caller's identity."""
        state = self.state
        who = request.state.who
        if state.shutting_down:
            raise errors.shutting_down()
        state.budgets.check(who)  # before the rate limit: a key with no quota left is not also counted a request
        estimate = estimate_prompt_tokens(prompt_texts) + max_output
        request.state.ratelimit = state.limits.admit(who, model, estimate, state.usage.tokens_last_minute(who))
        return who

    async def generate(self, request: Request, ep: Endpoint):
        state = self.state
        body = await self.body(request, ep.fields, ep.ignored)
        in_background = background.check(body)  # generated as a stream nobody reads (background.py)
        model = state.registry.resolve(body["model"], ep.api)
        plan = await state.runner.in_thread(ep.plan, {**body, "stream": True} if in_background else body, model.id, state, request.state.who)
        who = self.admit(request, body["model"], plan.prompts, plan.max_output)
        self._log_prompt(body)
        if in_background:
            return await state.background.start(self, who, body, ep, plan)
        if not plan.stream:
            fn = ep.run(state.engine, False)
            results = await asyncio.gather(*(state.runner.generate(who, fn, r) for r in plan.requests))
            obj, usage = ep.result(plan, body, list(results))
            await self._account(who, body, ep, plan, obj, usage)
            return obj
        stream = await state.runner.stream(who, ep.run(state.engine, True), plan.requests)
        return sse_response(self._events(who, body, ep, plan, stream), stream.nothing_waiting)

    async def run_detached(self, who: str, body: dict[str, Any], ep: Endpoint, plan: Plan, on_start: Callable[[], Awaitable[None]]) -> None:
        """Generate with no client waiting (background mode): the same slots, usage and storage as
        a stream whose events go nowhere. `on_start` runs once generation has begun; the APIError
        that stopped it is raised."""
        stream = await self.state.runner.stream(who, ep.run(self.state.engine, True), plan.requests)
        try:
            await on_start()
        except BaseException:
            stream.stop()
            raise
        failed: list[errors.APIError] = []
        async for _ in self._events(who, body, ep, plan, stream, failed):
            pass
        if failed:
            raise failed[0]

    async def _events(self, who: str, body: dict[str, Any], ep: Endpoint, plan: Plan, stream, failed: list | None = None) -> AsyncIterator[bytes]:
        shaper = ep.shaper(plan, body)
        usages: dict[int, dict[str, Any]] = {}  # the last usage each generation reported
        try:
            for piece in shaper.start():
                yield piece
            async for index, item in stream.items():
                if isinstance(item, errors.APIError):
                    if failed is not None:
                        failed.append(item)
                    for piece in shaper.error(item):
                        yield piece
                    return
                if item.get("usage"):
                    usages[index] = item["usage"]
                for piece in shaper.chunk(index, item):
                    yield piece
            pieces, obj, usage = shaper.finish(list(usages.values()))
            await self._account(who, body, ep, plan, obj, usage)
            for piece in pieces:
                yield piece
        finally:
            stream.stop()

    async def _account(self, who: str, body: dict[str, Any], ep: Endpoint, plan: Plan, obj: dict[str, Any], usage: dict[str, Any]) -> None:
        self.state.charge(who, (body["model"],), usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0))
        await self.state.runner.in_thread(ep.keep, self.state, who, body, plan, obj)

    def _log_prompt(self, body: dict[str, Any]) -> None:
        if self.state.config.log_prompts:  # off unless the teacher turns it on explicitly
            text = body.get("messages") or body.get("input") or body.get("prompt")
            log.info("prompt: %s", json.dumps(text, ensure_ascii=False)[:2000])
