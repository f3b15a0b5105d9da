"""Start the offline server: check the address is safe, load the models, run uvicorn."""
from __future__ import annotations

import ipaddress
import logging
import os
import socket
import sys
import time

from .app import ServerConfig, State, create_app
from .model_fetch import ModelUnavailable, ensure_chat_model


class UnsafeBind(SystemExit):
    pass


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        try:
            return all(ipaddress.ip_address(a[4][0]).is_loopback for a in socket.getaddrinfo(host, None))
        except OSError:
            return False


def check_bind(config: ServerConfig) -> None:
    """Serving beyond this machine without keys would let anyone on the network use it."""
    if not is_loopback(config.host) and not config.api_keys:
        raise UnsafeBind(
            f"Refusing to listen on {config.host} without an API key: anyone on the network could use this server.\n"
            "Add --api-key KEY (repeatable, one per student) or listen on 127.0.0.1.\n"
            f"拒绝在 {config.host} 上无密钥监听：网络上任何人都能使用本服务器。\n"
            "请加上 --api-key 密钥（可重复，每个学生一个），或只监听 127.0.0.1。")


def build_state(config: ServerConfig) -> State:
    from .chat_engine import ChatEngine
    from .embedder import Embedder

    if config.model_path:
        os.environ["COURSE_LOCAL_MODEL"] = config.model_path
    model_path = ensure_chat_model(progress=True)
    engine = ChatEngine(model_path, parallel=config.parallel, ctx_per_slot=config.ctx_per_slot, threads=config.threads)
    embedder = Embedder()
    return State(config, engine, embedder)


def serve(config: ServerConfig) -> int:
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        check_bind(config)
    except UnsafeBind as e:
        print(e.code, file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    try:
        state = build_state(config)
    except ModelUnavailable as e:
        print(str(e), file=sys.stderr)
        return 3
    app = create_app(state)
    print(f"Models loaded in {time.perf_counter() - t0:.1f}s: chat={state.engine.model_id} ({config.parallel} slots × "
          f"{state.engine.n_ctx} tokens), embeddings={state.embedder.model_id}; auth={'on' if config.api_keys else 'off'}. "
          f"Listening on http://{config.host}:{config.port}/v1", flush=True)
    uvicorn.run(app, host=config.host, port=config.port, log_level="warning", access_log=False,
                timeout_graceful_shutdown=10, limit_concurrency=1024)
    return 0
