"""Real-browser checks of the built site: headless Chromium (Debian's
/usr/bin/chromium, driven by Playwright's sync API) against a local
http.server on 127.0.0.1.

Skipped when /usr/bin/chromium is missing, unless REQUIRE_BROWSER=1 (CI),
then it fails.  Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import site_support as ss

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SHOTS = ss.ROOT / "test-artifacts" / "screenshots"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def _require_browser():
    required = os.environ.get("REQUIRE_BROWSER", "") not in ("", "0", "false", "no")
    problem = None
    if not Path(CHROMIUM).exists():
        problem = f"{CHROMIUM} is missing (run .ci/install-system-deps.sh)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError as exc:  # pragma: no cover
            problem = f"playwright is not installed: {exc}"
    if problem:
        if required:
            pytest.fail(f"REQUIRE_BROWSER=1 but {problem}")
        pytest.skip(problem)


@pytest.fixture(scope="module")
def site() -> Path:
    _require_browser()
    build = ss.built_site()
    if build.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{build.output[-4000:]}")
    return build.site


@pytest.fixture(scope="module")
def base_url(site):
    with ss.serve(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


class Recorder:
    """Every request of a browser context; anything not local is aborted."""

    def __init__(self):
        self.requests: list[str] = []
        self.errors: list[str] = []

    @staticmethod
    def is_local(url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about", "file"):
            return True
        return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname in LOCAL_HOSTS

    def route(self, route):
        url = route.request.url
        self.requests.append(url)
        if self.is_local(url):
            route.continue_()
        else:
            route.abort()

    @property
    def external(self) -> list[str]:
        return sorted({u for u in self.requests if not self.is_local(u)})


@pytest.fixture()
def page(browser):
    recorder = Recorder()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.route("**/*", recorder.route)
    pg = context.new_page()
    pg.on("request", lambda r: recorder.requests.append(r.url))
    pg.on("pageerror", lambda e: recorder.errors.append(str(e)))
    pg.recorder = recorder
    yield pg
    context.close()
    assert not recorder.external, f"requests left 127.0.0.1: {recorder.external}"
    assert not recorder.errors, f"JavaScript errors: {recorder.errors}"


def _url(base_url: str, src: str, lang: str) -> str:
    return base_url + ss.page_path(Path("."), src, lang).as_posix().removeprefix("./")


def _notebook_src() -> str:
    notebooks = ss.notebook_paths()
    assert notebooks, "no notebooks"
    return f"notebooks/{notebooks[0].name}"


PAGES = [("home", "index.md"), ("quickstart", "quickstart.md"), ("notebook", None),
         ("glossary", "glossary.md")]


@pytest.mark.parametrize("lang", ss.LANGS)
@pytest.mark.parametrize("name,src", PAGES, ids=[p[0] for p in PAGES])
def test_page_renders_and_switches_language(page, base_url, lang, name, src):
    src = src or _notebook_src()
    url = _url(base_url, src, lang)
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, f"{url}: {response and response.status}"
    assert page.get_attribute("html", "lang") == lang
    page.wait_for_selector(".md-content article")
    if name == "notebook":
        assert page.locator(".jupyter-wrapper .jp-Notebook").count() == 1
        assert page.locator(".jp-CodeCell").count() >= 1
    # the material header shows the site name of the language
    header = page.locator(".md-header__topic").first.inner_text()
    assert ("OpenAI API 入门课程" if lang == "zh" else "OpenAI API Course") in header
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{lang}-{name}.png"), full_page=True)

    # language switcher: same page, other language
    other = "en" if lang == "zh" else "zh"
    page.hover(".md-header__option .md-select")
    link = page.locator(f'.md-select__link[hreflang="{other}"]')
    link.wait_for(state="visible")
    with page.expect_navigation(wait_until="load"):
        link.click()
    assert page.url == _url(base_url, src, other)
    assert page.get_attribute("html", "lang") == other


@pytest.mark.parametrize("lang,query", [("zh", "嵌入"), ("zh", "上下文"), ("en", "embeddings"),
                                        ("en", "tokens")])
def test_search_finds_results(page, base_url, lang, query):
    page.goto(_url(base_url, "index.md", lang), wait_until="load")
    search = page.locator("input.md-search__input")
    search.click()
    # material reads the query on keyup; Chinese arrives as text input (as
    # from an IME), so end with a key press like the IME's commit key
    search.fill(query)
    search.press("End")
    results = page.locator(".md-search-result__item")
    results.first.wait_for(state="visible", timeout=15_000)
    assert results.count() >= 1
    meta = page.locator(".md-search-result__meta").inner_text()
    assert re.search(r"\d", meta), meta
    text = page.locator(".md-search-result__list").inner_text()
    assert query.lower() in text.lower(), f"{query!r} not highlighted in results"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{lang}-search-{len(query)}-{query.encode().hex()[:12]}.png"))
    # some results are pages of the language searched (the index holds both
    # languages, as mkdocs-static-i18n merges them)
    hrefs = [a.get_attribute("href") for a in page.locator(".md-search-result__link").all()]
    paths = [urlsplit(page.evaluate("h => new URL(h, location.href).href", h)).path
             for h in hrefs if h]
    assert any(p.startswith("/en/") == (lang == "en") for p in paths), paths


def test_site_works_from_the_file_system(page, site):
    """material's offline plugin: pages and search work from file://."""
    page.goto((site / "en" / "quickstart.html").as_uri(), wait_until="load")
    assert page.get_attribute("html", "lang") == "en"
    search = page.locator("input.md-search__input")
    search.click()
    search.fill("tokens")
    search.press("End")
    page.locator(".md-search-result__item").first.wait_for(state="visible", timeout=15_000)
    link = page.locator('.md-select__link[hreflang="zh"]')
    assert link.get_attribute("href") == "../quickstart.html"
