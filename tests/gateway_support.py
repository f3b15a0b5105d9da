"""The gateway tests start real upstreams and gateways through helpers.local.gateway.process,
all with the one upstream key below (a test value: the helpers hold no key)."""

from __future__ import annotations

from pathlib import Path

from helpers.local.gateway import process
from helpers.local.gateway.process import KEY_ENV
from helpers.local.process import ServerProcess

UPSTREAM_KEY = "sk-upstream-teacher-Zq81x"  # what the engines behind a test gateway demand


def start_upstream(*args: str, port: int | None = None, tmp: Path | None = None) -> ServerProcess:
    return process.start_upstream(*args, key=UPSTREAM_KEY, port=port, tmp=tmp)


def start_gateway(upstreams: list[ServerProcess | str], *args: str, key: str = UPSTREAM_KEY, tmp: Path | None = None) -> ServerProcess:
    return process.start_gateway(upstreams, *args, key=key, tmp=tmp)


__all__ = ["KEY_ENV", "UPSTREAM_KEY", "start_gateway", "start_upstream"]
