"""Helpers shared by tests/test_site.py and tests/test_site_browser.py.

* ``built_site()`` runs ``mkdocs build --strict`` once per test process (into a
  temporary directory, removed at exit) and returns the result; both test
  modules reuse it, so the site is built only once per session.
* ``external_fetches()`` scans a built site for resources that a browser
  would fetch from another host.
* ``serve()`` serves a folder with the standard library's http.server on
  127.0.0.1 and an ephemeral port, in a thread.
"""

from __future__ import annotations

import atexit
import functools
import html.parser
import http.server
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
NOTEBOOKS = ROOT / "notebooks"
HOOK = DOCS / "hooks" / "notebooks.py"
LANGS = ("zh", "en")  # default language first
DEFAULT_LANG = "zh"


# --------------------------------------------------------------------------
# the build
# --------------------------------------------------------------------------

@dataclass
class Build:
    site: Path
    returncode: int
    output: str  # stdout + stderr of mkdocs

    @property
    def warnings(self) -> list[str]:
        return [
            line for line in self.output.splitlines()
            if re.match(r"^\s*(\x1b\[[0-9;]*m)?(WARNING|ERROR)\b", line)
        ]


def _mkdocs_cmd() -> list[str]:
    return [sys.executable, "-m", "mkdocs"]


@functools.cache
def built_site() -> Build:
    """Build the site once per process with ``mkdocs build --strict``."""
    tmp = Path(tempfile.mkdtemp(prefix="course-site-test-"))
    atexit.register(shutil.rmtree, tmp, True)
    site = tmp / "site"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONUTF8="1")
    proc = subprocess.run(
        _mkdocs_cmd() + ["build", "--strict", "--clean", "-f", str(ROOT / "mkdocs.yml"),
                         "-d", str(site)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    return Build(site=site, returncode=proc.returncode, output=proc.stdout + proc.stderr)


def load_hook():
    """Import docs/hooks/notebooks.py (the notebook filter lives there)."""
    spec = importlib.util.spec_from_file_location("course_site_notebooks_hook", HOOK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def notebook_paths() -> list[Path]:
    return sorted(p for p in NOTEBOOKS.glob("*.ipynb") if not p.name.startswith("."))


def page_path(site: Path, src_uri: str, lang: str) -> Path:
    """Built HTML file of the page whose source is ``src_uri`` (site uses
    ``use_directory_urls: false``)."""
    stem = re.sub(r"\.(md|ipynb)$", "", src_uri)
    rel = f"{stem}.html"
    return site / rel if lang == DEFAULT_LANG else site / lang / rel


def docs_pages() -> dict[str, dict[str, Path]]:
    """{'quickstart.md': {'zh': docs/quickstart.md, 'en': docs/quickstart.en.md}, ...}"""
    pages: dict[str, dict[str, Path]] = {}
    for path in sorted(DOCS.rglob("*.md")):
        rel = path.relative_to(DOCS).as_posix()
        if rel.startswith(("hooks/", "stylesheets/", "javascripts/")):
            continue
        m = re.match(r"^(.*)\.([a-z]{2})\.md$", rel)
        if m and m.group(2) in LANGS:
            pages.setdefault(f"{m.group(1)}.md", {})[m.group(2)] = path
        else:
            pages.setdefault(rel, {})[DEFAULT_LANG] = path
    return pages


# --------------------------------------------------------------------------
# external fetches
# --------------------------------------------------------------------------

_EXTERNAL_URL = r"(?:https?:)?//[^\s\"'`<>()]+"
_IS_EXTERNAL = re.compile(r"^\s*(?:https?:)?//", re.I)

_CSS_FETCH = [
    re.compile(r"url\(\s*[\"']?\s*(" + _EXTERNAL_URL + r")", re.I),
    re.compile(r"@import\s+(?:url\(\s*)?[\"']?\s*(" + _EXTERNAL_URL + r")", re.I),
]
_JS_FETCH = [
    re.compile(r"\bimport\s*\(\s*[\"'`]\s*(" + _EXTERNAL_URL + r")", re.I),
    re.compile(r"\b(?:import|export)\b[^;\"'`]{0,200}?\bfrom\s*[\"'`]\s*(" + _EXTERNAL_URL + r")", re.I),
    re.compile(r"\bimport\s*[\"'`]\s*(" + _EXTERNAL_URL + r")", re.I),
    re.compile(r"\bfetch\s*\(\s*[\"'`]\s*(https?://[^\s\"'`]+)", re.I),
    re.compile(r"\bimportScripts\s*\(\s*[\"'`]\s*(" + _EXTERNAL_URL + r")", re.I),
    re.compile(r"\bnew\s+(?:Shared)?Worker\s*\(\s*[\"'`]\s*(" + _EXTERNAL_URL + r")", re.I),
    re.compile(r"\.(?:src|href)\s*=\s*[\"'`]\s*(" + _EXTERNAL_URL + r")", re.I),
    re.compile(r"\brequire(?:js)?\.config\b[^;]{0,400}?[\"'`](https?://[^\s\"'`]+)", re.I),
    # script loaders of CDNs, whatever the function is called
    re.compile(r"[\"'`]((?:https?:)?//(?:unpkg\.com|cdn\.jsdelivr\.net|cdnjs\.cloudflare\.com|"
               r"fonts\.googleapis\.com|fonts\.gstatic\.com|code\.jquery\.com|"
               r"ajax\.googleapis\.com|cdn\.plot\.ly|polyfill\.io)[^\s\"'`]*)", re.I),
]

#: Loaders in material's JS bundle that can never fire on this site, with the
#: reason; tests/test_site.py checks each reason's precondition.
KNOWN_DORMANT = {
    # only if the browser has no ResizeObserver (every supported browser has it)
    "https://unpkg.com/resize-observer-polyfill": "no-resize-observer",
    # only if a page contains a ```mermaid diagram (no mermaid fence configured)
    "https://unpkg.com/mermaid@11/dist/mermaid.min.js": "mermaid",
}

_FETCHED_ATTRS = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
}
_JS_TYPES = {"", "text/javascript", "module", "application/javascript", "text/ecmascript"}


class _HTMLScanner(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []  # (what, url)
        self._in: str | None = None
        self._script_type = ""
        self._buf: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = {k.lower(): (v or "") for k, v in attrs}
        for name in _FETCHED_ATTRS.get(tag, ()):
            value = attrs.get(name, "")
            candidates = [v.strip().split(" ")[0] for v in value.split(",")] if name == "srcset" else [value]
            for url in candidates:
                if _IS_EXTERNAL.match(url):
                    self.found.append((f"<{tag} {name}>", url.strip()))
        if "style" in attrs:
            for rx in _CSS_FETCH:
                for m in rx.finditer(attrs["style"]):
                    self.found.append((f"<{tag} style>", m.group(1)))
        if tag in ("script", "style"):
            self._in = tag
            self._script_type = attrs.get("type", "").strip().lower()
            self._buf = []

    def handle_data(self, data):
        if self._in:
            self._buf.append(data)

    def handle_endtag(self, tag):
        if self._in and tag == self._in:
            body = "".join(self._buf)
            if tag == "style":
                self.found += [("<style>", u) for u in scan_css(body)]
            elif self._script_type in _JS_TYPES:
                self.found += [("<script>", u) for u in scan_js(body)]
            self._in = None


def scan_css(text: str) -> list[str]:
    return [m.group(1) for rx in _CSS_FETCH for m in rx.finditer(text)]


def scan_js(text: str) -> list[str]:
    return [m.group(1) for rx in _JS_FETCH for m in rx.finditer(text)]


def scan_html(text: str) -> list[tuple[str, str]]:
    scanner = _HTMLScanner()
    scanner.feed(text)
    scanner.close()
    return scanner.found


def external_fetches(site: Path) -> list[tuple[str, str, str]]:
    """Every (file, what, url) in the built site that a browser would fetch
    from another host, except KNOWN_DORMANT loaders of material's bundle."""
    problems = []
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(site).as_posix()
        suffix = path.suffix.lower()
        if suffix not in (".html", ".htm", ".js", ".mjs", ".css"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if suffix in (".html", ".htm"):
            found = scan_html(text)
        elif suffix == ".css":
            found = [("css", u) for u in scan_css(text)]
        else:
            if rel == "search/search_index.js" and text.startswith("var __index = {"):
                continue  # the offline plugin's copy of the search index: data only
            found = [("js", u) for u in scan_js(text)]
        for what, url in found:
            if (
                rel.startswith("assets/javascripts/bundle.")
                and url in KNOWN_DORMANT
            ):
                continue
            problems.append((rel, what, url))
    return problems


# --------------------------------------------------------------------------
# a local web server
# --------------------------------------------------------------------------

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        pass


@contextmanager
def serve(directory: Path):
    """Serve ``directory`` on http://127.0.0.1:<ephemeral port>/ in a thread."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def search_index(site: Path) -> dict:
    return json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
