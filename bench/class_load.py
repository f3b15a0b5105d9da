"""A class of simulated students against one class server.

Starts `python -m helpers.local serve` with one key per student, then every
student loops for a fixed time: a streamed chat completion, an embeddings call,
an exercise check reported to the teacher's dashboard, a short pause, while the
teacher keeps the dashboard open (see class_dashboard.py). Reports requests
done, errors by status, dropped connections, p50/p95 time to first token,
aggregate tokens/s, the fairness spread (max/min completed requests per
student), the server's peak resident memory (Linux /proc), and the dashboard's cost.

The dashboard's cost is measured against a baseline in the same run, on the
same server: the first half runs the class alone, the second half the class
with progress reports and the open dashboard.

Targets on a 2-core machine (40 students): zero 5xx, zero dropped connections,
every student served, fairness spread <= 2, no report lost, the same error count
with and without the dashboard.
Run: .venv/bin/python bench/class_load.py [--students 40] [--seconds 120] [--model NAME ...]
(`--model` is repeatable: qwen0.5b (default), qwen1.5b, smollm2; one table per model.)

With `--upstream [URL ...]` it measures gateway mode instead (gateway_load.py): the
same class straight to two upstreams and through `serve --upstream` in front of them,
in one run (`--seconds` per run); the throughput ratio (target >= 0.95x), time to
first token each way, errors, fairness, and the gateway's CPU time per request.
Without URLs it starts two upstreams of this project's own server (SmolLM2 unless
`--model` names another). Run: .venv/bin/python bench/class_load.py --upstream --students 40 --seconds 60
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from class_dashboard import (  # noqa: E402
    ADMIN_KEY,
    PROBE_NAME,
    DashboardLoad,
    Probe,
    dashboard_cost,
    latency_text,
    report,
    server_cpu,
    watch,
)

from helpers.local.process import ServerProcess  # noqa: E402

QUESTIONS = [
    "What is a token?",
    "Explain embeddings in one sentence.",
    "Name three colors.",
    "What is the capital of France?",
    "Write a haiku about rain.",
    "How do I keep an API key safe?",
]


@dataclass
class Result:
    students: int
    seconds: float
    completed: Counter = field(default_factory=Counter)  # per student: full rounds (chat + embeddings)
    statuses: Counter = field(default_factory=Counter)
    dropped: int = 0
    ttft: list[float] = field(default_factory=list)
    tokens: int = 0  # completion tokens of finished requests (their `usage`)
    streamed: int = 0  # content chunks received (one token each from llama.cpp), finished or not
    wall: float = 0.0
    peak_rss_mb: float = 0.0
    server_cpu_s: float = 0.0
    dash: DashboardLoad | None = None
    cut_off: int = 0  # students whose last request was still running at the end (with a grace period)

    @property
    def server_errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if s >= 500)

    @property
    def client_errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if 400 <= s < 500)

    @property
    def spread(self) -> float:
        counts = [self.completed.get(i, 0) for i in range(self.students)]
        return max(counts) / min(counts) if min(counts) else float("inf")

    def rows(self) -> list[tuple[str, str]]:
        t = sorted(self.ttft)
        p = lambda q: t[min(int(q * (len(t) - 1) + 0.5), len(t) - 1)] * 1000 if t else float("nan")  # noqa: E731
        counts = [self.completed.get(i, 0) for i in range(self.students)]
        d = self.dash
        return [
            ("students / duration", f"{self.students} / {self.seconds:.0f} s"),
            ("requests by status", ", ".join(f"{s}: {n}" for s, n in sorted(self.statuses.items()))),
            ("5xx responses", str(self.server_errors)),
            ("dropped connections", str(self.dropped)),
            ("students served (≥1 round)", f"{sum(1 for c in counts if c)}/{self.students}"),
            ("rounds per student min / max", f"{min(counts)} / {max(counts)}"),
            ("fairness spread (max/min)", f"{self.spread:.2f}"),
            ("time to first token p50 / p95", f"{p(0.5):.0f} / {p(0.95):.0f} ms"),
            ("aggregate completion tokens/s", f"{self.tokens / self.wall:.1f}" if self.wall else "-"),
            ("server resident memory, peak", f"{self.peak_rss_mb:.0f} MB"),
            ("server CPU (all threads, % of one core)", f"{100 * self.server_cpu_s / self.wall:.0f} %" if self.wall else "-"),
            ("progress reports by status", ", ".join(f"{s}: {n}" for s, n in sorted(d.reports.items())) if d else "-"),
            ("dashboard feed: snapshots received", str(d.events) if d else "-"),
            ("report → visible in feed p50 / p95", latency_text(d.latency) if d else "-"),
            ("dashboard requests/s", f"{d.dashboard_requests / d.wall:.1f}" if d else "-"),
            ("dashboard's own CPU (% of one core)", f"{100 * d.dashboard_cpu_s / d.wall:.2f} %" if d else "-"),
            ("dashboard's own CPU per request", f"{1000 * d.dashboard_cpu_s / max(d.dashboard_requests, 1):.2f} ms" if d else "-"),
        ]

    def table(self) -> str:
        rows = self.rows()
        w = max(len(r[0]) for r in rows)
        return "\n".join(f"| {a.ljust(w)} | {b} |" for a, b in rows)


async def student(i: int, key: str, base: str, deadline: float, res: Result, max_tokens: int, pause: float) -> None:
    rng = random.Random(i)
    headers = {"Authorization": f"Bearer {key}"}
    attempts: Counter = Counter()
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=httpx.Timeout(300, connect=30)) as c:
        while time.monotonic() < deadline:
            try:
                body = {
                    "model": "gpt-4o-mini",
                    "messages": [{"role": "user", "content": rng.choice(QUESTIONS)}],
                    "max_tokens": max_tokens,
                    "stream": True,
                    "stream_options": {"include_usage": True},
                }
                t0 = time.perf_counter()
                first = None
                async with c.stream("POST", "/chat/completions", json=body) as r:
                    res.statuses[r.status_code] += 1
                    if r.status_code != 200:
                        await r.aread()
                        await asyncio.sleep(1)
                        continue
                    async for line in r.aiter_lines():
                        if not line.startswith("data: ") or line == "data: [DONE]":
                            continue
                        chunk = json.loads(line[6:])
                        if "error" in chunk:
                            res.statuses[599] += 1  # an error event inside a stream counts as a server error
                            break
                        if any((ch.get("delta") or {}).get("content") for ch in chunk.get("choices", [])):
                            res.streamed += 1
                            first = first or time.perf_counter()
                        if chunk.get("usage"):
                            res.tokens += chunk["usage"]["completion_tokens"]
                if first is not None:
                    res.ttft.append(first - t0)
                e = await c.post("/embeddings", json={"model": "text-embedding-3-small", "input": rng.choice(QUESTIONS)})
                res.statuses[e.status_code] += 1
                if e.status_code == 200:
                    res.completed[i] += 1
                if res.dash is not None:
                    await report(c, base[:-3] + "/course/v1/progress", rng, attempts, res.dash)
            except (httpx.TransportError, httpx.StreamError):
                res.dropped += 1
                await asyncio.sleep(1)
            await asyncio.sleep(pause * rng.uniform(0.5, 1.5))


async def _run(
    students: int,
    seconds: float,
    base: str | list[str],
    keys: list[str],
    max_tokens: int,
    pause: float,
    probe_key: str | None = None,
    grace: float | None = None,
) -> Result:
    """One phase; with a probe key, also the dashboard's side (reports, open feed, probe).
    With several base URLs (servers side by side), students are spread evenly over them.
    With `grace`, requests still running that long after the deadline are cut off (counted
    in `cut_off`), so a phase on a starved machine ends in bounded time."""
    bases = [base] if isinstance(base, str) else base
    res = Result(students, seconds, dash=DashboardLoad() if probe_key else None)
    t0 = time.monotonic()
    deadline = t0 + seconds
    jobs = [student(i, keys[i], bases[i % len(bases)], deadline, res, max_tokens, pause) for i in range(students)]
    if probe_key:
        probe = Probe()
        jobs += [watch(bases[0][:-3], deadline, probe, res.dash), probe.run(bases[0][:-3], probe_key, deadline)]
    tasks = [asyncio.ensure_future(job) for job in jobs]
    _, late = await asyncio.wait(tasks, timeout=None if grace is None else seconds + grace)
    for task in late:
        task.cancel()
    await asyncio.gather(*late, return_exceptions=True)
    for task in tasks:
        if task not in late:
            task.result()  # a crash in the bench itself is not hidden
    res.cut_off = len(late)
    res.wall = time.monotonic() - t0
    return res


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


async def _sampled(pid: int, run) -> Result:
    """Run one phase while sampling the server's resident memory every 0.5 s."""
    peak = [0.0]

    async def sample() -> None:
        while True:
            peak[0] = max(peak[0], _rss_mb(pid))
            await asyncio.sleep(0.5)

    sampler = asyncio.create_task(sample())
    try:
        res = await run
    finally:
        sampler.cancel()
    res.peak_rss_mb = peak[0]
    return res


@contextmanager
def class_server(students: int, parallel: int, model: str):
    """A keyed class server with a teacher key; yields (server, student keys, probe key)."""
    from helpers.local.keys import generate, write_keyfile

    with tempfile.TemporaryDirectory() as tmp:
        pairs, entries = generate([f"student-{i:02d}" for i in range(students)] + [PROBE_NAME])
        keyfile = Path(tmp) / "keys.txt"
        write_keyfile(keyfile, entries)
        srv = ServerProcess(
            "--keys", str(keyfile), "--admin-key", ADMIN_KEY, "--parallel", str(parallel), "--db", str(Path(tmp) / "db.sqlite3"), "--model", model
        )
        try:
            srv.wait_healthy()
            yield srv, [k for _, k in pairs[:-1]], pairs[-1][1]
        finally:
            srv.stop()


def _phase(srv, keys, probe_key, students, seconds, max_tokens, pause, dashboard: bool) -> Result:
    cpu0 = server_cpu(srv.proc.pid)
    cost0 = dashboard_cost(srv.base_url[:-3])
    res = asyncio.run(_sampled(srv.proc.pid, _run(students, seconds, srv.base_url, keys, max_tokens, pause, probe_key if dashboard else None)))
    res.server_cpu_s = server_cpu(srv.proc.pid) - cpu0
    if res.dash is not None:
        cost1 = dashboard_cost(srv.base_url[:-3])
        res.dash.dashboard_cpu_s, res.dash.dashboard_requests = cost1[0] - cost0[0], cost1[1] - cost0[1] - 1
        res.dash.wall = res.wall
    return res


def run_class(
    students: int = 40, seconds: float = 120, parallel: int = 4, max_tokens: int = 48, pause: float = 1.0, dashboard: bool = True, model: str = "qwen0.5b"
) -> Result:
    """Start a keyed class server, run the simulated class (with the dashboard open), stop the server."""
    with class_server(students, parallel, model) as (srv, keys, probe_key):
        return _phase(srv, keys, probe_key, students, seconds, max_tokens, pause, dashboard)


def compare_dashboard(students: int, seconds: float, parallel: int, max_tokens: int, pause: float = 1.0, model: str = "qwen0.5b") -> tuple[Result, Result]:
    """Half the time the class alone, half with reports and the open dashboard, on one server."""
    with class_server(students, parallel, model) as (srv, keys, probe_key):
        alone = _phase(srv, keys, probe_key, students, seconds / 2, max_tokens, pause, False)
        with_dash = _phase(srv, keys, probe_key, students, seconds / 2, max_tokens, pause, True)
        return alone, with_dash


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--students", type=int, default=40)
    ap.add_argument("--seconds", type=float, default=120, help="total: half the class alone, half with the dashboard")
    ap.add_argument("--parallel", type=int, default=4)
    ap.add_argument("--max-tokens", type=int, default=48)
    ap.add_argument("--model", action="append", default=None, help="model to load (repeatable; default qwen0.5b)")
    ap.add_argument(
        "--upstream",
        nargs="*",
        default=None,
        metavar="URL",
        help="measure gateway mode against these upstreams (none given: start two local ones); --seconds per run",
    )
    args = ap.parse_args()
    if args.upstream is not None:
        from gateway_load import run_gateway_comparison

        model = (args.model or [None])[0]
        print(f"\n### gateway mode: {args.students} students, {len(args.upstream) or 2} upstreams ({model or 'smollm2'})\n", flush=True)
        print(run_gateway_comparison(args.upstream, args.students, args.seconds, args.max_tokens, model), flush=True)
        return
    for model in args.model or ["qwen0.5b"]:
        alone, with_dash = compare_dashboard(args.students, args.seconds, args.parallel, args.max_tokens, model=model)
        print(f"\n### model: {model}, {args.parallel} slots\n")
        print("| measure | class alone (baseline) | class + progress reports + open dashboard |\n|---|---|---|")
        for (name, a), (_, b) in zip(alone.rows(), with_dash.rows()):
            print(f"| {name} | {a} | {b} |")
        ok = all(
            r.server_errors == 0 and r.dropped == 0 and min(r.completed.get(i, 0) for i in range(r.students)) > 0 and r.spread <= 2 for r in (alone, with_dash)
        )
        ok = ok and with_dash.dash.report_errors == 0 and with_dash.client_errors == alone.client_errors
        print(f"\ntargets (0 5xx, 0 dropped, all served, spread ≤ 2, no report lost, same error count): {'met' if ok else 'NOT met'}", flush=True)


if __name__ == "__main__":
    main()
