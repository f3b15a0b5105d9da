"""GET /health (open: what get_client() checks) and GET /v1/admin/usage (admin key)."""

from __future__ import annotations

import os
import time

import anyio
from fastapi import APIRouter

from ..config import SERVICE_NAME


def router(state, pipeline) -> APIRouter:
    r = APIRouter()

    @r.get("/health")
    async def health():
        return {
            "status": "ok",
            "service": SERVICE_NAME,
            "pid": os.getpid(),
            "chat_model": state.chat_model_id,
            "chat_model_name": state.model_name,
            "chat_model_file": state.engine.model_path.name if state.engine else None,
            "chat_model_note": state.model_note,
            "idle_timeout_min": state.config.idle_timeout_min,
            "idle_s": round(state.idle_seconds(), 1),
            "embedding_model": state.registry.embedding.id,
            "embeddings_ready": state.encoder.ready,
            "auth": state.keys.enabled,
            "profile": sorted(state.config.profile),
            "models": state.registry.describe(),
            "uptime_s": round(time.time() - state.started, 1),
            **state.scheduler.snapshot(),
        }

    @r.get("/v1/admin/usage")
    async def admin_usage():
        report = state.usage.report(state.keys.names)
        report["queue"] = state.scheduler.snapshot()
        report["stored_completions"] = await anyio.to_thread.run_sync(state.store.count)
        report["stored_responses"] = await anyio.to_thread.run_sync(state.responses.count)
        if state.budgets.enabled:  # each key's spending beside its usage
            by_name = {state.keys.names.get(who, who[:8]): who for who in state.usage.by_key}
            for row in report["data"]:
                if row["key"] in by_name:
                    row.update(state.budgets.report(by_name[row["key"]]))
        if state.gateway:
            state.gateway.add_to_report(report)
        return report

    return r
