"""Real upstreams and gateways in subprocesses, for the gateway tests and bench (and a
teacher trying gateway mode on one machine): each upstream is this project's own
server, speaking the OpenAI API over real HTTP, demanding the key a real engine would."""
from __future__ import annotations

import uuid
from pathlib import Path

from ..process import ServerProcess

UPSTREAM_KEY = "sk-upstream-teacher-Zq81x"  # what an engine behind the gateway demands
KEY_ENV = "COURSE_TEST_UPSTREAM_KEY"


def small_model_args() -> list[str]:
    """The smallest cached GGUF, to spare the CPU; the default model if it is not cached."""
    from ...paths import cache_dir

    path = cache_dir() / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"
    return ["--model", str(path)] if path.exists() else []


def start_upstream(*args: str, port: int | None = None, tmp: Path | None = None) -> ServerProcess:
    db = ["--db", str(tmp / f"upstream-{uuid.uuid4().hex[:8]}.sqlite3")] if tmp else []
    # The gateway is one caller with one key: let it use every slot (a keyed server gives one key half).
    srv = ServerProcess("--api-key", UPSTREAM_KEY, "--parallel", "2", "--max-concurrent-per-key", "2", *small_model_args(), *db, *args,
                        port=port)
    srv.wait_healthy()
    return srv


def start_gateway(upstreams: list[ServerProcess | str], *args: str, key: str = UPSTREAM_KEY, tmp: Path | None = None) -> ServerProcess:
    urls = [u if isinstance(u, str) else u.base_url for u in upstreams]
    flags = [flag for url in urls for flag in ("--upstream", url)]
    db = ["--db", str(tmp / f"gateway-{uuid.uuid4().hex[:8]}.sqlite3")] if tmp else []
    key_flags = ["--upstream-key-env", KEY_ENV] if key else []
    srv = ServerProcess(*flags, *key_flags, *db, *args, env={KEY_ENV: key})
    srv.wait_healthy()
    return srv
