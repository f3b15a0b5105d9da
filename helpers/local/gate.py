"""Who may call the server and how often: API keys and per-key request limits.

Keys are kept only as SHA-256 hashes and compared in constant time; a key is
never written to a log or an error message (only its last 4 characters).
Limits answer like the real API: 429 `rate_limit_exceeded`, `Retry-After`, and
the `x-ratelimit-*` headers.
"""
from __future__ import annotations

import hashlib
import hmac
import math
import threading
import time
from collections import deque

from .errors import APIError, incorrect_api_key, missing_api_key


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class KeyRing:
    def __init__(self, keys: list[str] | None = None):
        self._hashes = {key_hash(k) for k in (keys or []) if k}

    @property
    def enabled(self) -> bool:
        return bool(self._hashes)

    def identify(self, authorization: str | None) -> str:
        """Return the caller's identity (a key hash) or raise 401."""
        token = ""
        if authorization and authorization.lower().startswith("bearer "):
            token = authorization[7:].strip()
        if not self.enabled:
            return "anonymous"
        if not token:
            raise missing_api_key()
        h = key_hash(token)
        if not any(hmac.compare_digest(h, known) for known in self._hashes):
            raise incorrect_api_key(token)
        return h


class RequestLimiter:
    """Sliding one-minute window of requests per caller."""

    def __init__(self, rpm: int | None):
        self.rpm = rpm
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, who: str, model: str = "the offline server") -> dict[str, str]:
        if not self.rpm:
            return {}
        now = time.monotonic()
        with self._lock:
            q = self._seen.setdefault(who, deque())
            while q and now - q[0] >= 60:
                q.popleft()
            if len(q) >= self.rpm:
                wait = max(1, math.ceil(60 - (now - q[0])))
                raise APIError(
                    429,
                    f"Rate limit reached for {model} on requests per min (RPM): Limit {self.rpm}, Used {len(q)}, Requested 1. "
                    f"Please try again in {wait}s.",
                    f"已达到每分钟请求数（RPM）上限：限额 {self.rpm}，已用 {len(q)}。请在 {wait} 秒后重试。",
                    type="requests", code="rate_limit_exceeded",
                    headers={"Retry-After": str(wait), "x-ratelimit-limit-requests": str(self.rpm),
                             "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": f"{wait}s"})
            q.append(now)
            reset = 60 - (now - q[0])
            return {"x-ratelimit-limit-requests": str(self.rpm),
                    "x-ratelimit-remaining-requests": str(self.rpm - len(q)),
                    "x-ratelimit-reset-requests": f"{reset:.0f}s"}
