"""The dashboard's own files (HTML, CSS, JS in `static/`, shipped as package data) and
the few headers every dashboard response carries.

Everything the page needs is served by this server: no CDN, so the dashboard
works in a classroom with no internet, and the CSP can forbid every other origin
and all inline script.
"""
from __future__ import annotations

from importlib import resources

from starlette.responses import HTMLResponse, Response

ASSETS = {"dashboard.css": "text/css; charset=utf-8", "dashboard.js": "text/javascript; charset=utf-8",
          "i18n.js": "text/javascript; charset=utf-8"}
_cache: dict[str, bytes] = {}


def _read(name: str) -> bytes:
    if name not in _cache:
        _cache[name] = resources.files(__package__).joinpath("static", name).read_bytes()
    return _cache[name]


def page_lang(accept_language: str | None) -> str:
    """The browser's first choice decides the first render; the page's switch can change it."""
    first = (accept_language or "").split(",")[0].strip().lower()
    return "zh-CN" if first.startswith("zh") else "en"


def html_page(name: str, lang: str, status: int = 200, error: bool = False) -> HTMLResponse:
    text = _read(name).decode("utf-8").replace("__LANG__", lang).replace("__ERROR__", "error" if error else "")
    return HTMLResponse(text, status_code=status)


def asset(name: str) -> Response:
    if name not in ASSETS:
        return Response(status_code=404)
    return Response(_read(name), media_type=ASSETS[name])
