"""Who may call the server and how much: API keys and per-key request/token limits.

Keys are kept only as SHA-256 hashes and compared in constant time; a key is
never written to a log or an error message (only its last 4 characters).
Limits answer like the real API: 429 `rate_limit_exceeded`, `Retry-After`, and
the `x-ratelimit-*` headers students can learn to read.
"""
from __future__ import annotations

import hmac
import math
import threading
import time
from collections import deque

from . import errors
from .keys import KeyEntry, key_hash

ANONYMOUS = "anonymous"


class KeyRing:
    def __init__(self, entries: list[KeyEntry] | None = None, admin_keys: list[str] | None = None):
        self.names = {e.hash: e.name for e in (entries or [])}
        self._admin = {key_hash(k) for k in (admin_keys or []) if k}

    @property
    def enabled(self) -> bool:
        return bool(self.names)

    @staticmethod
    def _token(authorization: str | None) -> str:
        if authorization and authorization.lower().startswith("bearer "):
            return authorization[7:].strip()
        return ""

    def identify(self, authorization: str | None) -> str:
        """Return the caller's identity (a key hash) or raise 401."""
        if not self.enabled:
            return ANONYMOUS
        token = self._token(authorization)
        if not token:
            raise errors.missing_api_key()
        h = key_hash(token)
        for known in self.names:
            if hmac.compare_digest(h, known):
                return known
        raise errors.incorrect_api_key(token)

    def is_admin(self, authorization: str | None) -> bool:
        token = self._token(authorization)
        if not token or not self._admin:
            return False
        h = key_hash(token)
        return any(hmac.compare_digest(h, a) for a in self._admin)


def _reset(seconds: float) -> str:
    return f"{max(seconds, 0):.0f}s" if seconds >= 1 else f"{max(seconds, 0) * 1000:.0f}ms"


class Limits:
    """Requests per minute (sliding window) and tokens per minute, per key."""

    def __init__(self, rpm: int | None, tpm: int | None):
        self.rpm = rpm
        self.tpm = tpm
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def admit(self, who: str, model: str, estimated_tokens: int, tokens_used: tuple[int, float]) -> dict[str, str]:
        """Count one request; raise 429 if over a limit; return the x-ratelimit-* headers."""
        headers: dict[str, str] = {}
        now = time.monotonic()
        used_tokens, token_reset = tokens_used
        if self.tpm:
            if used_tokens + estimated_tokens > self.tpm and (used_tokens > 0 or estimated_tokens > self.tpm):
                wait = max(1, math.ceil(token_reset)) if used_tokens else 60
                limit_headers = {"Retry-After": str(wait), "x-ratelimit-limit-tokens": str(self.tpm),
                                 "x-ratelimit-remaining-tokens": str(max(self.tpm - used_tokens, 0)),
                                 "x-ratelimit-reset-tokens": _reset(token_reset)}
                if estimated_tokens > self.tpm:
                    raise errors.tpm_request_too_large(model, self.tpm, estimated_tokens, limit_headers)
                raise errors.tpm_reached(model, self.tpm, used_tokens, estimated_tokens, wait, limit_headers)
            headers.update({"x-ratelimit-limit-tokens": str(self.tpm),
                            "x-ratelimit-remaining-tokens": str(max(self.tpm - used_tokens - estimated_tokens, 0)),
                            "x-ratelimit-reset-tokens": _reset(token_reset)})
        if self.rpm:
            with self._lock:
                q = self._seen.setdefault(who, deque())
                while q and now - q[0] >= 60:
                    q.popleft()
                if len(q) >= self.rpm:
                    wait = max(1, math.ceil(60 - (now - q[0])))
                    raise errors.rpm_reached(model, self.rpm, len(q), wait, {
                        "Retry-After": str(wait), "x-ratelimit-limit-requests": str(self.rpm),
                        "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": _reset(60 - (now - q[0]))})
                q.append(now)
                headers.update({"x-ratelimit-limit-requests": str(self.rpm),
                                "x-ratelimit-remaining-requests": str(self.rpm - len(q)),
                                "x-ratelimit-reset-requests": _reset(60 - (now - q[0]))})
        return headers
