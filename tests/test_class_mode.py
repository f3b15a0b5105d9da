"""Classroom mode against a real keyed server: keys, limits, usage view, stored completions,
retention, privacy of logs, graceful shutdown and crash safety."""
from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import httpx
import openai
import pytest
from server_proc import ROOT, ServerProcess

CHAT = "gpt-4o-mini"
ADMIN = "admin-secret-7777"


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    """A class server: three students from a generated key file, an admin key, 20 requests/min each."""
    tmp = tmp_path_factory.mktemp("class")
    names = tmp / "class.txt"
    names.write_text("张三\nLi Si\nAda\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "helpers.local", "keys", "--names", str(names), "--out", str(tmp / "keys.txt"),
                          "--base-url", "http://10.1.2.3:18765/v1"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    keys = {line.split()[0]: line.split()[-1] for line in out.stdout.splitlines() if line.startswith(("张三", "Li", "Ada"))}
    keys["Li Si"] = [line.split()[-1] for line in out.stdout.splitlines() if line.startswith("Li Si")][0]
    srv = ServerProcess("--keys", str(tmp / "keys.txt"), "--admin-key", ADMIN, "--rpm", "20", "--parallel", "2",
                        "--db", str(tmp / "store.sqlite3"), "--max-output-tokens", "64")
    srv.wait_healthy()
    yield {"srv": srv, "keys": keys, "tmp": tmp, "sheet": out.stdout}
    srv.stop()


def _client(klass, name):
    return openai.OpenAI(base_url=klass["srv"].base_url, api_key=klass["keys"][name], max_retries=0)


def test_key_file_holds_hashes_only_and_sheet_shows_keys_once(klass):
    keyfile = (klass["tmp"] / "keys.txt").read_text(encoding="utf-8")
    for key in klass["keys"].values():
        assert key.startswith("sk-class-") and key not in keyfile
        assert klass["sheet"].count(key) == 1
    assert "sha256:" in keyfile and "张三" in keyfile
    assert "OPENAI_BASE_URL=http://10.1.2.3:18765/v1" in klass["sheet"]


def test_every_endpoint_but_health_needs_a_key(klass):
    base = klass["srv"].base_url[:-3]
    spec = httpx.get(base + "/openapi.json").json()
    checked = 0
    for path, ops in spec["paths"].items():
        if path == "/health":
            continue
        url = base + path.replace("{model_id}", "gpt-4o-mini").replace("{completion_id}", "chatcmpl-x")
        for method in ops:
            for headers in ({}, {"Authorization": "Bearer sk-class-not-a-real-key-0000"}):
                r = httpx.request(method.upper(), url, json={}, headers=headers)
                assert r.status_code == 401, (method, path, r.status_code)
                assert r.json()["error"]["code"] == "invalid_api_key"
                checked += 1
    assert checked >= 30
    assert httpx.get(base + "/health").status_code == 200


def test_a_student_key_works_and_headers_teach_limits(klass):
    raw = _client(klass, "张三").chat.completions.with_raw_response.create(model=CHAT, messages=[{"role": "user", "content": "hi"}], max_tokens=3)
    assert raw.headers["x-ratelimit-limit-requests"] == "20"
    assert int(raw.headers["x-ratelimit-remaining-requests"]) < 20
    assert raw.headers["x-ratelimit-reset-requests"].endswith("s")


def test_output_cap_is_the_models_limit(klass):
    with pytest.raises(openai.BadRequestError) as e:
        _client(klass, "Ada").chat.completions.create(model=CHAT, messages=[{"role": "user", "content": "hi"}], max_tokens=65)
    assert e.value.body["param"] == "max_tokens"


def test_stored_completions_lifecycle_and_isolation(klass):
    zs, li = _client(klass, "张三"), _client(klass, "Li Si")
    kept = zs.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": "Remember me"}], max_tokens=4, store=True,
                                      metadata={"lesson": "07", "topic": "privacy"})
    zs.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": "Forget me"}], max_tokens=4)  # store absent
    streamed = zs.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": "Stream me"}], max_tokens=4, store=True,
                                          stream=True, metadata={"lesson": "07"})
    stream_id = [c.id for c in streamed][0]

    page = zs.chat.completions.list()
    ids = [c.id for c in page.data]
    assert kept.id in ids and stream_id in ids and len(ids) == 2  # the unstored one is not there
    got = zs.chat.completions.retrieve(kept.id)
    assert got.choices[0].message.content == kept.choices[0].message.content and got.metadata == {"lesson": "07", "topic": "privacy"}
    assert zs.chat.completions.retrieve(stream_id).choices[0].message.content
    msgs = zs.chat.completions.messages.list(kept.id)
    assert [m.content for m in msgs.data] == ["Remember me"]
    assert [c.id for c in zs.chat.completions.list(metadata={"topic": "privacy"}).data] == [kept.id]
    assert {c.id for c in zs.chat.completions.list(model=CHAT).data} == {kept.id, stream_id}
    assert zs.chat.completions.list(model="gpt-4").data == []
    assert [c.id for c in zs.chat.completions.list(limit=1).data] == [ids[0]]
    assert zs.chat.completions.list(limit=1).has_more is True

    # another student sees nothing of it: 404, as if it did not exist
    assert li.chat.completions.list().data == []
    for call in (lambda: li.chat.completions.retrieve(kept.id), lambda: li.chat.completions.update(kept.id, metadata={"x": "y"}),
                 lambda: li.chat.completions.delete(kept.id), lambda: li.chat.completions.messages.list(kept.id)):
        with pytest.raises(openai.NotFoundError):
            call()

    updated = zs.chat.completions.update(kept.id, metadata={"lesson": "07", "reviewed": "yes"})
    assert updated.metadata == {"lesson": "07", "reviewed": "yes"}
    deleted = zs.chat.completions.delete(kept.id)
    assert deleted.deleted is True and deleted.id == kept.id
    with pytest.raises(openai.NotFoundError):
        zs.chat.completions.retrieve(kept.id)


def test_unstored_prompts_and_keys_never_reach_the_log(klass):
    marker = "PRIVATE-MARKER-91827"
    _client(klass, "Ada").chat.completions.create(model=CHAT, messages=[{"role": "user", "content": marker}], max_tokens=2)
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=klass["srv"].base_url, api_key="sk-class-WRONGKEY123456", max_retries=0).models.list()
    log = klass["srv"].log_path.read_text(errors="replace")
    assert marker not in log
    assert "WRONGKEY" not in log
    for key in klass["keys"].values():
        assert key not in log
    db = sqlite3.connect(klass["tmp"] / "store.sqlite3")
    assert not any(marker in row[0] for row in db.execute("SELECT request FROM stored_completions"))


def test_usage_view_for_the_teacher(klass):
    base = klass["srv"].base_url
    assert httpx.get(base + "/admin/usage").status_code == 401
    assert httpx.get(base + "/admin/usage", headers={"Authorization": f"Bearer {klass['keys']['Ada']}"}).status_code == 401
    report = httpx.get(base + "/admin/usage", headers={"Authorization": f"Bearer {ADMIN}"}).json()
    rows = {r["key"]: r for r in report["data"]}
    assert rows["张三"]["requests"] >= 3 and rows["张三"]["completion_tokens"] > 0
    assert "400" in rows["Ada"]["errors"]
    assert report["queue"]["slots"] == 2


def test_rate_limit_per_key(klass):
    c = _client(klass, "Li Si")
    statuses = []
    for _ in range(22):
        try:
            c.embeddings.create(model="text-embedding-3-small", input="x")
            statuses.append(200)
        except openai.RateLimitError as e:
            statuses.append(429)
            assert int(e.response.headers["retry-after"]) >= 1
            assert e.response.headers["x-ratelimit-remaining-requests"] == "0"
    assert 429 in statuses and statuses.count(200) <= 20


def test_tokens_per_minute_limit(tmp_path):
    srv = ServerProcess("--api-key", "sk-tpm-test-0001", "--tpm", "60", "--db", str(tmp_path / "db.sqlite3"))
    try:
        srv.wait_healthy()
        c = openai.OpenAI(base_url=srv.base_url, api_key="sk-tpm-test-0001", max_retries=0)
        with pytest.raises(openai.RateLimitError) as e:
            c.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": "hi"}], max_tokens=100)
        assert "tokens per min" in e.value.body["message"]
        c.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": "hi"}], max_tokens=30)
        with pytest.raises(openai.RateLimitError) as e:
            c.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": "hi"}], max_tokens=30)
        assert e.value.response.headers["x-ratelimit-limit-tokens"] == "60"
    finally:
        srv.stop()


def test_retention_purges_old_rows_and_purge_command(tmp_path):
    from helpers.local.store import CompletionStore

    db = tmp_path / "store.sqlite3"
    s = CompletionStore(db)
    old = {"id": "chatcmpl-old", "created": int(time.time()) - 40 * 86400, "model": "m", "choices": []}
    new = {"id": "chatcmpl-new", "created": int(time.time()), "model": "m", "choices": []}
    s.put("anonymous", {"messages": []}, old, {})
    s.put("anonymous", {"messages": []}, new, {})
    s.close()
    srv = ServerProcess("--db", str(db), "--retention-days", "30")
    try:
        srv.wait_healthy()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and CompletionStore(db).get("anonymous", "chatcmpl-old"):
            time.sleep(0.2)
        ids = [c["id"] for c in httpx.get(srv.base_url + "/chat/completions").json()["data"]]
        assert ids == ["chatcmpl-new"]
    finally:
        srv.stop()
    p = subprocess.run([sys.executable, "-m", "helpers.local", "purge", "--db", str(db)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0
    assert p.stdout == ("Deleted 1 stored completions, 0 stored responses and 0 conversations. / 已删除 1 条保存的补全、0 个保存的响应和 0 个对话。\n"
                        "Deleted 0 exercise attempts. / 已删除 0 条练习记录。\n")
    assert CompletionStore(db).count() == 0


def test_graceful_shutdown_ends_streams_with_an_error_event(tmp_path):
    srv = ServerProcess("--db", str(tmp_path / "db.sqlite3"), "--parallel", "1")
    srv.wait_healthy()
    lines: list[str] = []

    def consume():
        with httpx.stream("POST", srv.base_url + "/chat/completions", timeout=120,
                          json={"model": CHAT, "messages": [{"role": "user", "content": "Count from 1 to 1000, separated by commas."}], "temperature": 0,
                                "max_tokens": 3000, "stream": True}) as r:
            for line in r.iter_lines():
                lines.append(line)

    t = threading.Thread(target=consume)
    t.start()
    deadline = time.monotonic() + 60
    while len(lines) < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    srv.proc.send_signal(signal.SIGTERM)
    t.join(60)
    assert srv.proc.wait(60) == 0
    srv.log.close()
    data = [json.loads(line[6:]) for line in lines if line.startswith("data: {")]
    assert data[-1]["error"]["code"] == "server_shutting_down"
    assert lines[-1] == "data: [DONE]" or lines[-2] == "data: [DONE]"


def test_sigkill_while_storing_loses_no_acknowledged_completion(tmp_path):
    db = tmp_path / "store.sqlite3"
    srv = ServerProcess("--db", str(db), "--parallel", "2")
    srv.wait_healthy()
    acked: list[str] = []
    stop = threading.Event()

    def writer():
        c = openai.OpenAI(base_url=srv.base_url, api_key="x", max_retries=0, timeout=30)
        while not stop.is_set():
            try:
                r = c.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": "hi"}], max_tokens=2, store=True)
                acked.append(r.id)
            except openai.APIError:
                return

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 240  # generous: a busy machine answers slowly, the point is the kill
    while len(acked) < 12 and time.monotonic() < deadline:
        time.sleep(0.05)
    srv.proc.kill()  # SIGKILL, mid-write
    srv.proc.wait()
    stop.set()
    for t in threads:
        t.join(30)
    srv.log.close()
    assert len(acked) >= 12

    again = ServerProcess("--db", str(db), "--parallel", "2")
    try:
        again.wait_healthy()
        c = openai.OpenAI(base_url=again.base_url, api_key="x", max_retries=0)
        stored = {x.id for x in c.chat.completions.list(limit=100)} if len(acked) <= 100 else set()
        assert set(acked) <= stored
        assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        again.stop()


def test_short_class_load_everyone_served():
    sys.path.insert(0, str(ROOT / "bench"))
    from class_load import run_class

    res = run_class(students=5, seconds=20, parallel=2, max_tokens=24)
    print(res.table())
    assert res.server_errors == 0 and res.dropped == 0 and res.client_errors == 0
    assert all(res.completed.get(i, 0) > 0 for i in range(5))
    assert res.dash.report_errors == 0 and sum(res.dash.reports.values()) >= 5 and res.dash.events > 0  # the dashboard stayed live
