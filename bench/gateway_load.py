"""The class load through the gateway against the same load sent straight to the upstreams.

Used by `bench/class_load.py --upstream [URL ...]`. Without URLs it starts two
upstreams of this project's own server (`--parallel 2`, SmolLM2 unless `--model`
says otherwise) that know every student's key and the teacher's. In one run:
the class straight to the upstreams (students spread evenly over them, each with
their own key), the same class through `serve --upstream` (each student's key at
the gateway, the teacher's key from the gateway to the upstreams), the class straight
again (the machine's load drifts; the baseline is the mean of the two straight
runs), then a quiet sequential probe of the time to first token each way. The
gateway's CPU time (all threads, /proc) over the gateway run, divided by the
requests it relayed, is its cost per request.

Targets: throughput through the gateway >= 0.95x straight, time to first token
at most +10 ms, no errors, every student served. With URLs of engines of one's own,
their key (if any) is read from the environment variable COURSE_TEST_UPSTREAM_KEY,
and the straight runs use that key for every student.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from class_dashboard import server_cpu
from class_load import Result, _run

from helpers.local.gateway.process import KEY_ENV, new_upstream_key, start_gateway, start_upstream
from helpers.local.process import ServerProcess

PAUSE_S = 1.0
GRACE_S = 30.0  # a request still running this long after a run's end is cut off (the machine may be starved)


def _progress(what: str) -> None:
    print(f"  {time.strftime('%H:%M:%S')} {what}", file=sys.stderr, flush=True)


async def _first_token_ms(client: httpx.AsyncClient, url: str, key: str) -> float:
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hi"}], "max_tokens": 4, "stream": True}
    t0 = time.perf_counter()
    first = None
    async with client.stream("POST", url + "/chat/completions", json=body, headers={"Authorization": f"Bearer {key}"}) as r:
        async for line in r.aiter_lines():
            if first is None and '"content": "' in line and '"content": ""' not in line:
                first = time.perf_counter()
    return (first - t0) * 1000 if first else float("nan")


async def _latency_pair(direct: str, gateway: str, direct_key: str, student_key: str, rounds: int = 8) -> tuple[float, float]:
    """Median time to first token, idle, straight and through the gateway, alternating so drift hits both alike."""
    straight, through = [], []
    async with httpx.AsyncClient(timeout=300) as c:
        for _ in range(rounds):
            straight.append(await _first_token_ms(c, direct, direct_key))
            through.append(await _first_token_ms(c, gateway, student_key))
    return statistics.median(straight), statistics.median(through)


def _wait_idle(servers: list[ServerProcess], cap_s: float = 600) -> None:
    """Before the next run: requests cut off at the end of the last one may still be
    queued or generating on the upstreams (a client that goes away is noticed only at
    the next write). Wait until our own upstreams have nothing in flight."""
    deadline = time.monotonic() + cap_s
    while servers and time.monotonic() < deadline:
        try:
            snaps = [httpx.get(s.base_url[:-3] + "/health", timeout=30).json() for s in servers]
        except (httpx.HTTPError, ValueError):
            snaps = [{"busy": 1}]
        if all(not h.get("busy") and not h.get("waiting") for h in snaps):
            return
        time.sleep(1)


async def _idle_probe(direct: str, gateway: str, direct_key: str, student_key: str) -> tuple[float, float]:
    try:
        return await _latency_pair(direct, gateway, direct_key, student_key)
    except httpx.HTTPError as e:  # a starved machine: the table is still printed
        _progress(f"idle probe failed: {type(e).__name__}")
        return float("nan"), float("nan")


def _cpu(servers: list[ServerProcess]) -> float:
    return sum(server_cpu(s.proc.pid) for s in servers)


def run_gateway_comparison(urls: list[str], students: int, seconds: float, max_tokens: int, model: str | None = None) -> str:
    """Start what is missing, run straight / gateway / straight, stop everything; the table."""
    from helpers.local.keys import generate, write_keyfile

    started: list[ServerProcess] = []
    with tempfile.TemporaryDirectory() as tmp:
        pairs, entries = generate([f"student-{i:02d}" for i in range(students)])
        keyfile = Path(tmp) / "keys.txt"
        write_keyfile(keyfile, entries)
        keys = [k for _, k in pairs]
        try:
            ups: list[ServerProcess] = []
            if not urls:
                extra = ["--model", model] if model else []
                _progress("starting two upstreams")
                os.environ[KEY_ENV] = new_upstream_key()
                ups = [start_upstream("--keys", str(keyfile), *extra, key=os.environ[KEY_ENV], tmp=Path(tmp)) for _ in range(2)]
                started += ups
                urls = [s.base_url for s in ups]
            gateway = start_gateway(urls, "--keys", str(keyfile), key=os.environ.get(KEY_ENV, ""), tmp=Path(tmp))
            started.append(gateway)
            # Upstreams of one's own know nothing of these students: straight, everyone uses the engine's key.
            direct_keys = keys if ups else [os.environ.get(KEY_ENV) or "no-key-needed"] * students
            _progress("straight, run 1")
            direct1 = asyncio.run(_run(students, seconds, urls, direct_keys, max_tokens, PAUSE_S, grace=GRACE_S))
            _wait_idle(ups)
            _progress("through the gateway")
            cpu0, up0 = _cpu([gateway]), _cpu(ups)
            through = asyncio.run(_run(students, seconds, gateway.base_url, keys, max_tokens, PAUSE_S, grace=GRACE_S))
            cpu, up_cpu = _cpu([gateway]) - cpu0, _cpu(ups) - up0
            _wait_idle(ups)
            _progress("straight, run 2")
            direct2 = asyncio.run(_run(students, seconds, urls, direct_keys, max_tokens, PAUSE_S, grace=GRACE_S))
            _wait_idle(ups)
            _progress("idle first-token probe")
            quiet = asyncio.run(_idle_probe(urls[0], gateway.base_url, direct_keys[0], keys[0]))
        finally:
            for s in started:
                s.stop()
    return _table(direct1, through, direct2, quiet, cpu, up_cpu if ups else None)


def _rate(res: Result) -> float:
    """Tokens received per second, finished requests or not. Why not only finished ones: a fair
    queue finishes the 40 last requests together, so more of them are still running when a run is
    cut off, and counting only finished requests would charge that to the gateway."""
    return res.streamed / res.wall if res.wall else 0.0


def _finished_rate(res: Result) -> float:
    return res.tokens / res.wall if res.wall else 0.0


def _requests(res: Result) -> int:
    return sum(res.statuses.values())


def _ms(values: list[float], q: float) -> float:
    t = sorted(values)
    return t[min(int(q * (len(t) - 1) + 0.5), len(t) - 1)] * 1000 if t else float("nan")


def _served(res: Result) -> str:
    counts = [res.completed.get(i, 0) for i in range(res.students)]
    return f"{sum(1 for c in counts if c)}/{res.students} (rounds min {min(counts)}, max {max(counts)})"


def _errors(res: Result) -> str:
    bad = {s: n for s, n in sorted(res.statuses.items()) if s != 200}
    return (", ".join(f"{s}: {n}" for s, n in bad.items()) or "0") + f"; dropped {res.dropped}; cut off at the end {res.cut_off}"


def _table(direct1: Result, through: Result, direct2: Result, quiet: tuple[float, float], cpu: float, upstream_cpu: float | None) -> str:
    baseline = (_rate(direct1) + _rate(direct2)) / 2
    ratio = _rate(through) / baseline if baseline else float("nan")
    straight_ttft = direct1.ttft + direct2.ttft
    p50, p95 = _ms(through.ttft, 0.5) - _ms(straight_ttft, 0.5), _ms(through.ttft, 0.95) - _ms(straight_ttft, 0.95)
    n = _requests(through)
    rows = [
        ("students / seconds per run", f"{through.students} / {through.seconds:.0f} s (straight, gateway, straight)"),
        ("tokens received/s straight (run 1 / run 2)", f"{_rate(direct1):.1f} / {_rate(direct2):.1f}"),
        ("tokens received/s through the gateway", f"{_rate(through):.1f}"),
        ("throughput ratio gateway / straight", f"{ratio:.3f}× (target ≥ 0.95×)"),
        (
            "tokens of finished requests/s straight (run 1 / run 2) / through",
            f"{_finished_rate(direct1):.1f} / {_finished_rate(direct2):.1f} / {_finished_rate(through):.1f}",
        ),
        ("requests straight (run 1 / run 2) / through", f"{_requests(direct1)} / {_requests(direct2)} / {n}"),
        ("errors straight (run 1 / run 2)", f"{_errors(direct1)} / {_errors(direct2)}"),
        ("errors through the gateway", _errors(through)),
        ("students served straight / through", f"{_served(direct1)} / {_served(through)}"),
        ("fairness spread straight / through (max/min rounds)", f"{direct1.spread:.2f}, {direct2.spread:.2f} / {through.spread:.2f}"),
        ("first token under load p50 straight / through", f"{_ms(straight_ttft, 0.5):.0f} / {_ms(through.ttft, 0.5):.0f} ms ({p50:+.0f} ms)"),
        ("first token under load p95 straight / through", f"{_ms(straight_ttft, 0.95):.0f} / {_ms(through.ttft, 0.95):.0f} ms ({p95:+.0f} ms)"),
        ("first token idle, median straight / through", f"{quiet[0]:.1f} / {quiet[1]:.1f} ms ({quiet[1] - quiet[0]:+.1f} ms; target ≤ +10 ms)"),
        ("gateway CPU per relayed request (chat stream or embeddings)", f"{cpu / n * 1000:.2f} ms" if n else "n/a"),
        ("gateway CPU, share of one core during its run", f"{100 * cpu / through.wall:.0f} %" if through.wall else "n/a"),
        ("upstreams' CPU per request, same run (for scale)", f"{upstream_cpu / n * 1000:.1f} ms" if upstream_cpu and n else "n/a"),
    ]
    met = (
        ratio >= 0.95
        and quiet[1] - quiet[0] <= 10
        and through.server_errors == 0
        and through.dropped == 0
        and through.client_errors == 0
        and min(through.completed.get(i, 0) for i in range(through.students)) > 0
    )
    return "\n".join(
        [
            "| measure | value |",
            "|---|---|",
            *(f"| {a} | {b} |" for a, b in rows),
            f"\ntargets (≥ 0.95×, first token ≤ +10 ms idle, no errors, every student served): {'met' if met else 'NOT met'}",
        ]
    )
