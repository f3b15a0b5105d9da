"""The teacher's class dashboard against a real class server: who may see it, the headers it
sends, progress reported by the real `check()` in a student's own process, CSV exports,
the live feed, restart persistence, retention and purge."""
from __future__ import annotations

import csv
import hmac
import http.server
import io
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import ClassVar

import httpx
import pytest
import site_support as ss
from server_proc import ROOT, ServerProcess

ADMIN = "teacher-secret-4242"
NAMES = ["张三", "Li Si", "Ada", "=1+2"]  # the last one would be a formula in a spreadsheet
ADMIN_ROUTES = ["/admin", "/admin/state.json", "/admin/events", "/admin/progress.csv", "/admin/usage.csv", "/v1/admin/usage"]


def _keys(tmp: Path) -> dict[str, str]:
    from helpers.local.keys import generate, write_keyfile

    pairs, entries = generate(NAMES)
    write_keyfile(tmp / "keys.txt", entries)
    return dict(pairs)


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dashboard")
    keys = _keys(tmp)
    srv = ServerProcess("--keys", str(tmp / "keys.txt"), "--admin-key", ADMIN, "--parallel", "1", "--db", str(tmp / "db.sqlite3"),
                        "--max-output-tokens", "32")
    srv.wait_healthy()
    yield {"srv": srv, "root": srv.base_url[:-3], "keys": keys, "tmp": tmp}
    srv.stop()


def admin() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN}"}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def run_check(base_url: str, key: str, calls: list[tuple[str, str]], tmp: Path, **env: str) -> str:
    """Run the real `check()` in a student's own Python process pointed at `base_url`; between
    checks, wait for the background report as a notebook's next cell would (seconds later)."""
    script = ("from helpers.exercises import check\nfrom helpers.exercises.reporting import REPORTER\n"
              + "".join(f"print(check({ex!r}, {expr}))\nREPORTER.flush(10)\n" for ex, expr in calls))
    child_env = {k: v for k, v in os.environ.items() if k not in ("COURSE_BACKEND", "OPENAI_BASE_URL", "OPENAI_API_KEY")}
    child_env.update(OPENAI_BASE_URL=base_url, OPENAI_API_KEY=key, COURSE_PROGRESS_DB=str(tmp / f"local-{key[-6:]}.sqlite3"),
                     PYTHONPATH=str(ROOT), **env)
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=child_env, capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    return out.stdout


def state(root: str) -> dict:
    r = httpx.get(root + "/admin/state.json", headers=admin())
    assert r.status_code == 200, r.text
    return r.json()


def student(snapshot: dict, name: str) -> dict:
    return next(s for s in snapshot["students"] if s["name"] == name)


# ---- who may see it ----------------------------------------------------------------

def test_every_admin_route_refuses_students_and_wrong_keys(klass):
    for path in ADMIN_ROUTES:
        for headers in ({}, bearer(klass["keys"]["Ada"]), bearer("teacher-secret-4243"), {"Authorization": ADMIN},
                        {"Cookie": f"course_admin={ADMIN}"}):
            r = httpx.get(klass["root"] + path, headers=headers)
            assert r.status_code in (401, 404), (path, headers, r.status_code)
        with httpx.stream("GET", klass["root"] + path, headers=admin(), timeout=30) as r:
            assert r.status_code == 200, path


def test_the_key_is_never_taken_from_a_url(klass):
    for query in (f"key={ADMIN}", f"admin_key={ADMIN}", f"token={ADMIN}", f"api_key={ADMIN}"):
        for path in ("/admin", "/admin/state.json", "/admin/progress.csv"):
            assert httpx.get(f"{klass['root']}{path}?{query}").status_code == 401
    page = httpx.get(klass["root"] + "/admin").text
    assert re.search(r'<form[^>]*method="post"[^>]*action="/admin/login"', page)
    assert '<input id="key" name="key" type="password"' in page


def test_security_headers_and_no_inline_or_external_script(klass):
    for path, headers in [("/admin", {}), ("/admin", admin()), ("/admin/state.json", admin()), ("/admin/usage.csv", admin()),
                          ("/course/static/dashboard.js", {})]:
        r = httpx.get(klass["root"] + path, headers=headers)
        assert r.headers["x-frame-options"] == "DENY"
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert r.headers["cache-control"] == "no-store"
        assert r.headers["x-content-type-options"] == "nosniff"
    for path in ("/admin",):
        html = httpx.get(klass["root"] + path, headers=admin()).text
        assert ss.scan_html(html) == []
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
        assert not re.search(r"\son\w+=", html), "inline event handler"
    for name, scan in (("dashboard.js", ss.scan_js), ("i18n.js", ss.scan_js), ("dashboard.css", ss.scan_css)):
        text = httpx.get(f"{klass['root']}/course/static/{name}").text
        assert text and scan(text) == [], name
    assert httpx.get(klass["root"] + "/course/static/..%2Fauth.py").status_code == 404


def test_sign_in_with_the_form_sets_an_httponly_session_cookie(klass):
    root = klass["root"]
    with httpx.Client(base_url=root) as c:
        wrong = c.post("/admin/login", data={"key": "teacher-secret-4243"})
        assert wrong.status_code == 401 and "set-cookie" not in wrong.headers and not c.cookies
        student_key = c.post("/admin/login", data={"key": klass["keys"]["Ada"]})
        assert student_key.status_code == 401 and not c.cookies
        cross = c.post("/admin/login", data={"key": ADMIN}, headers={"Sec-Fetch-Site": "cross-site"})
        assert cross.status_code == 403 and not c.cookies
        ok = c.post("/admin/login", data={"key": ADMIN})
        assert ok.status_code == 303 and ok.headers["location"] == "/admin"
        cookie = ok.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/admin" in cookie and ADMIN not in cookie
        assert c.get("/admin").status_code == 200 and 'id="grid"' in c.get("/admin").text
        assert c.get("/admin/state.json").json()["object"] == "course.dashboard"
        assert c.get("/v1/admin/usage").status_code == 401  # the cookie is for the dashboard only (Path=/admin)
        token = c.cookies["course_admin"]
        assert c.post("/admin/logout").status_code == 303
    assert httpx.get(root + "/admin/state.json", cookies={"course_admin": token}).status_code == 401


def test_admin_key_and_session_are_compared_in_constant_time(monkeypatch):
    from helpers.local.dashboard.auth import AdminSessions
    from helpers.local.gate import KeyRing

    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    sessions = AdminSessions(KeyRing([], [ADMIN]))
    assert sessions.allowed({"authorization": f"Bearer {ADMIN}"}) and calls
    calls.clear()
    assert not sessions.allowed({"authorization": "Bearer nope"}) and calls
    token = sessions.sign_in(ADMIN)
    calls.clear()
    assert sessions.allowed({"cookie": f"course_admin={token}"}) and calls
    assert not sessions.allowed({"cookie": "course_admin=forged"})
    assert sessions.sign_in("nope") is None


# ---- progress from the real checker ---------------------------------------------------------

def test_check_reports_progress_without_the_answer(klass):
    root, ada = klass["root"], klass["keys"]["Ada"]
    out = run_check(klass["srv"].base_url, ada, [("03.2", '"o200k_base"'), ("03.1", "99"), ("03.1", "98")], klass["tmp"])
    assert out.count("✅") == 1 and out.count("❌") == 2 and "📤" not in out
    snap = state(root)
    me = student(snap, "Ada")
    assert me["progress"]["03.2"]["status"] == "passed" and me["progress"]["03.2"]["attempts"] == 1
    assert me["progress"]["03.1"] == {"status": "tried", "attempts": 2, "last": me["progress"]["03.1"]["last"]}
    assert me["passed"] == 1 and me["last_seen"] > 0
    assert student(snap, "Li Si")["progress"] == {}
    db = sqlite3.connect(klass["tmp"] / "db.sqlite3")
    assert db.execute("SELECT COUNT(*) FROM exercise_attempts WHERE answer IS NOT NULL").fetchone()[0] == 0
    assert [r[0] for r in db.execute("SELECT attempt FROM exercise_attempts WHERE exercise='03.1' ORDER BY id")] == [1, 2]


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def _answer(self):
        type(self).seen.append(f"{self.command} {self.path}")
        self.send_response(404)
        self.end_headers()

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


def test_reports_go_only_to_a_course_server_and_can_be_turned_off(klass):
    before = state(klass["root"])
    run_check(klass["srv"].base_url, klass["keys"]["Li Si"], [("03.2", '"o200k_base"')], klass["tmp"], COURSE_PROGRESS_REPORTING="off")
    assert student(state(klass["root"]), "Li Si")["progress"] == student(before, "Li Si")["progress"] == {}

    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        out = run_check(f"http://127.0.0.1:{other.server_address[1]}/v1", "sk-someone-elses-provider-key", [("03.2", '"o200k_base"')],
                        klass["tmp"])
    finally:
        other.shutdown()
    assert "✅" in out
    assert _Recorder.seen == ["GET /health"]  # asked who it is, sent nothing

    out = run_check("http://127.0.0.1:9/v1", klass["keys"]["Li Si"], [("03.2", '"o200k_base"')], klass["tmp"])  # nobody listens
    assert "✅" in out


def test_the_progress_endpoint_checks_its_body_and_key(klass):
    url, zs = klass["root"] + "/course/v1/progress", bearer(klass["keys"]["张三"])
    good = {"exercise": "00.1", "passed": True, "attempt": 1, "time": time.time()}
    assert httpx.post(url, json=good).status_code == 401
    assert httpx.post(url, json=good, headers=bearer("sk-class-not-a-key")).json()["error"]["code"] == "invalid_api_key"
    assert httpx.post(url, json=good, headers=admin()).status_code == 401  # the teacher's key is not a student
    for body, param in [({**good, "exercise": "99.9"}, "exercise"), ({**good, "passed": "yes"}, "passed"), ({**good, "attempt": 0}, "attempt"),
                        ({**good, "student": "Ada"}, "student"), ({**good, "answer": "x" * 2001}, "answer"), ({**good, "time": "now"}, "time")]:
        r = httpx.post(url, json=body, headers=zs)
        assert r.status_code == 400 and r.json()["error"]["param"] == param, (body, r.text)
        assert " / " in r.json()["error"]["message"]  # English / 中文
    assert httpx.post(url, content=b"{not json", headers=zs).status_code == 400
    assert httpx.get(url, headers=zs).status_code == 405
    ok = httpx.post(url, json=good, headers=zs).json()
    assert ok == {"object": "course.progress", "exercise": "00.1", "passed": True, "attempts": 1, "collect_answers": False}
    statuses = [httpx.post(url, json={**good, "passed": False}, headers=zs).status_code for _ in range(61)]
    assert statuses.count(429) >= 1 and 400 not in statuses and 500 not in statuses


def test_the_live_feed_pushes_a_report(klass):
    root = klass["root"]
    with httpx.stream("GET", root + "/admin/events", headers=admin(), timeout=httpx.Timeout(30)) as feed:
        assert feed.headers["content-type"].startswith("text/event-stream")
        lines = feed.iter_lines()
        first = json.loads(next(line for line in lines if line.startswith("data: "))[6:])
        assert student(first, "Ada")["progress"].get("04.1") is None
        r = httpx.post(root + "/course/v1/progress", json={"exercise": "04.1", "passed": True, "attempt": 1},
                       headers=bearer(klass["keys"]["Ada"]))
        assert r.status_code == 200
        for line in lines:
            if line.startswith("data: ") and student(json.loads(line[6:]), "Ada")["progress"].get("04.1"):
                break
        else:
            pytest.fail("the feed ended without the new attempt")


def test_csv_exports(klass):
    root = klass["root"]
    httpx.post(root + "/course/v1/progress", json={"exercise": "01.1", "passed": False, "attempt": 1},
               headers=bearer(klass["keys"]["=1+2"]))
    r = httpx.get(root + "/admin/progress.csv", headers=admin())
    assert r.headers["content-type"].startswith("text/csv") and "attachment" in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert rows[0] == ["name", "exercise", "status", "attempts", "last_attempt"]
    n_exercises = len(state(root)["exercises"])
    assert len(rows) - 1 == len(NAMES) * n_exercises
    by = {(row[0], row[1]): row for row in rows[1:]}
    assert by[("Ada", "03.2")][2:4] == ["passed", "1"] and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", by[("Ada", "03.2")][4])
    assert by[("Ada", "03.1")][2:4] == ["tried", "2"]
    assert by[("Li Si", "03.2")][2:] == ["not_yet", "0", ""]
    assert by[("'=1+2", "01.1")][2] == "tried"  # quoted so a spreadsheet shows it, never runs it

    usage = list(csv.reader(io.StringIO(httpx.get(root + "/admin/usage.csv", headers=admin()).text.lstrip("\ufeff"))))
    assert usage[0] == ["name", "requests", "prompt_tokens", "completion_tokens", "errors", "rate_limited", "exercises_passed", "last_seen"]
    assert {row[0] for row in usage[1:]} == {"张三", "Li Si", "Ada", "'=1+2"}


def test_usage_and_class_figures(klass):
    import openai

    c = openai.OpenAI(base_url=klass["srv"].base_url, api_key=klass["keys"]["Li Si"], max_retries=0)
    c.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], max_tokens=8)
    with pytest.raises(openai.BadRequestError):
        c.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], max_tokens=99)
    snap = state(klass["root"])
    li = student(snap, "Li Si")
    assert li["requests"] == 2 and li["completion_tokens"] > 0 and li["errors"] == 1 and li["rate_limited"] == 0
    assert student(snap, "张三")["rate_limited"] == 0  # progress reports do not count as API calls
    cls = snap["class"]
    assert cls["slots"] == 1 and cls["waiting"] == 0 and len(cls["rate"]) == 60
    assert sum(v for _, v in cls["rate"]) > 0


# ---- persistence, retention, purge, collected answers ---------------------------------------

def test_restart_retention_purge_and_collected_answers(tmp_path):
    from helpers.local.dashboard.progress_store import ProgressStore
    from helpers.local.keys import key_hash

    keys = _keys(tmp_path)
    db = tmp_path / "db.sqlite3"
    old = ProgressStore(db)
    old.record(key_hash(keys["Ada"]), "00.1", True, 1, now=time.time() - 40 * 86400)  # past the 30-day retention
    old.record(key_hash(keys["Ada"]), "00.2", True, 1, now=time.time() - 86400)
    old.close()
    args = ("--keys", str(tmp_path / "keys.txt"), "--admin-key", ADMIN, "--parallel", "1", "--db", str(db))
    srv = ServerProcess(*args, "--collect-answers")
    try:
        srv.wait_healthy()
        root = srv.base_url[:-3]
        assert set(student(state(root), "Ada")["progress"]) == {"00.2"}
        first = run_check(srv.base_url, keys["Ada"], [("03.2", '"cl100k_base"')], tmp_path)
        assert "📤" not in first  # the notebook has not been told yet: nothing sent
        second = run_check(srv.base_url, keys["Ada"], [("03.2", '"cl100k_base"'), ("03.2", '"o200k_base"')], tmp_path)
        before, after = second.split("✅")
        assert "📤" not in before  # a new notebook process again learns the policy from its first report
        assert after.count("📤") == 2 and "COURSE_PROGRESS_REPORTING=off" in after and "课堂服务器在收集答案" in after
        snap = state(root)
        assert snap["collect_answers"] is True
        cell = student(snap, "Ada")["progress"]["03.2"]
        assert cell["status"] == "passed" and cell["attempts"] == 3 and cell["answer"] == "o200k_base"
        assert "last_answer" in httpx.get(root + "/admin/progress.csv", headers=admin()).text
    finally:
        srv.stop()
    again = ServerProcess(*args)
    try:
        again.wait_healthy()
        cell = student(state(again.base_url[:-3]), "Ada")["progress"]["03.2"]
        assert cell["attempts"] == 3 and "answer" not in cell  # kept across the restart; answers shown only while collecting
        with httpx.stream("GET", again.base_url[:-3] + "/admin/events", headers=admin(), timeout=60) as feed:
            lines = feed.iter_lines()
            assert next(line for line in lines if line.startswith("data: "))
            again.proc.send_signal(signal.SIGINT)  # an open dashboard does not hold up the shutdown
            assert again.proc.wait(30) == 0
            assert all(not line.startswith("data: {") or json.loads(line[6:]) for line in lines)  # the feed just ends
    finally:
        again.stop()
    p = subprocess.run([sys.executable, "-m", "helpers.local", "purge", "--db", str(db)], cwd=ROOT, capture_output=True, text=True,
                       timeout=60, check=False)
    assert p.returncode == 0 and "Deleted 4 exercise attempts" in p.stdout
    assert ProgressStore(db).count() == 0


# ---- the learner's own table ---------------------------------------------------------------

def test_helpers_progress_shows_the_learners_own_table(tmp_path, monkeypatch):
    import helpers
    from helpers.exercises import check

    monkeypatch.setenv("COURSE_PROGRESS_DB", str(tmp_path / "mine.sqlite3"))
    assert check("03.2", "o200k_base").ok and not check("03.1", 99).ok and not check("03.1", 98).ok
    check("03.3", ...)  # no answer yet: not an attempt
    en, zh = helpers.progress("en"), helpers.progress("zh")
    row = {r[0]: r[1:] for r in en.rows}["03"]
    assert row[0] == ["03.2"] and row[1] == ["03.1 ×2"] and "03.3" in row[2]
    assert re.search(r"1 of \d+ exercises passed", str(en))
    assert "已通过" in str(zh) and "第 03 课" in str(zh)
    assert "<table>" in en._repr_html_() and "Lesson 03" in en._repr_html_()
    monkeypatch.setenv("COURSE_LANG", "zh_CN.UTF-8")
    assert helpers.progress().lang == "zh"


def test_a_broken_local_progress_file_never_breaks_a_check(tmp_path, monkeypatch):
    from helpers.exercises import check

    monkeypatch.setenv("COURSE_PROGRESS_DB", str(tmp_path))  # a folder: SQLite cannot open it
    fb = check("03.2", "o200k_base")
    assert fb.ok and not fb.shared


def test_which_backends_get_reports():
    from helpers.exercises.reporting import class_server

    cls = {"OPENAI_BASE_URL": "http://10.0.0.5:18765/v1", "OPENAI_API_KEY": "sk-class-abc"}
    assert class_server(cls).root == "http://10.0.0.5:18765" and class_server(cls).key == "sk-class-abc"
    for off in ("off", "0", "false", "no", "OFF"):
        assert class_server({**cls, "COURSE_PROGRESS_REPORTING": off}) is None
    assert class_server({}) is None  # offline: kept locally only
    assert class_server({"OPENAI_API_KEY": "sk-real"}) is None  # the real API is never told
    assert class_server({**cls, "COURSE_BACKEND": "offline"}) is None
    assert class_server({"COURSE_BACKEND": "compatible"}) is None  # a broken setting is the client's to report, not ours


def test_the_page_speaks_both_languages(klass):
    for accept, lang in (("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"), ("en-US,en;q=0.9", "en"), ("", "en")):
        html = httpx.get(klass["root"] + "/admin", headers={**admin(), "Accept-Language": accept}).text
        assert f'<html lang="{lang}">' in html
    js = httpx.get(klass["root"] + "/course/static/i18n.js").text
    zh_block, en_block = re.search(r'"zh-CN": \{(.*?)\n    \},\n    en: \{(.*?)\n    \}', js, re.DOTALL).groups()

    def keys(block: str) -> set[str]:
        return set(re.findall(r"(?:^|,)\s*(\w+): \"", block, re.MULTILINE))

    assert keys(zh_block) == keys(en_block) and len(keys(en_block)) > 30
    used = set(re.findall(r'data-i18n="(\w+)"', httpx.get(klass["root"] + "/admin", headers=admin()).text + httpx.get(klass["root"] + "/admin").text))
    used |= set(re.findall(r'I\.t\("(\w+)"', httpx.get(klass["root"] + "/course/static/dashboard.js").text))
    assert used <= keys(en_block), used - keys(en_block)
