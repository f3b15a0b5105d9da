"""`status` and `stop`: see and end the background server that get_client() started.

That server runs detached from any notebook (so all open notebooks share one
model in memory). A learner needs a plain way to see that it is there, which
model it serves, and to end it without hunting for a process id.
"""
from __future__ import annotations

import os
import signal
import time

import httpx

from . import SERVICE_NAME


def _health(port: int) -> dict | None:
    try:
        r = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
        data = r.json()
    except (httpx.HTTPError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("service") == SERVICE_NAME else {}


def _port() -> int:
    from ..backend import offline_port

    return offline_port()


def status() -> int:
    port = _port()
    h = _health(port)
    if h is None:
        print(f"No offline server on port {port}. / 端口 {port} 上没有离线服务器。")
        return 1
    if not h:
        print(f"Port {port} is used by another program, not the course server. / 端口 {port} 被其他程序占用，不是课程服务器。")
        return 1
    idle = h.get("idle_timeout_min") or 0
    stops = f"stops after {idle:g} min idle / 空闲 {idle:g} 分钟后自动停止" if idle else "runs until stopped / 一直运行直到手动停止"
    print(f"Offline server running on http://127.0.0.1:{port}/v1 (pid {h.get('pid')}) / 离线服务器正在运行\n"
          f"  chat model 聊天模型: {h.get('chat_model')} · embeddings 嵌入: {h.get('embedding_model')}\n"
          f"  up {h.get('uptime_s', 0):.0f} s, idle {h.get('idle_s', 0):.0f} s · {stops}")
    return 0


def stop(timeout: float = 20.0) -> int:
    port = _port()
    h = _health(port)
    if not h:
        print(f"No course server to stop on port {port}. / 端口 {port} 上没有要停止的课程服务器。")
        return 1
    pid = int(h["pid"])
    os.kill(pid, signal.SIGTERM)  # graceful: running answers finish or end with an error event
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _health(port) is None:
            print(f"Stopped the offline server (pid {pid}). / 已停止离线服务器（pid {pid}）。")
            return 0
        time.sleep(0.2)
    print(f"The server (pid {pid}) did not stop within {timeout:g} s. / 服务器（pid {pid}）没有在 {timeout:g} 秒内停止。")
    return 2
