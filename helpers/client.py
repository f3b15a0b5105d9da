"""`get_client()`: one call at the top of every notebook.

It returns a real `openai.OpenAI` client for the backend chosen from the
environment (see backend.py) and prints one line saying which backend and
models are in use. Offline, it makes sure the local server is running: it
reuses one already listening (so all open notebooks share one model in memory)
or starts one in the background and waits until it is healthy.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import httpx2  # the HTTP library the openai SDK itself is built on (its transports must come from it)
import openai

from .backend import Backend, BackendConfigError, detect_backend, offline_port
from .local.config import AUTO_START_IDLE_TIMEOUT_MIN, PORT_TAKEN_EXIT, SERVICE_NAME
from .local.profile import profile_from_env
from .paths import cache_dir, repo_root

START_TIMEOUT_S = 120
DEFAULT_IDLE_MINUTES = AUTO_START_IDLE_TIMEOUT_MIN  # an auto-started server ends itself after this long unused (COURSE_IDLE_MINUTES)

_last_backend: Backend | None = None


class OfflineServerError(RuntimeError):
    """The local server could not be started; the message says what to do."""


def _health(base_url: str, timeout: float = 1.0) -> dict | None:
    root = base_url[: -len("/v1")] if base_url.endswith("/v1") else base_url
    try:
        r = httpx.get(root + "/health", timeout=timeout)
        return r.json() if r.status_code == 200 else {"service": "unknown"}
    except (httpx.HTTPError, ValueError):
        return None


def _port_used_error() -> OfflineServerError:
    return OfflineServerError(
        f"Port {offline_port()} is used by another program. Set COURSE_LOCAL_PORT to a free port (e.g. 18766). / "
        f"端口 {offline_port()} 被其他程序占用。请把 COURSE_LOCAL_PORT 设为空闲端口（例如 18766）。"
    )


def server_log_path() -> Path:
    return cache_dir() / "offline-server.log"


def ensure_offline_server(backend: Backend) -> dict:
    """Reuse or start the local server; return its /health answer."""
    health = _health(backend.base_url)
    if health and health.get("service") == SERVICE_NAME:
        return health
    if health is not None:
        raise _port_used_error()
    from .local.model_fetch import ModelUnavailable, ensure_chat_model

    try:
        ensure_chat_model(progress=True)  # download progress shows in the notebook, not in a log
    except ModelUnavailable as e:
        raise OfflineServerError(str(e)) from None
    log = open(server_log_path(), "ab")
    cmd = serve_command()
    env = dict(os.environ)
    env["PYTHONPATH"] = str(repo_root()) + os.pathsep + env.get("PYTHONPATH", "")
    kwargs: dict = {"stdout": log, "stderr": subprocess.STDOUT, "stdin": subprocess.DEVNULL, "cwd": str(repo_root()), "env": env}
    if os.name == "nt":
        kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP | getattr(subprocess, "DETACHED_PROCESS", 0)
    else:
        kwargs["start_new_session"] = True  # survives the notebook kernel, shared by the next one
    proc = subprocess.Popen(cmd, **kwargs)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        health = _health(backend.base_url, timeout=0.5)
        if health and health.get("service") == SERVICE_NAME:
            if health.get("pid") != proc.pid and proc.poll() is None:
                # Another notebook's server answered first: ours is not needed, and must not
                # take the port over (for half an hour) if that server stops.
                proc.terminate()
            return health
        if proc.poll() is not None:
            if proc.returncode != PORT_TAKEN_EXIT:
                break
            # Another server holds the port: usually another notebook that won the race to start
            # one and is still loading its model. Wait for it, unless it is not a course server.
            if health is not None:
                raise _port_used_error()
        time.sleep(0.2)
    tail = server_log_path().read_text(errors="replace").strip().splitlines()[-6:]
    raise OfflineServerError(
        "The offline server did not start. / 离线服务器没有启动成功。\n"
        + "\n".join(tail)
        + f"\nFull log / 完整日志: {server_log_path().name} in the course cache folder (COURSE_CACHE_DIR)."
    )


def serve_command() -> list[str]:
    """The command get_client() starts the background server with: the port, the idle
    timeout, and COURSE_LOCAL_PROFILE's capability flags (a provider without some features)."""
    cmd = [sys.executable, "-m", "helpers.local", "serve", "--port", str(offline_port()), "--idle-timeout", str(_idle_minutes())]
    if profile_from_env():
        cmd += ["--profile", profile_from_env()]
    return cmd


def _idle_minutes() -> float:
    try:
        return float(os.environ.get("COURSE_IDLE_MINUTES") or DEFAULT_IDLE_MINUTES)
    except ValueError:
        return DEFAULT_IDLE_MINUTES


class _RestartingTransport(httpx2.HTTPTransport):
    """The background server ends itself after a long pause; a learner who comes
    back to the notebook should not meet a connection error for that. A request
    that finds nobody listening starts the server again and is sent once more
    (nothing was sent the first time, so nothing is sent twice)."""

    def __init__(self, backend: Backend):
        super().__init__()
        self._backend = backend

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        try:
            return super().handle_request(request)
        except httpx2.ConnectError:
            ensure_offline_server(self._backend)
            return super().handle_request(request)


def _model_mismatch(health: dict | None) -> str | None:
    """A server already running (started earlier, maybe by another notebook) keeps its
    model; say so when COURSE_LOCAL_MODEL now asks for another one."""
    wanted = os.environ.get("COURSE_LOCAL_MODEL", "").strip()
    if not health or not wanted:
        return None
    serving = {health.get("chat_model_name"), health.get("chat_model_file")}
    if wanted.lower() in serving or Path(wanted).name in serving:
        return None
    return (
        f"Note: the running server serves {health.get('chat_model')}, not COURSE_LOCAL_MODEL={wanted}. "
        "Run `python -m helpers.local stop`, then get_client() again. / "
        f"提示：正在运行的服务器用的是 {health.get('chat_model')}，不是 COURSE_LOCAL_MODEL={wanted}。"
        "请运行 `python -m helpers.local stop`，再调用一次 get_client()。"
    )


def _profile_mismatch(health: dict | None) -> str | None:
    """A server already running keeps its capability profile; say so when COURSE_LOCAL_PROFILE differs."""
    if not health:
        return None
    wanted = sorted({f.strip().lower() for f in profile_from_env().split(",") if f.strip()})
    running = health.get("profile") or []
    if wanted == running:
        return None
    return (
        f"Note: the running server has profile [{', '.join(running)}], not COURSE_LOCAL_PROFILE=[{', '.join(wanted)}]. "
        "Run `python -m helpers.local stop`, then get_client() again. / "
        f"提示：正在运行的服务器的能力配置是 [{', '.join(running)}]，不是 COURSE_LOCAL_PROFILE=[{', '.join(wanted)}]。"
        "请运行 `python -m helpers.local stop`，再调用一次 get_client()。"
    )


def _describe(backend: Backend, health: dict | None) -> str:
    names = {"offline": "offline 离线 (local server 本机服务器)", "openai": "OpenAI API", "compatible": "OpenAI-compatible 兼容服务", "azure": "Azure OpenAI"}
    chat, emb = backend.chat_model, backend.embedding_model
    if health:
        chat = f"{chat} → {health.get('chat_model')}"
        emb = f"{emb} → {health.get('embedding_model')}"
    where = "" if backend.kind == "offline" else f" · {backend.base_url} · key 密钥 {backend.key_hint}"
    return f"Backend 后端: {names[backend.kind]}{where} · chat 对话: {chat} · embeddings 嵌入: {emb}"


def get_client(*, quiet: bool = False) -> openai.OpenAI:
    """Return an OpenAI client for the active backend (see the module docstring)."""
    global _last_backend
    try:
        backend = detect_backend()
    except BackendConfigError as e:
        raise SystemExit(str(e)) from None
    health = None
    if backend.kind == "offline":
        health = ensure_offline_server(backend)
        # So that code written the official way, `client = OpenAI()` or curl with
        # $OPENAI_BASE_URL, reaches the same local server.
        os.environ["OPENAI_BASE_URL"] = backend.base_url
        os.environ.setdefault("OPENAI_API_KEY", backend.api_key)
        client: openai.OpenAI = openai.OpenAI(
            base_url=backend.base_url, api_key=backend.api_key, http_client=openai.DefaultHttpxClient(transport=_RestartingTransport(backend))
        )
    elif backend.kind == "azure":
        client = openai.AzureOpenAI(api_key=backend.api_key, azure_endpoint=backend.base_url, api_version=backend.api_version)
    else:
        client = openai.OpenAI(base_url=backend.base_url, api_key=backend.api_key)
    _last_backend = backend
    if not quiet:
        print(_describe(backend, health))
        for mismatch in (_model_mismatch(health), _profile_mismatch(health)):
            if mismatch:
                print(mismatch)
    return client


def current_backend() -> Backend:
    """The backend of the last get_client() call (or the one the environment selects)."""
    return _last_backend or detect_backend()
