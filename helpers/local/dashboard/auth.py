"""Who may see the dashboard: the admin key as a Bearer header (scripts, tests) or a
session cookie set by the sign-in form (people).

The key itself is never put in a cookie or a URL (URLs end up in logs and browser
history): signing in exchanges it for a random session token, kept server-side
only as a SHA-256 hash, HttpOnly and SameSite=Strict so page scripts and other
sites cannot use it. Admin keys are compared in constant time by the KeyRing.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from ..gate import KeyRing

COOKIE = "course_admin"
SESSION_S = 12 * 3600  # a school day
MAX_SESSIONS = 64

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
                                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AdminSessions:
    def __init__(self, keys: KeyRing):
        self.keys = keys
        self._sessions: dict[str, float] = {}  # sha256(token) -> expiry (epoch seconds)
        self._lock = threading.Lock()

    def sign_in(self, key: str) -> str | None:
        """A new session token for a correct admin key, else None."""
        if not key or not self.keys.is_admin(f"Bearer {key}"):
            return None
        token = secrets.token_urlsafe(32)
        now = time.time()
        with self._lock:
            self._sessions = {h: exp for h, exp in self._sessions.items() if exp > now}
            while len(self._sessions) >= MAX_SESSIONS:
                self._sessions.pop(min(self._sessions, key=self._sessions.get))
            self._sessions[_digest(token)] = now + SESSION_S
        return token

    def sign_out(self, token: str | None) -> None:
        if token:
            with self._lock:
                self._sessions.pop(_digest(token), None)

    def _session_ok(self, token: str | None) -> bool:
        if not token:
            return False
        wanted = _digest(token)
        now = time.time()
        with self._lock:
            return any(hmac.compare_digest(wanted, h) and exp > now for h, exp in self._sessions.items())

    def allowed(self, headers: dict[str, str]) -> bool:
        """An admin Bearer key or a live session cookie."""
        return self.keys.is_admin(headers.get("authorization")) or self._session_ok(session_token(headers))


def session_token(headers: dict[str, str]) -> str | None:
    cookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie", ""))
    except Exception:  # noqa: BLE001 - a malformed cookie header is simply no session
        return None
    morsel = cookie.get(COOKIE)
    return morsel.value if morsel else None


def session_cookie(token: str) -> str:
    return f"{COOKIE}={token}; Path=/admin; Max-Age={SESSION_S}; HttpOnly; SameSite=Strict"


def expired_cookie() -> str:
    return f"{COOKIE}=; Path=/admin; Max-Age=0; HttpOnly; SameSite=Strict"


def same_origin(headers: dict[str, str]) -> bool:
    """A form post from this server's own page, or from a script (no browser headers).

    Browsers say where a request comes from in Sec-Fetch-Site; older ones only in
    Origin (which is "null" under our no-referrer policy, so it cannot be trusted)."""
    site = headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = headers.get("origin")
    return origin is None or urlsplit(origin).netloc == headers.get("host", "")
