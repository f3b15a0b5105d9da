"""Offline server benchmark: what the Python HTTP layer costs over llama.cpp.

Prints one table from one run, each figure next to a baseline measured in the
same run on the same machine (these machines are noisy, so only ratios and
differences within one run mean anything):

  * cold start: `python -m helpers.local serve` to a healthy /health (model cached)
  * one streamed chat: time to first token and tokens/s, through the server
    versus calling xllamacpp directly in this process (same model, prompt, settings)
  * embeddings per second for 1 and 64 inputs, through the server versus the server's own
    encoder (`Encoder`, one BLAS thread as the server runs it) called in this process, and
    the median time one short input takes over HTTP versus that encoder called directly.
    This process also keeps NumPy's BLAS on one thread, as the server does: idle BLAS
    threads busy-wait after each call, and on 2 cores they would steal the CPU the server
    needs for the HTTP half of the comparison
  * the server's resident memory after the run and at its peak
  * 1/4/16/32 concurrent streaming clients: aggregate tokens/s and p50/p95 time to
    first token, through the server versus llama.cpp's own HTTP server (started by
    xllamacpp with the same slots)

Targets (issue 10): streamed tokens/s >= 97 % of direct xllamacpp, <= +5 ms time to
first token, <= +1 ms median for one short embedding input, cold start <= 3 s.
Speed is measured here, never asserted in tests. Run: .venv/bin/python bench/server_bench.py [--quick] [--model NAME ...]
(`--model` is repeatable: qwen0.5b (default), qwen1.5b, smollm2 or a GGUF path; one table per model.)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpers.local.engines.blas import one_blas_thread  # noqa: E402
from helpers.local.process import ServerProcess  # noqa: E402

one_blas_thread()  # as the server does, before NumPy loads (see the docstring)

PARALLEL = 4
MAX_TOKENS = 64
PROMPT = [{"role": "user", "content": "Write a short story about a lighthouse keeper and a storm."}]
SETTINGS = {"temperature": 0, "top_p": 1.0, "max_tokens": MAX_TOKENS}


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


# ---- cold start --------------------------------------------------------------
def cold_start(runs: int, model: str) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        srv = ServerProcess("--parallel", str(PARALLEL), "--model", model)
        srv.wait_healthy()
        times.append(time.perf_counter() - t0)
        srv.stop()
    return statistics.median(times)


# ---- single stream -------------------------------------------------------------
def direct_stream(server) -> tuple[float, float, int]:
    """TTFT and tokens/s calling xllamacpp in this process."""
    first = []
    n = [0]
    t0 = time.perf_counter()

    def on_chunk(chunk):
        for c in chunk.get("choices", []):
            if (c.get("delta") or {}).get("content"):
                if not first:
                    first.append(time.perf_counter())
                n[0] += 1
        return False

    server.handle_chat_completions({"messages": PROMPT, **SETTINGS, "stream": True}, on_chunk)
    t1 = time.perf_counter()
    return first[0] - t0, n[0] / (t1 - first[0]) if n[0] > 1 else 0.0, n[0]


async def http_stream(client: httpx.AsyncClient, url: str, headers: dict | None = None) -> tuple[float, float, int]:
    body = {"model": "gpt-4o-mini", "messages": PROMPT, **SETTINGS, "stream": True}
    t0 = time.perf_counter()
    first = None
    n = 0
    async with client.stream("POST", url, json=body, headers=headers or {}) as r:
        async for line in r.aiter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            for c in chunk.get("choices", []):
                if (c.get("delta") or {}).get("content"):
                    if first is None:
                        first = time.perf_counter()
                    n += 1
    t1 = time.perf_counter()
    return (first or t1) - t0, n / (t1 - first) if first and n > 1 else 0.0, n


# ---- concurrency ------------------------------------------------------------------
async def load(url: str, clients: int, per_client: int) -> tuple[float, float, float, int]:
    ttfts: list[float] = []
    tokens = 0
    # A fresh connection per request for both servers: llama.cpp's HTTP server closes idle
    # keep-alive connections, and a reused one that it just closed fails the request.
    limits = httpx.Limits(max_connections=clients + 4, max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=600, limits=limits) as client:

        async def one_client():
            nonlocal tokens
            for _ in range(per_client):
                ttft, _, n = await http_stream(client, url)
                ttfts.append(ttft)
                tokens += n

        t0 = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        wall = time.perf_counter() - t0
    return tokens / wall, pct(ttfts, 0.5) * 1000, pct(ttfts, 0.95) * 1000, len(ttfts)


# ---- embeddings ------------------------------------------------------------------
def embeddings(base_url: str, rounds: int) -> list[tuple[int, float, float]]:
    from helpers.local.engines.encoder import Encoder

    encoder = Encoder()
    texts = [f"Sentence number {i} about learning the OpenAI API." for i in range(64)]
    rows = []
    with httpx.Client(timeout=120) as c:
        for size in (1, 64):
            batch = texts[:size]
            t0 = time.perf_counter()
            for _ in range(rounds):
                encoder.embed(batch)
            direct = size * rounds / (time.perf_counter() - t0)
            t0 = time.perf_counter()
            for _ in range(rounds):
                c.post(base_url + "/embeddings", json={"model": "text-embedding-3-small", "input": batch}).raise_for_status()
            served = size * rounds / (time.perf_counter() - t0)
            rows.append((size, direct, served))
    return rows


def embedding_overhead(base_url: str, rounds: int) -> tuple[float, float]:
    """Median time of one short input: the encoder called directly, and through HTTP (keep-alive
    client, as the SDK). Interleaved so that both see the same machine load."""
    import statistics

    from helpers.local.engines.encoder import Encoder

    encoder = Encoder()  # warmed up by its constructor
    text = ["The food was delicious."]
    direct, served = [], []
    with httpx.Client(timeout=60) as c:
        c.post(base_url + "/embeddings", json={"model": "text-embedding-3-small", "input": text}).raise_for_status()
        for _ in range(rounds):
            t0 = time.perf_counter()
            encoder.embed(text)
            direct.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            c.post(base_url + "/embeddings", json={"model": "text-embedding-3-small", "input": text}).raise_for_status()
            served.append(time.perf_counter() - t0)
    return statistics.median(direct) * 1000, statistics.median(served) * 1000


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """Resident memory of a process (Linux /proc), in MB: now (VmRSS) or its peak (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    ap.add_argument("--model", action="append", default=None, help="model to measure (repeatable; default qwen0.5b)")
    args = ap.parse_args()
    for name in args.model or ["qwen0.5b"]:
        bench_model(name, args.quick)


def bench_model(name: str, quick: bool) -> None:
    reps = 2 if quick else 5
    levels = (1, 4) if quick else (1, 4, 16, 32)

    import xllamacpp as xlc

    import helpers  # noqa: F401
    from helpers.local.engines.llama import llama_params
    from helpers.local.model_fetch import fetch_model

    model = fetch_model(name, progress=False).path
    print(f"\n### model: {name} ({model.name}), slots: {PARALLEL}, max_tokens: {MAX_TOKENS}, temperature 0\n", flush=True)

    start = cold_start(3 if not quick else 1, name)

    # The course server (its own process) ...
    srv = ServerProcess("--parallel", str(PARALLEL), "--model", name)
    srv.wait_healthy()
    while not httpx.get(srv.base_url[:-3] + "/health").json().get("embeddings_ready"):
        time.sleep(0.2)  # the encoder loads in the background after /health is up; don't measure beside it
    # ... and llama.cpp directly in this process, with the same model and slots; its
    # own HTTP server (xllamacpp starts one) is the baseline for concurrency.
    direct = xlc.Server(llama_params(model, parallel=PARALLEL))
    llama_url = direct.listening_address + "/v1/chat/completions"
    ours_url = srv.base_url + "/chat/completions"

    try:
        direct_stream(direct)  # warm up both
        d = [direct_stream(direct) for _ in range(reps)]
        s = asyncio.run(_singles(ours_url, reps))
        d_ttft, d_tps = statistics.median(x[0] for x in d) * 1000, statistics.median(x[1] for x in d)
        s_ttft, s_tps = statistics.median(x[0] for x in s) * 1000, statistics.median(x[1] for x in s)

        conc = []
        for c in levels:
            per = max(2, 32 // c) if not quick else 2
            base = asyncio.run(load(llama_url, c, per))
            ours = asyncio.run(load(ours_url, c, per))
            conc.append((c, base, ours))

        emb = embeddings(srv.base_url, 20 if not quick else 5)
        emb_direct, emb_served = embedding_overhead(srv.base_url, 200 if not quick else 50)
        rss, peak = rss_mb(srv.proc.pid), rss_mb(srv.proc.pid, "VmHWM")
    finally:
        srv.stop()

    print_table(start, (rss, peak), (d_ttft, d_tps, s_ttft, s_tps), conc, emb, (emb_direct, emb_served))


def print_table(start, memory, stream, conc, emb, emb_one) -> None:
    """The model's table: each course-server figure beside its same-run baseline and target."""
    rss, peak = memory
    d_ttft, d_tps, s_ttft, s_tps = stream
    emb_direct, emb_served = emb_one
    print("| measure | baseline (same run) | course server | ratio / difference | target |")
    print("|---|---|---|---|---|")
    print(f"| cold start to healthy (model cached) | – | {start:.2f} s | – | ≤ 3 s |")
    print(f"| server resident memory after the run / peak | – | {rss:.0f} / {peak:.0f} MB | – | – |")
    print(f"| 1 stream: time to first token | xllamacpp in-process {d_ttft:.1f} ms | {s_ttft:.1f} ms | +{s_ttft - d_ttft:.1f} ms | ≤ +5 ms |")
    print(f"| 1 stream: tokens/s | xllamacpp in-process {d_tps:.1f} | {s_tps:.1f} | {s_tps / d_tps:.1%} | ≥ 97 % |")
    for c, base, ours in conc:
        print(f"| {c} clients: aggregate tokens/s | llama.cpp HTTP {base[0]:.1f} | {ours[0]:.1f} | {ours[0] / base[0]:.1%} | ≥ 97 % |")
        print(
            f"| {c} clients: TTFT p50 / p95 | llama.cpp HTTP {base[1]:.0f} / {base[2]:.0f} ms | {ours[1]:.0f} / {ours[2]:.0f} ms | "
            f"+{ours[1] - base[1]:.0f} / +{ours[2] - base[2]:.0f} ms | p50 ≤ +5 ms |"
        )
    for size, d_rate, s_rate in emb:
        print(f"| embeddings, {size} input(s) per request: inputs/s | encoder direct {d_rate:.0f} | {s_rate:.0f} | {s_rate / d_rate:.1%} | – |")
    print(
        f"| embeddings, 1 short input: median time | encoder direct {emb_direct:.2f} ms | {emb_served:.2f} ms | +{emb_served - emb_direct:.2f} ms | ≤ +1 ms |"
    )


async def _singles(url: str, reps: int):
    """One client kept open (as an SDK client is), so connection setup is not counted."""
    async with httpx.AsyncClient(timeout=300) as c:
        await http_stream(c, url)  # warm-up
        return [await http_stream(c, url) for _ in range(reps)]


if __name__ == "__main__":
    main()
