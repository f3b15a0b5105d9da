"""Which upstream gets the next request.

Least outstanding requests, not round robin: generation times vary tenfold between
a "hi" and an essay, and an engine that is still busy with long answers should get
fewer new ones. An upstream that fails (connection refused, 5xx, timeout) is taken
out for a back-off period that doubles with each failure in a row (1 s up to 30 s);
after it, the next request tries it again and one success puts it back. A 429 from
an upstream takes it out until its Retry-After, so the gateway's own fair queue
holds the students' requests instead of passing the engine's 429 on.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from .config import UpstreamSpec

log = logging.getLogger("helpers.local.gateway")

FIRST_BACKOFF_S = 1.0
MAX_BACKOFF_S = 30.0


@dataclass
class Upstream:
    spec: UpstreamSpec
    outstanding: int = 0
    failures: int = 0  # in a row
    unavailable_until: float = 0.0  # monotonic time; after a failure or a 429
    requests: int = 0

    @property
    def label(self) -> str:
        return self.spec.label

    def available(self, now: float) -> bool:
        return now >= self.unavailable_until


class UpstreamPool:
    """The upstreams that serve one kind of request (chat or embeddings)."""

    def __init__(self, upstreams: list[Upstream]):
        self.upstreams = upstreams

    def choose(self, exclude: set[str] = frozenset()) -> Upstream | None:
        """The available upstream with the fewest requests in flight (ties: fewest served),
        or, when all are backing off, the one whose back-off ends first (it may be back:
        better to try than to refuse). None only when every upstream was excluded."""
        now = time.monotonic()
        candidates = [u for u in self.upstreams if u.label not in exclude]
        if not candidates:
            return None
        ready = [u for u in candidates if u.available(now)]
        if ready:
            return min(ready, key=lambda u: (u.outstanding, u.requests))
        return min(candidates, key=lambda u: u.unavailable_until)

    def seconds_until_available(self) -> float:
        now = time.monotonic()
        return max(0.0, min(u.unavailable_until for u in self.upstreams) - now)

    @staticmethod
    def started(u: Upstream) -> None:
        u.outstanding += 1
        u.requests += 1

    @staticmethod
    def finished(u: Upstream) -> None:
        u.outstanding -= 1

    @staticmethod
    def succeeded(u: Upstream) -> None:
        if u.failures:
            log.info("%s is back", u.label)
        u.failures = 0
        u.unavailable_until = 0.0

    @staticmethod
    def failed(u: Upstream, reason: str) -> None:
        u.failures += 1
        backoff = min(FIRST_BACKOFF_S * 2 ** (u.failures - 1), MAX_BACKOFF_S)
        u.unavailable_until = time.monotonic() + backoff
        log.warning("%s failed (%s); taken out for %.0f s", u.label, reason, backoff)

    @staticmethod
    def throttled(u: Upstream, retry_after: float) -> None:
        u.unavailable_until = max(u.unavailable_until, time.monotonic() + retry_after)
        log.info("%s asked to slow down (429); paused for %.1f s", u.label, retry_after)

    def snapshot(self) -> list[dict]:
        now = time.monotonic()
        return [{"upstream": u.label, "outstanding": u.outstanding, "requests": u.requests, "failures_in_a_row": u.failures,
                 "available": u.available(now)} for u in self.upstreams]


def pools_by_kind(specs: list[UpstreamSpec]) -> dict[str, UpstreamPool]:
    """One pool per kind; an upstream serving both kinds is one object, so its
    outstanding count covers all its requests."""
    upstreams = [Upstream(s) for s in specs]
    kinds = {k for s in specs for k in s.kinds}
    return {k: UpstreamPool([u for u in upstreams if k in u.spec.kinds]) for k in kinds}
