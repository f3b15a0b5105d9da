"""Start the offline server: check the address is safe, load the models, run uvicorn,
and shut down gracefully (waiting requests get a 503, running streams end with an
error event, the database is closed after the last request)."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import sys
import time

from ..paths import cache_dir
from .app import create_app
from .config import PORT_TAKEN_EXIT, ServerConfig
from .middleware import RequestIdFilter
from .model_fetch import ModelUnavailable, resolve_model
from .state import State


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        try:
            return all(ipaddress.ip_address(a[4][0]).is_loopback for a in socket.getaddrinfo(host, None))
        except OSError:
            return False


def unsafe_bind_message(config: ServerConfig) -> str | None:
    """Serving beyond this machine without keys would let anyone on the network use it."""
    if is_loopback(config.host) or config.keys:
        return None
    return (
        f"Refusing to listen on {config.host} without an API key: anyone on the network could use this server.\n"
        "Add --keys keys.txt (see `python -m helpers.local keys --help`) or --api-key KEY, or listen on 127.0.0.1.\n"
        f"拒绝在 {config.host} 上无密钥监听：网络上任何人都能使用本服务器。\n"
        "请加上 --keys keys.txt（见 `python -m helpers.local keys --help`）或 --api-key 密钥，或只监听 127.0.0.1。"
    )


def default_db_path() -> str:
    return str(cache_dir() / "stored_completions.sqlite3")


def build_state(config: ServerConfig) -> State:
    from .engines.encoder import EncoderLoader
    from .engines.llama import ChatEngine
    from .store import CompletionStore

    gateway = config.gateway
    engine, chosen = None, None
    if not (gateway and gateway.serves("chat")):  # a gateway loads no chat model: it starts fast and stays small
        chosen = resolve_model(config.model)  # never downloads: a missing model is an error naming the fix
        if chosen.note:
            print(chosen.note, file=sys.stderr, flush=True)
        engine = ChatEngine(chosen.path, model_id=chosen.model_id, parallel=config.parallel, ctx_per_slot=config.ctx_per_slot, threads=config.threads)
    store = CompletionStore(config.db_path or default_db_path(), config.retention_days)
    # The sentence encoder (≈1.7 s to load) finishes in the background while the
    # server already answers; embeddings requests wait for it if they come first.
    encoder = EncoderLoader(factory=_no_encoder) if gateway and gateway.serves("embeddings") else EncoderLoader()
    state = State(config, engine, encoder, store)
    if chosen:
        state.model_note = chosen.note
        state.model_name = chosen.known.name if chosen.known else None
    return state


def _no_encoder() -> None:
    """Embeddings go upstream: the local encoder is never loaded."""


def _ready_line(config: ServerConfig, state: State, seconds: float) -> str:
    if state.engine:
        chat = f"Chat model loaded in {seconds:.1f}s: {state.engine.model_id} ({config.parallel} slots × {state.engine.n_ctx} tokens)"
    else:
        ups = config.gateway.upstreams
        chat = (
            f"Gateway ready in {seconds:.1f}s: {len(ups)} upstream(s) ({', '.join(u.label + ': ' + '+'.join(u.kinds) for u in ups)}), "
            f"{config.parallel} requests at once"
        )
    embeddings = "upstream" if config.gateway and config.gateway.serves("embeddings") else state.registry.embedding.id
    return f"{chat}; embeddings: {embeddings}; keys: {len(config.keys) or 'none'}. Listening on http://{config.host}:{config.port}/v1"


def configure_logging() -> None:
    """Every log line carries the id of the request it belongs to (the x-request-id header)."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])


async def idle_watch(state: State, server, check_every: float = 15.0) -> None:
    """Exit after `idle_timeout_min` without requests, so a server that get_client()
    started in the background does not hold half a gigabyte until the next reboot."""
    limit = state.config.idle_timeout_min * 60
    while limit > 0 and not server.should_exit:
        await asyncio.sleep(min(check_every, limit))
        if state.idle_seconds() >= limit:
            print(
                f"No requests for {state.config.idle_timeout_min:g} min: stopping. / {state.config.idle_timeout_min:g} 分钟没有请求：服务器自动停止。",
                flush=True,
            )
            state.begin_shutdown()
            server.should_exit = True


def claim_port(host: str, port: int) -> socket.socket:
    """Bind and listen before the models load, so the port is ours from the first moment.

    Two servers started at once on one port (two notebooks, or a notebook beside a starting
    class server) used to both load a model; the loser then failed to bind and, its worker
    threads alive, hung on to a gigabyte. Now the loser stops at once with a clear message,
    and nothing started later (llama.cpp picks a free port for itself) can take ours."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a port in TIME_WAIT is free to reuse
    try:
        sock.bind(address)
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def port_in_use_message(config: ServerConfig, e: OSError) -> str:
    return (
        f"Cannot listen on {config.host}:{config.port} ({e.strerror}): another program, perhaps another course server, uses it. "
        "See `python -m helpers.local status`, stop it, or choose another port (--port, COURSE_LOCAL_PORT).\n"
        f"无法监听 {config.host}:{config.port}（{e.strerror}）：另一个程序（也许是另一个课程服务器）正在使用它。"
        "可以用 `python -m helpers.local status` 查看并停止它，或换一个端口（--port、COURSE_LOCAL_PORT）。"
    )


def serve(config: ServerConfig) -> int:
    configure_logging()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    refusal = unsafe_bind_message(config)
    if refusal:
        print(refusal, file=sys.stderr)
        return 2
    try:
        sock = claim_port(config.host, config.port)
    except OSError as e:
        print(port_in_use_message(config, e), file=sys.stderr)
        return PORT_TAKEN_EXIT
    with sock:
        return _serve_on(config, sock)


def _serve_on(config: ServerConfig, sock: socket.socket) -> int:
    import uvicorn

    t0 = time.perf_counter()
    try:
        state = build_state(config)
    except ModelUnavailable as e:
        print(str(e), file=sys.stderr)
        return 3
    app = create_app(state)

    class CourseServer(uvicorn.Server):
        def handle_exit(self, sig, frame):
            loop = getattr(self, "_course_loop", None)
            if loop is not None and not state.shutting_down:
                loop.call_soon_threadsafe(state.begin_shutdown)
            super().handle_exit(sig, frame)

        async def serve(self, sockets=None):
            self._course_loop = asyncio.get_running_loop()
            watch = asyncio.create_task(idle_watch(state, self))
            try:
                await super().serve(sockets)
            finally:
                watch.cancel()

        async def shutdown(self, sockets=None):
            await super().shutdown(sockets)
            # uvicorn re-raises the signal after shutting down; we have shut down
            # cleanly, so exit normally and let the database close below.
            self._captured_signals.clear()

    uv = CourseServer(
        uvicorn.Config(app, host=config.host, port=config.port, log_level="warning", access_log=False, timeout_graceful_shutdown=30, limit_concurrency=1024)
    )
    print(_ready_line(config, state, time.perf_counter() - t0), flush=True)
    try:
        uv.run(sockets=[sock])
    finally:
        if not state.shutting_down:  # uvicorn stopped on its own (a startup error): end the worker threads too
            state.begin_shutdown()
        state.store.close()
    print("Server stopped. / 服务器已停止。", flush=True)
    return 0
