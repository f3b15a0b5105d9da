"""get_client(): backend selection per environment, key masking, offline server reuse and restart,
tiktoken offline, model fetching errors. No test calls the real API."""
from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest
from server_proc import free_port, stop_pid

from helpers.backend import BackendConfigError, detect_backend

KEY = "sk-proj-TESTKEYabcdefghijklmnop1234"


@pytest.mark.parametrize("env, kind, base", [
    ({}, "offline", "http://127.0.0.1:18765/v1"),
    ({"OPENAI_API_KEY": KEY}, "openai", "https://api.openai.com/v1"),
    ({"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": "https://api.deepseek.com/v1"}, "compatible", "https://api.deepseek.com/v1"),
    ({"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": "http://10.0.0.5:18765/v1/"}, "compatible", "http://10.0.0.5:18765/v1"),
    ({"AZURE_OPENAI_API_KEY": KEY, "AZURE_OPENAI_ENDPOINT": "https://x.openai.azure.com"}, "azure", "https://x.openai.azure.com"),
    ({"OPENAI_API_KEY": KEY, "COURSE_BACKEND": "offline"}, "offline", "http://127.0.0.1:18765/v1"),
    ({"OPENAI_API_KEY": KEY, "COURSE_BACKEND": "OpenAI"}, "openai", "https://api.openai.com/v1"),
    ({"COURSE_LOCAL_PORT": "19000"}, "offline", "http://127.0.0.1:19000/v1"),
    # get_client exports OPENAI_BASE_URL for `OpenAI()`; that still means offline
    ({"OPENAI_API_KEY": "offline-no-key-needed", "OPENAI_BASE_URL": "http://127.0.0.1:18765/v1"}, "offline", "http://127.0.0.1:18765/v1"),
])
def test_backend_selection(env, kind, base):
    b = detect_backend(env)
    assert (b.kind, b.base_url) == (kind, base)
    assert KEY not in repr(b)


def test_model_names_from_environment():
    b = detect_backend({"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": "https://api.deepseek.com/v1", "COURSE_CHAT_MODEL": "deepseek-chat"})
    assert b.chat_model == "deepseek-chat" and b.embedding_model == "text-embedding-3-small"
    az = detect_backend({"AZURE_OPENAI_API_KEY": KEY, "AZURE_OPENAI_ENDPOINT": "https://x", "OPENAI_API_VERSION": "2024-06-01"})
    assert az.api_version == "2024-06-01"


@pytest.mark.parametrize("env", [{"COURSE_BACKEND": "cloud"}, {"COURSE_BACKEND": "openai"}, {"COURSE_BACKEND": "compatible", "OPENAI_API_KEY": KEY},
                                 {"COURSE_BACKEND": "azure"}])
def test_bad_settings_say_what_to_do_in_both_languages(env):
    with pytest.raises(BackendConfigError) as e:
        detect_backend(env)
    assert " / " in str(e.value)


def test_get_client_for_real_api_prints_masked_key(monkeypatch, capsys):
    import openai

    from helpers import get_client

    for k in ("COURSE_BACKEND", "OPENAI_BASE_URL", "AZURE_OPENAI_API_KEY"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    c = get_client()
    out = capsys.readouterr().out
    assert isinstance(c, openai.OpenAI) and str(c.base_url).startswith("https://api.openai.com/v1")
    assert "OpenAI API" in out and "后端" in out and KEY not in out and KEY[-4:] in out
    assert out.count("\n") == 1

    monkeypatch.setenv("AZURE_OPENAI_API_KEY", KEY)
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://example.openai.azure.com")
    az = get_client(quiet=True)
    assert isinstance(az, openai.AzureOpenAI) and isinstance(az, openai.OpenAI)


def test_get_client_reuses_running_server(server, monkeypatch, capsys):
    from helpers import get_client

    monkeypatch.setenv("COURSE_BACKEND", "offline")
    monkeypatch.setenv("COURSE_LOCAL_PORT", str(server.port))
    pid_before = httpx.get(server.base_url[:-3] + "/health").json()["pid"]
    c = get_client()
    assert str(c.base_url).rstrip("/") == server.base_url
    assert "offline" in capsys.readouterr().out
    assert c.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], max_tokens=2).choices
    assert httpx.get(server.base_url[:-3] + "/health").json()["pid"] == pid_before
    assert os.environ["OPENAI_BASE_URL"] == server.base_url  # so `OpenAI()` reaches it too


def test_get_client_starts_and_restarts_the_server(tmp_path):
    """In a separate process, as a notebook would: start, kill, get_client again."""
    port = free_port()
    script = f"""
import os, signal, time, httpx
from helpers import get_client
c = get_client(quiet=True)
pid = httpx.get("http://127.0.0.1:{port}/health").json()["pid"]
os.kill(pid, signal.SIGKILL)
time.sleep(0.5)
c = get_client(quiet=True)
pid2 = httpx.get("http://127.0.0.1:{port}/health").json()["pid"]
assert pid2 != pid
print(c.chat.completions.create(model="gpt-4o-mini", messages=[{{"role": "user", "content": "hi"}}], max_tokens=2).usage.completion_tokens, pid2)
"""
    env = {**os.environ, "COURSE_BACKEND": "offline", "COURSE_LOCAL_PORT": str(port)}
    p = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    try:
        assert p.returncode == 0, p.stderr[-2000:]
    finally:
        for line in p.stdout.split("\n"):
            if line.strip():
                stop_pid(int(line.split()[-1]))


def test_get_client_refuses_a_foreign_server_on_its_port(monkeypatch):
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from helpers.client import OfflineServerError, get_client

    class Stranger(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"status": "ok"}')

        def log_message(self, *a):
            pass

    httpd = HTTPServer(("127.0.0.1", 0), Stranger)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    monkeypatch.setenv("COURSE_BACKEND", "offline")
    monkeypatch.setenv("COURSE_LOCAL_PORT", str(httpd.server_port))
    try:
        with pytest.raises(OfflineServerError, match="COURSE_LOCAL_PORT"):
            get_client(quiet=True)
    finally:
        httpd.shutdown()


def test_tiktoken_works_offline_after_import(tmp_path):
    """No network (proxy to a closed port), an empty cache: `import helpers` is enough."""
    script = """
import helpers, tiktoken
enc = tiktoken.encoding_for_model("gpt-4o")
assert enc.name == "o200k_base"
assert [enc.decode([t]) for t in enc.encode(" tokenization")] == [" token", "ization"]
assert tiktoken.get_encoding("cl100k_base").encode("hello world") == [15339, 1917]
print("ok")
"""
    env = {k: v for k, v in os.environ.items() if k != "TIKTOKEN_CACHE_DIR"}
    env.update({"COURSE_CACHE_DIR": str(tmp_path / "cache"), "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9",
                "https_proxy": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9"})
    p = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and "ok" in p.stdout, p.stderr[-2000:]


def test_offline_encodings_match_tiktoken_hashes():
    import inspect

    import tiktoken_ext.openai_public as pub  # noqa: F401  (the expected hashes live there)

    from helpers.tokens_offline import EXPECTED_SHA256

    source = inspect.getsource(pub)
    for sha in EXPECTED_SHA256.values():
        assert sha in source
