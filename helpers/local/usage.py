"""Per-key usage for the teacher: requests, tokens, errors; and a tokens-per-minute window.

Counters only — never prompt or answer text. `GET /v1/admin/usage` shows them
(admin key required) and the console gets a one-line summary each minute.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

RATE_BUCKET_S = 10
RATE_KEEP_S = 600


@dataclass
class KeyUsage:
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    errors: Counter = field(default_factory=Counter)
    last_seen: float = 0.0


class UsageBook:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.by_key: dict[str, KeyUsage] = {}
        self._minute = Counter()
        self._minute_keys: set[str] = set()
        self._tokens: dict[str, deque[tuple[float, int]]] = {}
        self._tokens_sum: Counter = Counter()  # the sum of each key's window, kept as it moves (O(1) per request)
        self._rate: deque[list[int]] = deque()  # [start of a RATE_BUCKET_S bucket, completion tokens], last RATE_KEEP_S only

    def request(self, who: str, status: int) -> None:
        with self._lock:
            u = self.by_key.setdefault(who, KeyUsage())
            u.requests += 1
            u.last_seen = time.time()
            if status >= 400:
                u.errors[str(status)] += 1
                self._minute[f"err{status}"] += 1
            self._minute["requests"] += 1
            self._minute_keys.add(who)

    def tokens(self, who: str, prompt: int, completion: int) -> None:
        with self._lock:
            u = self.by_key.setdefault(who, KeyUsage())
            u.prompt_tokens += prompt
            u.completion_tokens += completion
            self._minute["tokens"] += prompt + completion
            self._tokens.setdefault(who, deque()).append((time.monotonic(), prompt + completion))
            self._tokens_sum[who] += prompt + completion
            self._count_rate(completion)

    def _count_rate(self, completion: int) -> None:
        bucket = int(time.time()) // RATE_BUCKET_S * RATE_BUCKET_S
        if self._rate and self._rate[-1][0] == bucket:
            self._rate[-1][1] += completion
        else:
            self._rate.append([bucket, completion])
        while self._rate and self._rate[0][0] < bucket - RATE_KEEP_S:
            self._rate.popleft()

    def completion_rate(self, seconds: int = RATE_KEEP_S) -> list[tuple[int, float]]:
        """Generated tokens per second in RATE_BUCKET_S buckets over the last `seconds`, idle
        buckets included as 0, so the teacher's dashboard can draw the class's pace."""
        now = int(time.time()) // RATE_BUCKET_S * RATE_BUCKET_S
        with self._lock:
            counts = {b: n for b, n in self._rate}
        return [(b, counts.get(b, 0) / RATE_BUCKET_S) for b in range(now - seconds + RATE_BUCKET_S, now + 1, RATE_BUCKET_S)]

    def tokens_last_minute(self, who: str) -> tuple[int, float]:
        """Tokens used in the last 60 s, and seconds until the oldest of them leaves the window."""
        now = time.monotonic()
        with self._lock:
            q = self._tokens.get(who)
            if not q:
                return 0, 0.0
            while q and now - q[0][0] >= 60:
                self._tokens_sum[who] -= q.popleft()[1]
            return self._tokens_sum[who], (60 - (now - q[0][0])) if q else 0.0

    def report(self, names: dict[str, str]) -> dict[str, Any]:
        with self._lock:
            return {
                "object": "list",
                "data": [
                    {
                        "key": names.get(who, who[:8]),
                        "requests": u.requests,
                        "prompt_tokens": u.prompt_tokens,
                        "completion_tokens": u.completion_tokens,
                        "errors": dict(u.errors),
                        "last_seen": int(u.last_seen),
                    }
                    for who, u in sorted(self.by_key.items(), key=lambda kv: names.get(kv[0], kv[0]))
                ],
            }

    def per_key(self) -> dict[str, dict[str, Any]]:
        """Counters by key hash (the dashboard maps hashes to names itself)."""
        with self._lock:
            return {
                who: {
                    "requests": u.requests,
                    "prompt_tokens": u.prompt_tokens,
                    "completion_tokens": u.completion_tokens,
                    "errors": dict(u.errors),
                    "last_seen": u.last_seen,
                }
                for who, u in self.by_key.items()
            }

    def minute_line(self, queue: dict[str, int]) -> str | None:
        """The console's one-line summary of the last minute (None when idle)."""
        with self._lock:
            m, keys = self._minute, len(self._minute_keys)
            self._minute, self._minute_keys = Counter(), set()
        if not m["requests"]:
            return None
        errs = ", ".join(f"{k[3:]}×{v}" for k, v in sorted(m.items()) if k.startswith("err")) or "none"
        return (
            f"[usage] last minute: {m['requests']} requests from {keys} keys, {m['tokens']} tokens, errors: {errs}; "
            f"slots busy {queue['busy']}/{queue['slots']}, waiting {queue['waiting']}"
        )
