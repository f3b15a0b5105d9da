"""Gateway mode in front of two real upstreams (this project's own server on other ports,
each demanding the teacher's key): pass-through streaming, usage, stored completions,
key isolation, budgets and error mapping, all through the real openai SDK."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import openai
import pytest
from gateway_support import UPSTREAM_KEY, running_upstreams, start_gateway
from pydantic import BaseModel
from server_proc import ROOT, ServerProcess

CHAT = "gpt-4o-mini"
STUDENTS = {"ada": "sk-student-ada-0001", "bo": "sk-student-bo-0002"}
ADMIN = "admin-gateway-5555"


@pytest.fixture(scope="module")
def upstreams(tmp_path_factory):
    with running_upstreams(tmp_path_factory.mktemp("upstreams")) as started:
        yield started


@pytest.fixture(scope="module")
def upstream_model(upstreams) -> str:
    """The upstream's own name for its model, which the gateway's model map points to."""
    return httpx.get(upstreams[0].base_url[:-3] + "/health").json()["chat_model"]


@pytest.fixture(scope="module")
def gateway(upstreams, upstream_model, tmp_path_factory):
    keys = [flag for key in STUDENTS.values() for flag in ("--api-key", key)]
    srv = start_gateway(upstreams, *keys, "--admin-key", ADMIN, "--model-map", f"{CHAT}={upstream_model}", tmp=tmp_path_factory.mktemp("gateway"))
    yield srv
    srv.stop()


def student(srv: ServerProcess, name: str = "ada") -> openai.OpenAI:
    return openai.OpenAI(base_url=srv.base_url, api_key=STUDENTS[name], max_retries=0, timeout=120)


def no_extra_fields(obj) -> None:
    """Every object validates against the SDK's own types with nothing left over."""
    if isinstance(obj, BaseModel):
        assert not obj.model_extra, (type(obj).__name__, obj.model_extra)
        for value in obj.__dict__.values():
            no_extra_fields(value)
    elif isinstance(obj, list):
        for value in obj:
            no_extra_fields(value)


def busy_upstream_slots(upstreams) -> int:
    return sum(httpx.get(u.base_url[:-3] + "/health").json()["busy"] for u in upstreams)


def test_a_gateway_loads_no_chat_model(gateway):
    health = httpx.get(gateway.base_url[:-3] + "/health").json()
    assert health["chat_model"] == "upstream"
    assert "Gateway ready" in gateway.log_path.read_text() and "Chat model loaded" not in gateway.log_path.read_text()


def test_stream_reaches_the_student_while_the_upstream_still_generates(gateway, upstreams):
    body = {
        "model": CHAT,
        "messages": [{"role": "user", "content": "Count from 1 to 100, separated by commas."}],
        "temperature": 0,
        "max_tokens": 150,
        "stream": True,
    }
    reads, busy_at_first_token = 0, None
    with httpx.stream("POST", gateway.base_url + "/chat/completions", json=body, timeout=120, headers={"Authorization": f"Bearer {STUDENTS['ada']}"}) as r:
        assert r.status_code == 200
        for raw in r.iter_raw():
            reads += 1
            if busy_at_first_token is None and b'"content": "' in raw and b'"content": ""' not in raw:
                busy_at_first_token = busy_upstream_slots(upstreams)
    assert busy_at_first_token >= 1  # the first token was through before the upstream had finished
    assert reads > 10  # tokens arrived in many writes, not as one buffered answer


def test_stream_chunks_are_the_apis_and_usage_only_when_asked(gateway):
    c = student(gateway)
    plain = list(c.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": "Say hi"}], max_tokens=8, stream=True))
    assert plain and all(chunk.choices and chunk.usage is None for chunk in plain)  # the usage chunk the gateway asked for is gone
    asked = list(
        c.chat.completions.create(
            model=CHAT, messages=[{"role": "user", "content": "Say hi"}], max_tokens=8, stream=True, stream_options={"include_usage": True}
        )
    )
    assert asked[-1].choices == [] and asked[-1].usage.completion_tokens == 8
    for chunk in plain + asked:
        no_extra_fields(chunk)


def test_every_endpoint_goes_upstream(gateway, upstream_model):
    c = student(gateway)
    chat = c.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": "Say hi"}], max_tokens=5)
    assert chat.model == upstream_model and chat.usage.completion_tokens == 5
    legacy = c.completions.create(model="gpt-3.5-turbo-instruct", prompt="Once upon a time", max_tokens=5)
    assert legacy.choices[0].text and legacy.usage.completion_tokens == 5
    emb = c.embeddings.create(model="text-embedding-3-small", input=["hello", "你好"])
    assert len(emb.data) == 2 and len(emb.data[0].embedding) == 512
    resp = c.responses.create(model=CHAT, input="Say hi", max_output_tokens=16)
    assert resp.output_text and resp.usage.output_tokens > 0
    events = list(c.responses.create(model=CHAT, input="Say hi", max_output_tokens=16, stream=True))
    assert events[0].type == "response.created" and events[-1].type in ("response.completed", "response.incomplete")
    for obj in (chat, legacy, emb, resp, *events):
        no_extra_fields(obj)
    assert CHAT in [m.id for m in c.models.list()] and c.models.retrieve(CHAT).id == CHAT


def test_usage_and_stored_completions_are_the_class_servers(gateway):
    c = student(gateway, "bo")
    kept = c.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": "Remember me"}], max_tokens=4, store=True, metadata={"lesson": "10"})
    streamed = [x for x in c.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": "And me"}], max_tokens=4, store=True, stream=True)]
    assert c.chat.completions.retrieve(kept.id).metadata == {"lesson": "10"}
    again = c.chat.completions.retrieve(streamed[0].id)
    assert again.choices[0].message.content == "".join(x.choices[0].delta.content or "" for x in streamed)
    with pytest.raises(openai.NotFoundError):
        student(gateway, "ada").chat.completions.retrieve(kept.id)
    report = httpx.get(gateway.base_url + "/admin/usage", headers={"Authorization": f"Bearer {ADMIN}"}).json()
    rows = {r["key"]: r for r in report["data"]}
    assert rows["key-2"]["completion_tokens"] >= 8 and rows["key-2"]["prompt_tokens"] > 0
    assert {u["upstream"] for u in report["upstreams"]["chat"]} == {"upstream-1", "upstream-2"}
    assert all(u["requests"] > 0 for u in report["upstreams"]["chat"])  # least outstanding spreads the load


def test_keys_stay_where_they_belong(gateway, upstreams):
    c = student(gateway)
    seen = [c.chat.completions.with_raw_response.create(model=CHAT, messages=[{"role": "user", "content": "hi"}], max_tokens=3)]
    for bad in ({"model": "no-such-model"}, {"model": CHAT, "response_format": {"type": "json_object"}}):
        with pytest.raises(openai.APIStatusError) as e:
            c.chat.completions.create(messages=[{"role": "user", "content": "hi"}], max_tokens=3, **bad)
        seen.append(e.value.response)
    for response in seen:
        exposed = response.text + str(dict(response.headers))
        for secret in (UPSTREAM_KEY, upstreams[0].base_url, f":{upstreams[0].port}", f":{upstreams[1].port}"):
            assert secret not in exposed
    with pytest.raises(openai.AuthenticationError):  # the teacher's upstream key is no key for the gateway
        openai.OpenAI(base_url=gateway.base_url, api_key=UPSTREAM_KEY, max_retries=0).models.list()
    with pytest.raises(openai.AuthenticationError):  # nor does a student's key work on an upstream
        openai.OpenAI(base_url=upstreams[0].base_url, api_key=STUDENTS["ada"], max_retries=0).models.list()
    logs = gateway.log_path.read_text(errors="replace")
    assert UPSTREAM_KEY not in logs and not any(k in logs for k in STUDENTS.values())
    cmdline = Path(f"/proc/{gateway.proc.pid}/cmdline")
    if cmdline.exists():
        assert UPSTREAM_KEY.encode() not in cmdline.read_bytes()


def test_upstream_errors_become_the_apis(gateway):
    c = student(gateway)
    with pytest.raises(openai.NotFoundError) as e:  # upstream 404
        c.chat.completions.create(model="no-such-model", messages=[{"role": "user", "content": "hi"}], max_tokens=3)
    assert e.value.code == "model_not_found" and "no-such-model" in e.value.message
    with pytest.raises(openai.BadRequestError) as e:  # upstream 400: json_object needs the word JSON
        c.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": "hi"}], response_format={"type": "json_object"})
    assert e.value.param == "messages" and "json" in e.value.message
    with pytest.raises(openai.BadRequestError) as e:  # checked at the gateway, never sent
        c.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": "hi"}], temperature=5)
    assert e.value.code == "decimal_above_max_value"


def test_wrong_upstream_key_is_the_servers_problem_not_the_students(upstreams, tmp_path):
    srv = start_gateway(upstreams, "--api-key", STUDENTS["ada"], key="sk-upstream-WRONG-9876", tmp=tmp_path)
    try:
        with pytest.raises(openai.InternalServerError) as e:  # upstream 401 -> 502, not an AuthenticationError
            student(srv).chat.completions.create(model=CHAT, messages=[{"role": "user", "content": "hi"}], max_tokens=3)
        assert e.value.status_code == 502 and "teacher" in e.value.message
        assert "WRONG" not in e.value.response.text and str(upstreams[0].port) not in e.value.response.text
    finally:
        srv.stop()


def test_budget_in_tokens_ends_in_insufficient_quota(upstreams, tmp_path):
    srv = start_gateway(upstreams, *[f for k in STUDENTS.values() for f in ("--api-key", k)], "--budget-tokens", "60", tmp=tmp_path)
    try:
        ada = student(srv)
        with pytest.raises(openai.RateLimitError) as e:
            for _ in range(5):  # each answer costs ~40 tokens
                ada.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": "hi"}], max_tokens=8)
        assert e.value.code == "insufficient_quota" and e.value.type == "insufficient_quota" and e.value.status_code == 429
        assert "quota" in e.value.message
        student(srv, "bo").chat.completions.create(model=CHAT, messages=[{"role": "user", "content": "hi"}], max_tokens=8)  # per key
    finally:
        srv.stop()


def test_budget_in_money_from_a_price_table(upstreams, tmp_path):
    prices = tmp_path / "prices.toml"
    prices.write_text(f'[prices."{CHAT}"]\ninput = 1000.0\noutput = 4000.0\n', encoding="utf-8")
    srv = start_gateway(upstreams, "--api-key", STUDENTS["ada"], "--budget-usd", "0.01", "--prices", str(prices), tmp=tmp_path)
    try:
        ada = student(srv)
        ada.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": "hi"}], max_tokens=8)  # ≈ 0.06 USD
        with pytest.raises(openai.RateLimitError) as e:
            ada.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": "hi"}], max_tokens=8)
        assert e.value.code == "insufficient_quota" and "$0.01" in e.value.message
    finally:
        srv.stop()


def test_configuration_mistakes_are_refused_at_start():
    for args in (
        ["--upstream", "ftp://x"],
        ["--upstream", "http://user:pw@host/v1"],
        ["--upstream", "http://127.0.0.1:9/v1", "--upstream-key-env", "COURSE_TEST_UNSET_VAR"],
        ["--model-map", "a=b"],
        ["--upstream", "http://127.0.0.1:9/v1", "--budget-usd", "1"],
    ):
        p = subprocess.run(
            [sys.executable, "-m", "helpers.local", "serve", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env={k: v for k, v in os.environ.items() if k != "COURSE_TEST_UNSET_VAR"},
        )
        assert p.returncode == 2 and " / " in p.stderr, (args, p.stderr)


def test_an_overloaded_upstream_with_no_other_is_the_apis_500(tmp_path):
    """The upstream is a class server in gateway mode with one slot and no waiting room,
    its one slot held by a request to an engine that never answers (a socket that
    listens and never accepts). So it is full for as long as the test wants, and answers
    the next request with its 503 `server_overloaded`: no timing involved."""
    with socket.socket() as engine:  # the hung engine
        engine.bind(("127.0.0.1", 0))
        engine.listen(8)
        hung = f"http://127.0.0.1:{engine.getsockname()[1]}/v1"
        busy = start_gateway([hung], "--api-key", UPSTREAM_KEY, "--upstream-concurrency", "1", "--max-waiting", "0", key="", tmp=tmp_path)
        srv = start_gateway([busy], "--api-key", STUDENTS["ada"], tmp=tmp_path)
        holder = ThreadPoolExecutor(1)
        try:
            held = holder.submit(
                httpx.post,
                busy.base_url + "/chat/completions",
                timeout=120,
                headers={"Authorization": f"Bearer {UPSTREAM_KEY}"},
                json={"model": CHAT, "messages": [{"role": "user", "content": "hi"}]},
            )
            while httpx.get(busy.base_url[:-3] + "/health").json()["busy"] < 1:  # the slot is taken (a condition, not a delay)
                assert not held.done(), held.result().text
                time.sleep(0.05)
            for _ in range(2):  # and again while the upstream is backing off: still an answer, never a hang
                with pytest.raises(openai.InternalServerError) as e:
                    student(srv).chat.completions.create(model=CHAT, messages=[{"role": "user", "content": "hi"}], max_tokens=4)
                assert e.value.status_code == 500 and e.value.type == "server_error" and " / " in e.value.message
                for secret in (str(busy.port), hung, UPSTREAM_KEY):
                    assert secret not in e.value.response.text
        finally:
            engine.close()  # the hung engine goes away: the held request ends too
            holder.shutdown(wait=True)
            srv.stop()
            busy.stop()
    assert held.result().status_code == 503  # the holder saw its own gateway's "engine unreachable"


def test_error_mapping_hides_the_upstream():
    from helpers.local.gateway.config import UpstreamSpec
    from helpers.local.gateway.upstream_errors import map_upstream_error

    spec = UpstreamSpec("http://10.0.0.7:8000/v1", ("chat",), "sk-teacher-secret-1", "upstream-1")
    raw = json.dumps(
        {
            "error": {
                "message": "Qwen/Qwen2.5-7B at http://10.0.0.7:8000/v1 failed (key sk-teacher-secret-1)",
                "type": "BadRequestError",
                "param": "messages",
                "code": 400,
            }
        }
    ).encode()
    for status, expected in ((400, 400), (422, 400), (404, 404), (401, 502), (403, 502), (500, 500), (503, 500)):
        e = map_upstream_error(status, raw, spec, "gpt-4o-mini", "Qwen/Qwen2.5-7B")
        assert e.status == expected, status
        text = json.dumps(e.body())
        assert "10.0.0.7" not in text and "sk-teacher-secret-1" not in text and "Qwen" not in text
    vllm_404 = json.dumps(
        {"object": "error", "message": "The model `Qwen/Qwen2.5-7B` does not exist.", "type": "NotFoundError", "param": None, "code": 404}
    ).encode()
    gone = map_upstream_error(404, vllm_404, spec, "gpt-4o-mini", "Qwen/Qwen2.5-7B")
    assert gone.code == "model_not_found" and "`gpt-4o-mini`" in gone.message and "Qwen" not in gone.message
    bad = map_upstream_error(400, raw, spec, "gpt-4o-mini", "Qwen/Qwen2.5-7B")
    assert bad.param == "messages" and bad.code is None and " / " in bad.message  # a numeric code is not the API's
