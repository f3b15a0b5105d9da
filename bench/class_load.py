"""A class of simulated students against one class server.

Starts `python -m helpers.local serve` with one key per student, then every
student loops for a fixed time: a streamed chat completion, an embeddings call,
a short pause. Reports requests done, errors by status, dropped connections,
p50/p95 time to first token, aggregate tokens/s, and the fairness spread
(max/min completed requests per student).

Targets on a 2-core machine (40 students): zero 5xx, zero dropped connections,
every student served, fairness spread <= 2.
It also samples the server's resident memory (peak, Linux /proc) under that load.
Run: .venv/bin/python bench/class_load.py [--students 40] [--seconds 120] [--model NAME ...]
(`--model` is repeatable: qwen0.5b (default), qwen1.5b, smollm2; one table per model.)
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
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpers.local.process import ServerProcess  # noqa: E402

QUESTIONS = ["What is a token?", "Explain embeddings in one sentence.", "Name three colors.", "What is the capital of France?",
             "Write a haiku about rain.", "How do I keep an API key safe?"]


@dataclass
class Result:
    students: int
    seconds: float
    completed: Counter = field(default_factory=Counter)  # per student: full rounds (chat + embeddings)
    statuses: Counter = field(default_factory=Counter)
    dropped: int = 0
    ttft: list[float] = field(default_factory=list)
    tokens: int = 0
    wall: float = 0.0
    peak_rss_mb: float = 0.0

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

    def table(self) -> str:
        t = sorted(self.ttft)
        p = lambda q: t[min(int(q * (len(t) - 1) + 0.5), len(t) - 1)] * 1000 if t else float("nan")  # noqa: E731
        counts = [self.completed.get(i, 0) for i in range(self.students)]
        rows = [
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
        ]
        w = max(len(r[0]) for r in rows)
        return "\n".join(f"| {a.ljust(w)} | {b} |" for a, b in rows)


async def student(i: int, key: str, base: str, deadline: float, res: Result, max_tokens: int, pause: float) -> None:
    rng = random.Random(i)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=httpx.Timeout(300, connect=30)) as c:
        while time.monotonic() < deadline:
            try:
                body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": rng.choice(QUESTIONS)}],
                        "max_tokens": max_tokens, "stream": True, "stream_options": {"include_usage": True}}
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
                        if first is None and any((ch.get("delta") or {}).get("content") for ch in chunk.get("choices", [])):
                            first = time.perf_counter()
                        if chunk.get("usage"):
                            res.tokens += chunk["usage"]["completion_tokens"]
                if first is not None:
                    res.ttft.append(first - t0)
                e = await c.post("/embeddings", json={"model": "text-embedding-3-small", "input": rng.choice(QUESTIONS)})
                res.statuses[e.status_code] += 1
                if e.status_code == 200:
                    res.completed[i] += 1
            except (httpx.TransportError, httpx.StreamError):
                res.dropped += 1
                await asyncio.sleep(1)
            await asyncio.sleep(pause * rng.uniform(0.5, 1.5))


async def _run(students: int, seconds: float, base: str, keys: list[str], max_tokens: int, pause: float) -> Result:
    res = Result(students, seconds)
    t0 = time.monotonic()
    deadline = t0 + seconds
    await asyncio.gather(*(student(i, keys[i], base, deadline, res, max_tokens, pause) for i in range(students)))
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


async def _sample_rss(pid: int, res: Result, deadline: float) -> None:
    while time.monotonic() < deadline:
        res.peak_rss_mb = max(res.peak_rss_mb, _rss_mb(pid))
        await asyncio.sleep(0.5)


async def _run_sampled(pid: int, students: int, seconds: float, base: str, keys: list[str], max_tokens: int,
                       pause: float) -> Result:
    res_task = asyncio.create_task(_run(students, seconds, base, keys, max_tokens, pause))
    probe = Result(students, seconds)
    sampler = asyncio.create_task(_sample_rss(pid, probe, time.monotonic() + seconds + 600))
    res = await res_task
    sampler.cancel()
    res.peak_rss_mb = probe.peak_rss_mb
    return res


def run_class(students: int = 40, seconds: float = 120, parallel: int = 4, max_tokens: int = 48, pause: float = 1.0,
              model: str = "qwen0.5b") -> Result:
    """Start a keyed class server, run the simulated class, stop the server."""
    from helpers.local.keys import generate, write_keyfile

    with tempfile.TemporaryDirectory() as tmp:
        pairs, entries = generate([f"student-{i:02d}" for i in range(students)])
        keyfile = Path(tmp) / "keys.txt"
        write_keyfile(keyfile, entries)
        srv = ServerProcess("--keys", str(keyfile), "--parallel", str(parallel), "--db", str(Path(tmp) / "db.sqlite3"),
                            "--model", model)
        try:
            srv.wait_healthy()
            return asyncio.run(_run_sampled(srv.proc.pid, students, seconds, srv.base_url, [k for _, k in pairs],
                                            max_tokens, pause))
        finally:
            srv.stop()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--students", type=int, default=40)
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--parallel", type=int, default=4)
    ap.add_argument("--max-tokens", type=int, default=48)
    ap.add_argument("--model", action="append", default=None, help="model to load (repeatable; default qwen0.5b)")
    args = ap.parse_args()
    for model in args.model or ["qwen0.5b"]:
        res = run_class(args.students, args.seconds, args.parallel, args.max_tokens, model=model)
        print(f"\n### model: {model}, {args.parallel} slots\n\n| measure | value |\n|---|---|")
        print(res.table())
        ok = (res.server_errors == 0 and res.dropped == 0 and min(res.completed.get(i, 0) for i in range(res.students)) > 0
              and res.spread <= 2)
        print(f"\ntargets (0 5xx, 0 dropped, all served, spread ≤ 2): {'met' if ok else 'NOT met'}", flush=True)


if __name__ == "__main__":
    main()
