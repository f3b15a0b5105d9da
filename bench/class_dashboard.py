"""The dashboard's share of the class load (used by class_load.py).

While the simulated class works, each student also reports an exercise check
after every round (the same JSON `check()` posts to /course/v1/progress), one
teacher keeps the dashboard's live feed open (/admin/events), and a probe
student reports every few seconds and times how long its attempt takes to show
up in that feed. The cost is read from both sides: the server process's CPU
time (/proc), and the dashboard's own count of requests and CPU seconds
(`dashboard_cost` in /admin/state.json).
"""
from __future__ import annotations

import asyncio
import json
import os
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ADMIN_KEY = "bench-teacher-key-0001"
EXERCISES = ["00.1", "00.2", "01.1", "01.3", "02.2", "03.1", "03.2", "03.3", "04.1", "05.2"]
PROBE_NAME = "probe"
PROBE_EVERY_S = 3.0


@dataclass
class DashboardLoad:
    reports: Counter = field(default_factory=Counter)  # progress reports by HTTP status
    events: int = 0  # snapshots received by the open dashboard
    latency: list[float] = field(default_factory=list)  # report sent -> visible in the feed, seconds
    server_cpu_s: float = 0.0
    dashboard_cpu_s: float = 0.0
    dashboard_requests: int = 0
    wall: float = 0.0

    @property
    def report_errors(self) -> int:
        return sum(n for s, n in self.reports.items() if s != 200)


async def report(c: httpx.AsyncClient, url: str, rng: random.Random, attempts: Counter, load: DashboardLoad) -> None:
    """One exercise check's report, as `check()` sends it."""
    ex = rng.choice(EXERCISES)
    attempts[ex] += 1
    body = {"exercise": ex, "passed": rng.random() < 0.4, "attempt": attempts[ex], "time": time.time()}
    try:
        r = await c.post(url, json=body)
        load.reports[r.status_code] += 1
    except httpx.TransportError:
        load.reports[0] += 1


class Probe:
    """Reports 00.1 every PROBE_EVERY_S and notes when the feed first shows each attempt."""

    def __init__(self) -> None:
        self.sent: dict[int, float] = {}
        self.seen_attempts = 0

    async def run(self, root: str, key: str, deadline: float) -> None:
        async with httpx.AsyncClient(base_url=root, headers={"Authorization": f"Bearer {key}"}, timeout=30) as c:
            n = 0
            while time.monotonic() < deadline - PROBE_EVERY_S:
                n += 1
                self.sent[n] = time.monotonic()
                await c.post("/course/v1/progress", json={"exercise": "00.1", "passed": False, "attempt": n})
                await asyncio.sleep(PROBE_EVERY_S)

    def on_snapshot(self, snap: dict, load: DashboardLoad) -> None:
        me = next((s for s in snap["students"] if s["name"] == PROBE_NAME), None)
        shown = ((me or {}).get("progress", {}).get("00.1") or {}).get("attempts", 0)
        now = time.monotonic()
        for n in range(self.seen_attempts + 1, shown + 1):
            if n in self.sent:
                load.latency.append(now - self.sent[n])
        self.seen_attempts = max(self.seen_attempts, shown)


async def watch(root: str, deadline: float, probe: Probe, load: DashboardLoad) -> None:
    """The teacher's open dashboard: follow the live feed until the deadline."""
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
    async with httpx.AsyncClient(base_url=root, headers=headers, timeout=httpx.Timeout(30)) as c, c.stream("GET", "/admin/events") as r:
        async for line in r.aiter_lines():
            if line.startswith("data: "):
                load.events += 1
                probe.on_snapshot(json.loads(line[6:]), load)
            if time.monotonic() >= deadline:
                break


def dashboard_cost(root: str) -> tuple[float, int]:
    """The dashboard's own CPU seconds and request count so far."""
    r = httpx.get(root + "/admin/state.json", headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=60)
    cost = r.json()["dashboard_cost"]
    return cost["cpu_s"], sum(cost["requests"].values())


def server_cpu(pid: int) -> float:
    """User + system CPU seconds of a process, all threads (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def latency_text(latency: list[float]) -> str:
    if not latency:
        return "-"
    t = sorted(latency)
    return f"{t[len(t) // 2] * 1000:.0f} / {t[min(int(0.95 * (len(t) - 1) + 0.5), len(t) - 1)] * 1000:.0f} ms (n={len(t)})"
