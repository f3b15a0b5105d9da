"""The class dashboard in a real browser (headless Chromium via Playwright, as the site test):
sign in, see the grid, a student passes an exercise through the real checker in their own
process, and the grid updates without a reload. A wrong admin key is refused.

Screenshots go to test-artifacts/screenshots/; with UPDATE_DOCS_SCREENSHOTS=1 they are
also written to docs/assets/ (the ones docs/offline.md and offline.en.md show).
"""

from __future__ import annotations

import os
import shutil
import time

import httpx
import pytest
from server_proc import ROOT, ServerProcess
from test_dashboard import ADMIN, bearer, run_check
from test_site_browser import CHROMIUM, CHROMIUM_ARGS, SHOTS, Recorder, _require_browser

CLASS = ["张三", "李四", "王芳", "赵磊", "Ada", "Ben", "Chloé", "David"]
DOCS_ASSETS = ROOT / "docs" / "assets"
# a believable lesson in progress: (student, exercise, passed on attempt n or None = still trying after n)
SEEDED = [
    ("张三", "00.1", 1),
    ("张三", "00.2", 1),
    ("张三", "01.1", 2),
    ("李四", "00.1", 1),
    ("李四", "00.2", None),
    ("王芳", "00.1", 1),
    ("王芳", "00.2", 1),
    ("王芳", "00.3", 3),
    ("王芳", "01.1", None),
    ("赵磊", "00.1", None),
    ("Ben", "00.1", 1),
    ("Ben", "00.2", 2),
    ("Chloé", "00.1", 1),
    ("David", "00.1", 2),
    ("Ada", "00.1", 1),
]


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    _require_browser()
    from helpers.local.keys import generate, write_keyfile

    tmp = tmp_path_factory.mktemp("dashboard-browser")
    pairs, entries = generate(CLASS)
    write_keyfile(tmp / "keys.txt", entries)
    srv = ServerProcess("--keys", str(tmp / "keys.txt"), "--admin-key", ADMIN, "--parallel", "1", "--db", str(tmp / "db.sqlite3"))
    srv.wait_healthy()
    keys = dict(pairs)
    root = srv.base_url[:-3]
    for name, ex, passed_on in SEEDED:
        for attempt in range(1, (passed_on or 2) + 1):
            r = httpx.post(
                root + "/course/v1/progress",
                headers=bearer(keys[name]),
                json={"exercise": ex, "passed": attempt == passed_on, "attempt": attempt, "time": time.time()},
            )
            assert r.status_code == 200, r.text
    for name in ("张三", "王芳"):
        r = httpx.post(
            srv.base_url + "/chat/completions",
            headers=bearer(keys[name]),
            json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello."}], "max_tokens": 16},
            timeout=120,
        )
        assert r.status_code == 200, r.text
    yield {"srv": srv, "root": root, "keys": keys, "tmp": tmp}
    srv.stop()


@pytest.fixture()
def page(klass):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        recorder = Recorder()
        context = browser.new_context(viewport={"width": 1600, "height": 900}, locale="zh-CN")
        context.route("**/*", recorder.route)
        pg = context.new_page()
        pg.on("pageerror", lambda e: recorder.errors.append(str(e)))
        pg.recorder = recorder
        try:
            yield pg
        finally:
            browser.close()
        assert not recorder.external, f"requests left 127.0.0.1: {recorder.external}"
        assert not recorder.errors, f"JavaScript errors: {recorder.errors}"


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1":
        DOCS_ASSETS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, DOCS_ASSETS / name)


def test_wrong_admin_key_is_refused(page, klass):
    response = page.goto(klass["root"] + "/admin")
    assert response.status == 401
    page.fill("#key", ADMIN + "-wrong")
    with page.expect_navigation() as nav:
        page.click("button[type=submit]")
    assert nav.value.status == 401
    assert page.locator(".login-error").is_visible()
    assert page.locator("#grid").count() == 0
    assert page.context.cookies() == []
    page.fill("#key", klass["keys"]["Ada"])  # a student's key is no admin key either
    with page.expect_navigation() as nav:
        page.click("button[type=submit]")
    assert nav.value.status == 401 and page.context.cookies() == []


def test_sign_in_and_watch_a_student_pass_without_a_reload(page, klass):
    root = klass["root"]
    page.goto(root + "/admin")
    page.fill("#key", ADMIN)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.url == root + "/admin" and ADMIN not in page.url
    cell = 'td.cell[data-student="Ada"][data-exercise="03.2"]'
    page.wait_for_selector(cell + ".notyet")
    assert page.locator("tbody tr").first.locator("th").inner_text() in CLASS
    assert page.locator('td.cell.passed[data-student="王芳"][data-exercise="00.3"]').inner_text() == "✓"
    assert page.locator('td.cell.tried[data-student="赵磊"][data-exercise="00.1"]').inner_text() == "2"
    assert page.get_attribute("html", "lang") == "zh-CN" and page.inner_text("h1") == "课堂看板"
    page.evaluate("window.__sameDocument = true")

    out = run_check(klass["srv"].base_url, klass["keys"]["Ada"], [("03.2", '"o200k_base"')], klass["tmp"])
    reported = time.monotonic()
    assert "✅" in out
    page.wait_for_selector(cell + ".passed", timeout=30_000)
    print(f"\ndashboard update after the check's report: {(time.monotonic() - reported) * 1000:.0f} ms")
    assert page.evaluate("window.__sameDocument") is True  # updated in place, no reload
    assert page.locator(cell).inner_text() == "✓"
    assert page.locator("#live").get_attribute("class") == "live on"
    _shot(page, "class-dashboard.png")

    page.click('button[data-lang="en"]')
    assert page.inner_text("h1") == "Class dashboard" and page.get_attribute("html", "lang") == "en"
    assert page.get_attribute('#grid th.lesson:text-is("03")', "title") == "Lesson 03"
    _shot(page, "class-dashboard.en.png")
    page.reload()
    assert page.inner_text("h1") == "Class dashboard"  # the choice is remembered
