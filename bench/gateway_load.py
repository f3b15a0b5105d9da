"""The class load through the gateway against the same load sent straight to the upstreams.

Used by `bench/class_load.py --upstream [URL ...]`. Without URLs it starts two
upstreams of this project's own server (SmolLM2 if cached, `--parallel 2`). Runs:
direct, gateway, direct again (the machine's load drifts; the baseline is the mean
of the two direct runs), then a quiet sequential probe of the gateway's added
latency, and reads the gateway's CPU time per request from /proc.
Target: gateway throughput >= 0.95x direct.
"""
from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from class_load import Result, _run

from helpers.local.gateway.process import (
    KEY_ENV,
    UPSTREAM_KEY,
    start_gateway,
    start_upstream,
)
from helpers.local.process import ServerProcess


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux /proc; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


async def _first_token_ms(client: httpx.AsyncClient, url: str, key: str) -> float:
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hi"}], "max_tokens": 4, "stream": True}
    t0 = time.perf_counter()
    first = None
    async with client.stream("POST", url + "/chat/completions", json=body, headers={"Authorization": f"Bearer {key}"}) as r:
        async for line in r.aiter_lines():
            if first is None and '"content": "' in line and '"content": ""' not in line:
                first = time.perf_counter()
    return (first - t0) * 1000 if first else float("nan")


def run_gateway_comparison(urls: list[str], students: int, seconds: float, max_tokens: int) -> str:
    from helpers.local.keys import generate, write_keyfile

    started: list[ServerProcess] = []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            if not urls:
                started = [start_upstream(tmp=Path(tmp)) for _ in range(2)]
                os.environ[KEY_ENV] = UPSTREAM_KEY
                urls = [s.base_url for s in started]
            upstream_key = os.environ.get(KEY_ENV) or ""
            pairs, entries = generate([f"student-{i:02d}" for i in range(students)])
            write_keyfile(Path(tmp) / "keys.txt", entries)
            gateway = start_gateway(urls, "--keys", str(Path(tmp) / "keys.txt"), key=upstream_key, tmp=Path(tmp))
            started.append(gateway)
            student_keys = [k for _, k in pairs]
            direct_key = upstream_key or "no-key-needed"  # a keyless upstream ignores it
            direct1 = asyncio.run(_run(students, seconds, urls, [direct_key] * students, max_tokens, 1.0))
            cpu0 = _cpu_seconds(gateway.proc.pid)
            through = asyncio.run(_run(students, seconds, [gateway.base_url], student_keys, max_tokens, 1.0))
            cpu1 = _cpu_seconds(gateway.proc.pid)
            direct2 = asyncio.run(_run(students, seconds, urls, [direct_key] * students, max_tokens, 1.0))
            quiet = asyncio.run(_latency_pair(urls[0], gateway.base_url, direct_key, student_keys[0]))
        finally:
            for s in started:
                s.stop()
    return _table(direct1, through, direct2, quiet, (cpu1 - cpu0) if cpu0 is not None and cpu1 is not None else None)


async def _latency_pair(direct: str, gateway: str, upstream_key: str, student_key: str, rounds: int = 12) -> tuple[float, float]:
    """Median time to first token, idle, straight and through the gateway, alternating so drift hits both alike."""
    straight, through = [], []
    async with httpx.AsyncClient(timeout=120) as c:
        for _ in range(rounds):
            straight.append(await _first_token_ms(c, direct, upstream_key))
            through.append(await _first_token_ms(c, gateway, student_key))
    return statistics.median(straight), statistics.median(through)


def _rate(res: Result) -> float:
    return res.tokens / res.wall if res.wall else 0.0


def _requests(res: Result) -> int:
    return sum(res.statuses.values())


def _table(direct1: Result, through: Result, direct2: Result, quiet: tuple[float, float], cpu: float | None) -> str:
    baseline = (_rate(direct1) + _rate(direct2)) / 2
    ratio = _rate(through) / baseline if baseline else float("nan")
    rows = [
        ("completion tokens/s straight (run 1 / run 2)", f"{_rate(direct1):.1f} / {_rate(direct2):.1f}"),
        ("completion tokens/s through the gateway", f"{_rate(through):.1f}"),
        ("throughput ratio gateway / straight", f"{ratio:.3f}x (target >= 0.95x)"),
        ("requests straight / through (5xx, dropped)",
         f"{_requests(direct1)} / {_requests(through)} ({through.server_errors}, {through.dropped})"),
        ("fairness spread through the gateway", f"{through.spread:.2f}"),
        ("first token, idle, straight / through (median)", f"{quiet[0]:.1f} / {quiet[1]:.1f} ms"),
        ("gateway's added latency to the first token", f"{quiet[1] - quiet[0]:+.1f} ms"),
        ("gateway CPU per request (under load)", f"{cpu / _requests(through) * 1000:.2f} ms" if cpu is not None and _requests(through) else "n/a"),
    ]
    w = max(len(a) for a, _ in rows)
    met = ratio >= 0.95 and through.server_errors == 0 and through.dropped == 0
    return "\n".join(["| measure | value |", "|---|---|", *(f"| {a.ljust(w)} | {b} |" for a, b in rows),
                      f"\ntarget (>= 0.95x, 0 5xx, 0 dropped): {'met' if met else 'NOT met'}"])
