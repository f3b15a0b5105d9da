"""The gateway tests start real upstreams and gateways through helpers.local.gateway.process,
all with the one upstream key below (a test value: the helpers hold no key)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from helpers.local.gateway import process
from helpers.local.gateway.process import KEY_ENV
from helpers.local.process import ServerProcess

UPSTREAM_KEY = "sk-upstream-teacher-Zq81x"  # what the engines behind a test gateway demand


def start_upstream(*args: str, port: int | None = None, tmp: Path | None = None) -> ServerProcess:
    return process.start_upstream(*args, key=UPSTREAM_KEY, port=port, tmp=tmp)


def start_gateway(upstreams: list[ServerProcess | str], *args: str, key: str = UPSTREAM_KEY, tmp: Path | None = None) -> ServerProcess:
    return process.start_gateway(upstreams, *args, key=key, tmp=tmp)


@contextmanager
def running_upstreams(tmp: Path, count: int = 2) -> Iterator[list[ServerProcess]]:
    """`count` real upstreams for a module's tests, all stopped afterwards even if one fails to start."""
    started: list[ServerProcess] = []
    try:
        for _ in range(count):
            started.append(start_upstream(tmp=tmp))
        yield started
    finally:
        for srv in started:
            srv.stop()


__all__ = ["KEY_ENV", "UPSTREAM_KEY", "running_upstreams", "start_gateway", "start_upstream"]
