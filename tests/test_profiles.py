"""Capability profiles (`serve --profile`, COURSE_LOCAL_PROFILE): the offline server acts
like a provider without embeddings, legacy completions, stored completions or the
Responses API, and the real SDK meets the API's unknown-URL 404 (`openai.NotFoundError`)
for exactly those endpoints, while every other endpoint keeps working."""

from __future__ import annotations

import subprocess
import sys

import httpx
import openai
import pytest
from server_proc import ROOT, ServerProcess, free_port

from helpers.client import serve_command

CHAT = "gpt-4o-mini"
EMBED = "text-embedding-3-small"
TESTED_PROFILE = "no-embeddings,no-completions,no-store"
SMALL = ("--parallel", "1", "--ctx", "2048")


@pytest.fixture(scope="module")
def lacking():
    """The profile every notebook is tested against (mimics providers such as DeepSeek)."""
    with ServerProcess("--profile", TESTED_PROFILE, *SMALL) as srv:
        srv.wait_healthy()
        yield srv


@pytest.fixture(scope="module")
def no_responses():
    """The other flag, set through the environment as get_client()'s auto-start passes it on."""
    with ServerProcess(*SMALL, env={"COURSE_LOCAL_PROFILE": "no-responses"}) as srv:
        srv.wait_healthy()
        yield srv


def sdk(srv: ServerProcess) -> openai.OpenAI:
    return openai.OpenAI(base_url=srv.base_url, api_key="test", max_retries=0, timeout=120)


def assert_invalid_url(error: openai.NotFoundError, method: str, path: str) -> None:
    """The body the server (like the API) gives for a URL it does not know."""
    assert error.status_code == 404
    body = error.body
    assert set(body) == {"message", "type", "param", "code"}
    assert body["message"].startswith(f"Invalid URL ({method} {path})")
    assert "无效的 URL" in body["message"]
    assert (body["type"], body["param"], body["code"]) == ("invalid_request_error", None, None)


def test_same_body_as_an_unknown_url(lacking):
    removed = httpx.post(lacking.base_url + "/embeddings", json={"model": EMBED, "input": "hi"})
    unknown = httpx.post(lacking.base_url + "/no-such-endpoint", json={})
    assert removed.status_code == unknown.status_code == 404
    assert removed.json()["error"]["message"] == unknown.json()["error"]["message"].replace("/v1/no-such-endpoint", "/v1/embeddings")
    assert removed.headers["x-request-id"].startswith("req_")


def test_no_embeddings(lacking):
    client = sdk(lacking)
    with pytest.raises(openai.NotFoundError) as e:
        client.embeddings.create(model=EMBED, input="你好")
    assert_invalid_url(e.value, "POST", "/v1/embeddings")
    listed = {m.id for m in client.models.list()}
    assert CHAT in listed and not any("embedding" in m for m in listed)
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve(EMBED)


def test_no_completions(lacking):
    with pytest.raises(openai.NotFoundError) as e:
        sdk(lacking).completions.create(model="gpt-3.5-turbo-instruct", prompt="Say hi", max_tokens=3)
    assert_invalid_url(e.value, "POST", "/v1/completions")


def test_no_store_accepts_store_and_keeps_nothing(lacking, no_responses):
    client = sdk(lacking)
    done = client.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": "Say OK."}], max_tokens=3, store=True, metadata={"lesson": "07"})
    assert done.choices[0].message.content  # chat itself works, `store` is accepted
    cid = done.id
    calls = [
        ("GET", f"/v1/chat/completions/{cid}", lambda: client.chat.completions.retrieve(cid)),
        ("GET", "/v1/chat/completions", lambda: client.chat.completions.list()),
        ("GET", f"/v1/chat/completions/{cid}/messages", lambda: client.chat.completions.messages.list(cid)),
        ("POST", f"/v1/chat/completions/{cid}", lambda: client.chat.completions.update(cid, metadata={"a": "b"})),
        ("DELETE", f"/v1/chat/completions/{cid}", lambda: client.chat.completions.delete(cid)),
    ]
    for method, path, call in calls:
        with pytest.raises(openai.NotFoundError) as e:
            call()
        assert_invalid_url(e.value, method, path)
    with pytest.raises(openai.NotFoundError) as e:  # a server on the same database that does store: nothing was kept
        sdk(no_responses).chat.completions.retrieve(cid)
    assert e.value.body["code"] == "not_found"


def test_other_endpoints_still_work(lacking):
    client = sdk(lacking)
    reply = client.responses.create(model=CHAT, input="Say OK.", max_output_tokens=16)
    assert reply.output_text
    assert client.models.retrieve(CHAT).id == CHAT


def test_health_reports_profile(lacking, no_responses):
    assert lacking.wait_healthy()["profile"] == sorted(TESTED_PROFILE.split(","))
    assert no_responses.wait_healthy()["profile"] == ["no-responses"]


def test_no_responses(no_responses):
    client = sdk(no_responses)
    with pytest.raises(openai.NotFoundError) as e:
        client.responses.create(model=CHAT, input="Say OK.", max_output_tokens=16)
    assert_invalid_url(e.value, "POST", "/v1/responses")
    with pytest.raises(openai.NotFoundError) as e:
        client.conversations.create()
    assert_invalid_url(e.value, "POST", "/v1/conversations")
    # what the tested profile removes is still here
    assert len(client.embeddings.create(model=EMBED, input="你好").data[0].embedding) > 0
    done = client.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": "Say OK."}], max_tokens=3, store=True)
    assert client.chat.completions.retrieve(done.id).id == done.id
    client.chat.completions.delete(done.id)
    assert client.completions.create(model="gpt-3.5-turbo-instruct", prompt="1, 2, 3,", max_tokens=3).choices


def test_unknown_flag_is_a_bilingual_cli_error():
    run = subprocess.run(
        [sys.executable, "-m", "helpers.local", "serve", "--port", str(free_port()), "--profile", "no-embeddings,no-chat"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert "Unknown profile flag(s): no-chat" in run.stderr and "未知的能力配置项" in run.stderr
    assert "no-embeddings" in run.stderr  # the known flags are listed


def test_auto_start_passes_the_profile(monkeypatch):
    monkeypatch.setenv("COURSE_LOCAL_PROFILE", "no-embeddings")
    cmd = serve_command()
    assert cmd[cmd.index("--profile") + 1] == "no-embeddings"
    monkeypatch.delenv("COURSE_LOCAL_PROFILE")
    assert "--profile" not in serve_command()
