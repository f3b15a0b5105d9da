"""The background server's life: it names its model, can be seen and stopped, ends
itself when unused, and comes back by itself when a notebook needs it again."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
from server_proc import ROOT, ServerProcess, free_port, stop_pid

from helpers.local.config import PORT_TAKEN_EXIT

MODEL_ID = "qwen2.5-coder-0.5b-instruct-q4_k_m"  # the default, the one model a fresh setup has fetched


def cli(*args: str, port: int) -> subprocess.CompletedProcess:
    env = {**os.environ, "COURSE_LOCAL_PORT": str(port)}
    return subprocess.run([sys.executable, "-m", "helpers.local", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_health_models_and_status_name_the_model_serving():
    srv = ServerProcess("--parallel", "1", "--model", "qwen0.5b")
    try:
        health = srv.wait_healthy()
        assert health["chat_model"] == MODEL_ID and health["chat_model_name"] == "qwen0.5b"
        assert health["chat_model_file"] == MODEL_ID + ".gguf" and health["chat_model_note"] is None
        ids = [m["id"] for m in httpx.get(srv.base_url + "/models").json()["data"]]
        assert MODEL_ID in ids
        p = cli("status", port=srv.port)
        assert p.returncode == 0
        lines = p.stdout.splitlines()
        assert lines[0] == f"Offline server running on http://127.0.0.1:{srv.port}/v1 (pid {health['pid']}) / 离线服务器正在运行"
        assert lines[1] == (f"  chat model 聊天模型: {MODEL_ID} · embeddings 嵌入: universal-sentence-encoder-multilingual-3")
        assert lines[2].endswith("runs until stopped / 一直运行直到手动停止")
        p = cli("stop", port=srv.port)
        assert (p.returncode, p.stdout) == (0, f"Stopped the offline server (pid {health['pid']}). / 已停止离线服务器（pid {health['pid']}）。\n")
        srv.proc.wait(20)
    finally:
        srv.stop()
    p = cli("status", port=srv.port)
    assert (p.returncode, p.stdout) == (1, f"No offline server on port {srv.port}. / 端口 {srv.port} 上没有离线服务器。\n")


def test_a_second_server_on_a_taken_port_stops_at_once_and_says_why(server):
    """It claims the port before loading any model: no second gigabyte, no hang, the first server untouched."""
    p = cli("serve", "--port", str(server.port), port=server.port)
    assert p.returncode == PORT_TAKEN_EXIT == 4
    assert f"Cannot listen on 127.0.0.1:{server.port}" in p.stderr and f"无法监听 127.0.0.1:{server.port}" in p.stderr
    assert "Chat model loaded" not in p.stdout
    assert httpx.get(server.base_url[:-3] + "/health").json()["status"] == "ok"


def test_a_server_with_an_idle_timeout_ends_itself():
    srv = ServerProcess("--parallel", "1", "--idle-timeout", "0.05")
    try:
        srv.wait_healthy()
        assert srv.proc.wait(60) == 0
        assert "No requests for 0.05 min: stopping." in srv.log_path.read_text()
    finally:
        srv.stop()


def test_a_server_started_by_hand_never_ends_itself():
    srv = ServerProcess("--parallel", "1")
    try:
        assert srv.wait_healthy()["idle_timeout_min"] == 0
    finally:
        srv.stop()


RESTART_SCRIPT = """
import subprocess, sys
from helpers import get_client
client = get_client(quiet=True)
pid1 = client._client.get("http://127.0.0.1:{port}/health").json()["pid"]
print("idle", client._client.get("http://127.0.0.1:{port}/health").json()["idle_timeout_min"])
subprocess.run([sys.executable, "-m", "helpers.local", "stop"], check=True, capture_output=True)
# The learner comes back after the server ended itself: the next call just works.
r = client.chat.completions.create(model="gpt-4o-mini", messages=[{{"role": "user", "content": "hi"}}], max_tokens=2)
pid2 = client._client.get("http://127.0.0.1:{port}/health").json()["pid"]
print("answered", r.usage.completion_tokens > 0, pid1 != pid2, pid2)
"""


def test_get_client_starts_an_idle_timed_server_and_restarts_it_when_needed():
    port = free_port()
    env = {**os.environ, "COURSE_LOCAL_PORT": str(port), "COURSE_IDLE_MINUTES": "7"}
    p = subprocess.run([sys.executable, "-c", RESTART_SCRIPT.format(port=port)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    try:
        assert p.returncode == 0, p.stderr[-2000:]
        lines = p.stdout.splitlines()
        assert lines[0] == "idle 7.0"
        assert lines[1].startswith("answered True True ")
    finally:
        if p.stdout.strip():
            stop_pid(int(p.stdout.split()[-1]))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and cli("status", port=port).returncode == 0:
            time.sleep(0.5)


RACE_SCRIPT = """
from helpers import get_client
client = get_client(quiet=True)
print(client._client.get("http://127.0.0.1:{port}/health").json()["pid"])
"""


def _wait_until_listening(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {port}")


def test_get_client_beside_a_server_still_loading_uses_that_server():
    """Two notebooks start at once: the second's server finds the port taken and stops; its
    get_client() waits for the first server to finish loading and uses it."""
    srv = ServerProcess("--parallel", "1")
    try:
        _wait_until_listening(srv.port)  # the port is claimed; the model is still loading
        env = {**os.environ, "COURSE_LOCAL_PORT": str(srv.port)}
        p = subprocess.run([sys.executable, "-c", RACE_SCRIPT.format(port=srv.port)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
        assert p.returncode == 0, p.stderr[-2000:]
        assert int(p.stdout.split()[-1]) == srv.proc.pid
    finally:
        srv.stop()
    time.sleep(3)  # long enough for a server the script started to have claimed the freed port
    assert cli("status", port=srv.port).returncode == 1, "get_client() left its own server behind"


def test_get_client_says_when_the_running_server_serves_another_model(monkeypatch):
    from helpers.client import _model_mismatch

    health = {"chat_model": MODEL_ID, "chat_model_name": "qwen0.5b", "chat_model_file": MODEL_ID + ".gguf"}
    monkeypatch.setenv("COURSE_LOCAL_MODEL", "qwen1.5b")
    assert _model_mismatch(health) == (
        f"Note: the running server serves {MODEL_ID}, not COURSE_LOCAL_MODEL=qwen1.5b. "
        "Run `python -m helpers.local stop`, then get_client() again. / "
        f"提示：正在运行的服务器用的是 {MODEL_ID}，不是 COURSE_LOCAL_MODEL=qwen1.5b。"
        "请运行 `python -m helpers.local stop`，再调用一次 get_client()。"
    )
    for same in ("qwen0.5b", "QWEN0.5B", f"/somewhere/{MODEL_ID}.gguf"):
        monkeypatch.setenv("COURSE_LOCAL_MODEL", same)
        assert _model_mismatch(health) is None
    monkeypatch.delenv("COURSE_LOCAL_MODEL")
    assert _model_mismatch(health) is None
