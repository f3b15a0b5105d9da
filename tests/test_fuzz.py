"""Bad input, generated and hand-written: zero 5xx, no crash, and normal service afterwards.

Requests are generated from the server's own OpenAPI description with schemathesis
(valid and invalid bodies for every operation); then the nastiest hand-made cases.
"""
from __future__ import annotations

import json

import httpx
import pytest
from server_proc import ServerProcess

KEY = "sk-fuzz-key-0001"
AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory):
    # Tiny outputs keep thousands of generated requests quick.
    srv = ServerProcess("--api-key", KEY, "--max-output-tokens", "8", "--default-max-tokens", "8", "--parallel", "2",
                        "--db", str(tmp_path_factory.mktemp("fuzz") / "db.sqlite3"))
    srv.wait_healthy()
    yield srv
    srv.stop()


def _still_healthy(srv: ServerProcess) -> None:
    assert srv.proc.poll() is None, "the server crashed"
    r = httpx.post(srv.base_url + "/chat/completions", headers=AUTH, timeout=60,
                   json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 2})
    assert r.status_code == 200 and r.json()["choices"][0]["message"]["content"] is not None


@pytest.mark.timeout(1800)  # thousands of generated requests; slower than the suite's per-test limit
def test_schemathesis_finds_no_server_errors(fuzz_server):
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode

    base = fuzz_server.base_url[:-3]
    schema = schemathesis.openapi.from_url(base + "/openapi.json")
    seen: dict[int, int] = {}
    failures: list[str] = []
    models = {"/v1/embeddings": "text-embedding-3-small", "/v1/completions": "gpt-3.5-turbo-instruct"}

    for result in schema.get_all_operations():
        op = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @given(case=op.as_strategy(generation_mode=mode))
            @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            def run(case):
                # Half the bodies get a real model name, so generation paths run too, not only validation.
                if isinstance(case.body, dict) and "model" in case.body and hash(json.dumps(case.body, sort_keys=True, default=str)) % 2:
                    case.body["model"] = models.get(op.path, "gpt-4o-mini")
                r = case.call(base_url=base, headers=AUTH, timeout=60)
                seen[r.status_code] = seen.get(r.status_code, 0) + 1
                if r.status_code >= 500:
                    failures.append(f"{op.method.upper()} {op.path}: {r.status_code} {r.text[:200]} body={str(case.body)[:200]}")

            try:
                run()
            except Unsatisfiable:
                pass  # no invalid input exists for an operation without parameters (e.g. GET /health)
    print("statuses:", dict(sorted(seen.items())))
    assert not failures, "\n".join(failures[:10])
    assert sum(seen.values()) > 300 and 200 in seen and 400 in seen
    _still_healthy(fuzz_server)


@pytest.mark.parametrize("name, raw, ctype", [
    ("deep JSON", b"[" * 200000 + b"]" * 200000, "application/json"),
    ("deep objects", b'{"a":' * 50000 + b"1" + b"}" * 50000, "application/json"),
    ("invalid UTF-8", b'{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "\xff\xfe"}]}', "application/json"),
    ("lone surrogate", b'{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "\\ud800"}]}', "application/json"),
    ("wrong content type", b"model=gpt-4o-mini&messages=hi", "application/x-www-form-urlencoded"),
    ("no content type", b'{"model": "gpt-4o-mini"}', ""),
    ("empty body", b"", "application/json"),
    ("NaN", b'{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "temperature": NaN}', "application/json"),
    ("huge number", b'{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 1' + b"0" * 400 + b"}", "application/json"),
])
def test_nasty_bodies_are_4xx(fuzz_server, name, raw, ctype):
    headers = dict(AUTH)
    if ctype:
        headers["content-type"] = ctype
    for path in ("/chat/completions", "/completions", "/responses", "/embeddings"):
        r = httpx.post(fuzz_server.base_url + path, content=raw, headers=headers, timeout=60)
        assert 400 <= r.status_code < 500, (name, path, r.status_code, r.text[:300])
        assert set(r.json()["error"]) == {"message", "type", "param", "code"}


@pytest.mark.parametrize("body, path", [
    ({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "max_tokens": -1}, "/chat/completions"),
    ({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 10**12}, "/chat/completions"),
    ({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "n": 10**6}, "/chat/completions"),
    ({"model": "gpt-4o-mini", "messages": []}, "/chat/completions"),
    ({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}] * 10000}, "/chat/completions"),
    ({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "surprise": {"nested": [1, 2]}}, "/chat/completions"),
    ({"model": "gpt-3.5-turbo-instruct", "prompt": "hi", "max_tokens": -5}, "/completions"),
    ({"model": "gpt-3.5-turbo-instruct", "prompt": [[1, 2, 3]]}, "/completions"),
    ({"model": "gpt-4o-mini", "input": "hi", "max_output_tokens": 10**9}, "/responses"),
    ({"model": "gpt-4o-mini", "input": [{"role": "user", "content": 5}]}, "/responses"),
    ({"model": "text-embedding-3-small", "input": ["x"] * 5000}, "/embeddings"),
    ({"model": "text-embedding-3-small", "input": [[-1, 99999999]]}, "/embeddings"),
])
def test_hostile_parameters_are_400(fuzz_server, body, path):
    r = httpx.post(fuzz_server.base_url + path, json=body, headers=AUTH, timeout=60)
    assert r.status_code == 400, (path, r.status_code, r.text[:300])


def test_huge_body_is_413_and_server_still_fine(fuzz_server):
    big = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "x" * (9 * 1024 * 1024)}]}
    r = httpx.post(fuzz_server.base_url + "/chat/completions", json=big, headers=AUTH, timeout=60)
    assert r.status_code == 413
    _still_healthy(fuzz_server)
