"""The background server's life: it names its model, can be seen and stopped, ends
itself when unused, and comes back by itself when a notebook needs it again."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx

from server_proc import ROOT, ServerProcess, free_port, stop_pid

SMALL = {"COURSE_LOCAL_MODEL": "smollm2"}  # the mechanics are the same with every model; this one loads fastest


def cli(*args: str, port: int) -> subprocess.CompletedProcess:
    env = {**os.environ, "COURSE_LOCAL_PORT": str(port)}
    return subprocess.run([sys.executable, "-m", "helpers.local", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)


def test_health_models_and_status_name_the_model_serving():
    srv = ServerProcess("--parallel", "1", "--model", "smollm2")
    try:
        health = srv.wait_healthy()
        assert health["chat_model"] == "smollm2-135m-instruct-q4_1" and health["chat_model_name"] == "smollm2"
        assert health["chat_model_file"] == "SmolLM2-135M-Instruct.Q4_1.gguf" and health["chat_model_note"] is None
        ids = [m["id"] for m in httpx.get(srv.base_url + "/models").json()["data"]]
        assert "smollm2-135m-instruct-q4_1" in ids
        p = cli("status", port=srv.port)
        assert p.returncode == 0
        lines = p.stdout.splitlines()
        assert lines[0] == f"Offline server running on http://127.0.0.1:{srv.port}/v1 (pid {health['pid']}) / 离线服务器正在运行"
        assert lines[1] == ("  chat model 聊天模型: smollm2-135m-instruct-q4_1 · embeddings 嵌入: "
                            "universal-sentence-encoder-multilingual-3")
        assert lines[2].endswith("runs until stopped / 一直运行直到手动停止")
        p = cli("stop", port=srv.port)
        assert (p.returncode, p.stdout) == (0, f"Stopped the offline server (pid {health['pid']}). / 已停止离线服务器（pid {health['pid']}）。\n")
        srv.proc.wait(20)
    finally:
        srv.stop()
    p = cli("status", port=srv.port)
    assert (p.returncode, p.stdout) == (1, f"No offline server on port {srv.port}. / 端口 {srv.port} 上没有离线服务器。\n")


def test_a_server_with_an_idle_timeout_ends_itself():
    srv = ServerProcess("--parallel", "1", "--model", "smollm2", "--idle-timeout", "0.05")
    try:
        srv.wait_healthy()
        assert srv.proc.wait(60) == 0
        assert "No requests for 0.05 min: stopping." in srv.log_path.read_text()
    finally:
        srv.stop()


def test_a_server_started_by_hand_never_ends_itself():
    srv = ServerProcess("--parallel", "1", "--model", "smollm2")
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
    env = {**os.environ, **SMALL, "COURSE_LOCAL_PORT": str(port), "COURSE_IDLE_MINUTES": "7"}
    p = subprocess.run([sys.executable, "-c", RESTART_SCRIPT.format(port=port)], cwd=ROOT, env=env, capture_output=True,
                       text=True, timeout=240)
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
