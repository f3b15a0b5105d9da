"""Start and stop a real offline server in a subprocess on a free port.

The one shared way to run a server from code: the tests, the benchmarks and any
script use this (`bench/` never imports `tests/`).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from ..paths import repo_root
from .profile import PROFILE_ENV

ROOT = repo_root()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """`python -m helpers.local serve --port <free> ARGS...`, its log in a file.

    The server has exactly the capabilities its ARGS give: COURSE_LOCAL_PROFILE describes the
    learner's provider (the server `get_client()` starts), not a server a lesson or a test starts
    for its own demonstration, so it is not inherited unless passed in `env`."""

    def __init__(self, *args: str, port: int | None = None, env: dict[str, str] | None = None):
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.log_path = Path(os.environ.get("PYTEST_TMP", tempfile.gettempdir())) / f"course-server-{self.port}.log"
        cmd = [sys.executable, "-m", "helpers.local", "serve", "--port", str(self.port), *args]
        self.log = open(self.log_path, "wb")
        inherited = {k: v for k, v in os.environ.items() if k != PROFILE_ENV}
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, env={**inherited, **(env or {})})

    def wait_healthy(self, timeout: float = 120) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: {self.log_path.read_text()[-2000:]}")
            try:
                r = httpx.get(self.base_url[:-3] + "/health", timeout=1)
                if r.status_code == 200:
                    return r.json()
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(self.log_path.read_text()[-2000:])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def stop_pid(pid: int) -> None:
    """Stop a server by pid: SIGINT (graceful), SIGKILL after 10 s."""
    try:
        os.kill(pid, signal.SIGINT)
    except ProcessLookupError:
        return
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
