"""Gateway mode when upstreams fail: an upstream killed in the middle of a class, an
upstream coming back, and an upstream that answers 429. Real upstreams (this project's
own server) in subprocesses; real SDK clients."""
from __future__ import annotations

import threading
import time

import httpx
import openai
from gateway_support import start_gateway, start_upstream

ADMIN = "admin-failover-3131"
CHAT = "gpt-4o-mini"


def upstream_rows(gateway) -> dict[str, dict]:
    report = httpx.get(gateway.base_url + "/admin/usage", headers={"Authorization": f"Bearer {ADMIN}"}).json()
    return {u["upstream"]: u for u in report["upstreams"]["chat"]}


class Class:
    """Students asking in a loop, half streaming; every outcome is recorded."""

    def __init__(self, base_url: str, students: int = 4):
        self.base_url = base_url
        self.outcomes: list[tuple[str, str]] = []  # (kind, "ok" | error description)
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._student, args=(i,)) for i in range(students)]

    def _student(self, i: int) -> None:
        c = openai.OpenAI(base_url=self.base_url, api_key="x", max_retries=0, timeout=600)
        messages = [{"role": "user", "content": f"Student {i}: name a color."}]
        while not self.stop.is_set():
            kind = "stream" if i % 2 else "plain"
            try:
                if kind == "stream":
                    for _ in c.chat.completions.create(model=CHAT, messages=messages, max_tokens=12, stream=True):
                        pass
                else:
                    c.chat.completions.create(model=CHAT, messages=messages, max_tokens=6)
                self.outcomes.append((kind, "ok"))
            except openai.APIError as e:
                self.outcomes.append((kind, f"{type(e).__name__}: {getattr(e, 'code', None)}"))

    def run_until(self, n: int, deadline_s: float = 600) -> None:
        deadline = time.monotonic() + deadline_s
        while len(self.outcomes) < n and time.monotonic() < deadline:
            time.sleep(0.05)

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def finish(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(600)
        assert not any(t.is_alive() for t in self.threads)  # nobody hangs


def test_killing_an_upstream_mid_class_loses_no_request_that_had_not_started(tmp_path):
    a, b = start_upstream(tmp=tmp_path), start_upstream(tmp=tmp_path)
    gateway = start_gateway([a, b], "--admin-key", ADMIN, "--upstream-timeout", "600", tmp=tmp_path)
    klass = Class(gateway.base_url)
    try:
        klass.start()
        klass.run_until(4)
        a.proc.kill()  # SIGKILL: connections drop mid-answer, new ones are refused
        a.proc.wait()
        before_kill = len(klass.outcomes)
        klass.run_until(before_kill + 8)
        klass.finish()
        after = klass.outcomes[before_kill:]
        failed = [o for o in klass.outcomes if o[1] != "ok"]
        # a plain request has sent the student nothing until it is done: it is retried on b
        assert all(kind == "stream" for kind, _ in failed), failed
        # a stream already flowing from a gets the API's error event, never a hang
        assert all(outcome == "APIError: upstream_error" for _, outcome in failed), failed
        assert len(failed) <= 2  # at most the streams in flight on a when it died
        assert sum(1 for o in after if o[1] == "ok") >= 6
        rows = upstream_rows(gateway)
        assert rows["upstream-1"]["failures_in_a_row"] >= 1

        again = start_upstream(port=a.port, tmp=tmp_path)  # a comes back on the same address
        try:
            c = openai.OpenAI(base_url=gateway.base_url, api_key="x", max_retries=0, timeout=600)
            served_by_a = rows["upstream-1"]["requests"]
            deadline = time.monotonic() + 600
            while upstream_rows(gateway)["upstream-1"]["failures_in_a_row"] and time.monotonic() < deadline:
                c.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": "hi"}], max_tokens=2)
                time.sleep(0.5)
            row = upstream_rows(gateway)["upstream-1"]
            assert row["failures_in_a_row"] == 0 and row["available"] and row["requests"] > served_by_a
        finally:
            again.stop()
    finally:
        klass.stop.set()
        gateway.stop()
        a.stop()
        b.stop()


def test_an_upstream_429_waits_in_the_gateways_queue_instead_of_reaching_students(tmp_path):
    limited = start_upstream("--rpm", "2", tmp=tmp_path)  # the engine allows the gateway 2 requests a minute
    roomy = start_upstream(tmp=tmp_path)
    gateway = start_gateway([limited, roomy], "--admin-key", ADMIN, tmp=tmp_path)
    try:
        c = openai.OpenAI(base_url=gateway.base_url, api_key="x", max_retries=0, timeout=600)
        for _ in range(8):  # would meet the limited engine's 429 at least once without the gateway's queue
            c.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": "hi"}], max_tokens=2)
        rows = upstream_rows(gateway)
        assert rows["upstream-1"]["requests"] == 3  # 2 answered, then a 429 that paused it
        assert not rows["upstream-1"]["available"] and rows["upstream-2"]["requests"] >= 6
    finally:
        gateway.stop()
        limited.stop()
        roomy.stop()
