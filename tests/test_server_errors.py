"""Every client mistake gets OpenAI's status, error JSON and SDK exception; never a 5xx."""
from __future__ import annotations

import subprocess
import sys

import httpx
import openai
import pytest
from server_proc import ROOT

from conftest import CHAT, EMBED

MSG = [{"role": "user", "content": "hi"}]


def _shape(body: dict) -> dict:
    err = body["error"] if "error" in body else body
    assert set(err) == {"message", "type", "param", "code"}
    assert " / " in err["message"]  # English, then Chinese
    return err


@pytest.mark.parametrize("kwargs, param, code", [
    (dict(messages=MSG, temperature=3), "temperature", "decimal_above_max_value"),
    (dict(messages=MSG, temperature=-1), "temperature", "decimal_below_min_value"),
    (dict(messages=MSG, top_p=1.5), "top_p", "decimal_above_max_value"),
    (dict(messages=MSG, max_tokens=0), "max_tokens", "integer_below_min_value"),
    (dict(messages=MSG, max_tokens=-5), "max_tokens", "integer_below_min_value"),
    (dict(messages=MSG, n=500), "n", "integer_above_max_value"),
    (dict(messages=MSG, top_logprobs=50, logprobs=True), "top_logprobs", "integer_above_max_value"),
    (dict(messages=MSG, presence_penalty=9), "presence_penalty", "decimal_above_max_value"),
    (dict(messages=[]), "messages", "empty_array"),
    (dict(messages=[{"role": "wizard", "content": "hi"}]), "messages[0].role", "invalid_value"),
    (dict(messages=[{"role": "user", "content": 42}]), "messages[0].content", "invalid_type"),
    (dict(messages=[{"content": "hi"}]), "messages[0].role", "missing_required_parameter"),
    (dict(messages=[{"role": "tool", "content": "x"}]), "messages[0].tool_call_id", "missing_required_parameter"),
    (dict(messages=MSG, response_format={"type": "yaml"}), "response_format.type", "invalid_value"),
    (dict(messages=MSG, stop=["a", "b", "c", "d", "e"]), "stop", "array_above_max_length"),
    (dict(messages=MSG, max_tokens=100000), "max_tokens", "invalid_value"),
    (dict(messages=MSG, max_completion_tokens=5000), "max_completion_tokens", "invalid_value"),
    (dict(messages=[{"role": "user", "content": "word " * 5000}], max_tokens=4000), "messages", "context_length_exceeded"),
    (dict(messages=[{"role": "user", "content": "word " * 9000}]), "messages", "context_length_exceeded"),
])
def test_bad_chat_requests_are_400(client, kwargs, param, code):
    with pytest.raises(openai.BadRequestError) as e:
        client.chat.completions.create(model=CHAT, **kwargs)
    err = _shape(e.value.body)
    assert e.value.status_code == 400 and err["type"] == "invalid_request_error"
    assert err["param"] == param and err["code"] == code


def test_json_object_needs_the_word_json(client):
    with pytest.raises(openai.BadRequestError) as e:
        client.chat.completions.create(model=CHAT, messages=MSG, response_format={"type": "json_object"})
    assert "json" in e.value.body["message"]


def test_missing_and_wrong_typed_fields(client):
    with pytest.raises(openai.BadRequestError) as e:
        client.post("/chat/completions", body={"model": CHAT}, cast_to=object)
    assert _shape(e.value.body)["code"] == "missing_required_parameter" and e.value.body["param"] == "messages"
    with pytest.raises(openai.BadRequestError) as e:
        client.post("/chat/completions", body={"model": 5, "messages": MSG}, cast_to=object)
    assert e.value.body["code"] == "invalid_type" and e.value.body["param"] == "model"
    with pytest.raises(openai.BadRequestError) as e:
        client.post("/chat/completions", body={"model": CHAT, "messages": MSG, "frobnicate": 1}, cast_to=object)
    assert "Unrecognized request argument" in e.value.body["message"]
    with pytest.raises(openai.BadRequestError):
        client.post("/chat/completions", body={"model": CHAT, "messages": MSG, "temperature": "hot"}, cast_to=object)


def test_image_content_parts_need_the_real_api(client):
    with pytest.raises(openai.BadRequestError) as e:
        client.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]}])
    assert "OPENAI_API_KEY" in e.value.body["message"]


@pytest.mark.parametrize("raw, ctype", [
    (b"{not json", "application/json"),
    (b"\xff\xfe\xfa", "application/json"),
    (b"[" * 100000 + b"]" * 100000, "application/json"),
    (b'"just a string"', "application/json"),
    (b"model=gpt-4o-mini", "application/x-www-form-urlencoded"),
])
def test_malformed_bodies_are_400(server, raw, ctype):
    r = httpx.post(server.base_url + "/chat/completions", content=raw, headers={"content-type": ctype})
    assert r.status_code == 400
    _shape(r.json())


def test_body_over_limit_is_413(server):
    r = httpx.post(server.base_url + "/chat/completions", content=b"x" * (9 * 1024 * 1024), headers={"content-type": "application/json"})
    assert r.status_code == 413 and _shape(r.json())["code"] == "request_too_large"


def test_unknown_model_and_real_api_only_models_are_404(client):
    with pytest.raises(openai.NotFoundError) as e:
        client.chat.completions.create(model="gpt-99-ultra", messages=MSG)
    assert _shape(e.value.body)["code"] == "model_not_found"
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("gpt-99-ultra")
    with pytest.raises(openai.NotFoundError) as e:
        client.images.generate(model="dall-e-3", prompt="a cat", n=1, size="1024x1024")
    assert _shape(e.value.body)["code"] == "model_not_found" and "OPENAI_API_KEY" in e.value.body["message"]
    with pytest.raises(openai.NotFoundError):
        client.audio.speech.create(model="tts-1", voice="alloy", input="hello")
    with pytest.raises(openai.NotFoundError):
        client.moderations.create(model="omni-moderation-latest", input="hello")
    with pytest.raises(openai.NotFoundError):
        client.audio.transcriptions.create(model="whisper-1", file=("a.wav", b"RIFF0000WAVE", "audio/wav"))
    with pytest.raises(openai.BadRequestError):
        client.embeddings.create(model=CHAT, input="x")
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model=EMBED, messages=MSG)


def test_bad_embedding_inputs(client):
    for bad in ("", [], [""], [1.5], [{"a": 1}]):
        with pytest.raises(openai.BadRequestError):
            client.embeddings.create(model=EMBED, input=bad)
    with pytest.raises(openai.BadRequestError):
        client.embeddings.create(model=EMBED, input="x", dimensions=4096)
    with pytest.raises(openai.BadRequestError):
        client.embeddings.create(model=EMBED, input="x", encoding_format="hex")


def test_unknown_route_and_method(server):
    r = httpx.post(server.base_url + "/nonsense", json={})
    assert r.status_code == 404 and _shape(r.json())
    r = httpx.delete(server.base_url + "/chat/completions")
    assert r.status_code == 405 and _shape(r.json())


def test_server_survives_bad_requests(client, server):
    for raw in (b"{", b"null", b"[]", b'{"model": null, "messages": null}', b'{"messages": [null]}',
                b'{"model":"gpt-4o-mini","messages":[{"role":"user","content":[{"type":"text"}]}]}',
                b'{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"stream_options":{"include_usage":"yes"}}',
                b'{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema"}}',
                b'{"model":"gpt-4o-mini","input":"hi","previous_response_id":"resp_1"}'):
        for path in ("/chat/completions", "/responses", "/embeddings", "/completions"):
            r = httpx.post(server.base_url + path, content=raw, headers={"content-type": "application/json"})
            assert 400 <= r.status_code < 500, (path, raw, r.status_code, r.text)
    assert client.chat.completions.create(model=CHAT, messages=MSG, max_tokens=3).choices


# ---- keys and limits -----------------------------------------------------------

def _keyed(server, key):
    return openai.OpenAI(base_url=server.base_url, api_key=key, max_retries=0)


def test_missing_or_wrong_key_is_401(keyed_server):
    r = httpx.post(keyed_server.base_url + "/chat/completions", json={"model": CHAT, "messages": MSG})
    assert r.status_code == 401 and _shape(r.json())
    for path in ("/models", "/models/gpt-4o-mini"):
        assert httpx.get(keyed_server.base_url + path).status_code == 401
    with pytest.raises(openai.AuthenticationError) as e:
        _keyed(keyed_server, "sk-wrong-key-9999").chat.completions.create(model=CHAT, messages=MSG)
    assert e.value.body["code"] == "invalid_api_key"
    assert "sk-wrong-key-9999" not in e.value.body["message"] and "9999" in e.value.body["message"]
    assert httpx.get(keyed_server.base_url[:-3] + "/health").status_code == 200
    assert "sk-wrong-key" not in keyed_server.log_path.read_text(errors="replace")


def test_rate_limit_is_429_with_retry_after(keyed_server):
    c = _keyed(keyed_server, "sk-rate-one-0003")
    raw = c.chat.completions.with_raw_response.create(model=CHAT, messages=MSG, max_tokens=1)
    assert raw.headers["x-ratelimit-limit-requests"] == "3"
    for _ in range(2):
        c.chat.completions.create(model=CHAT, messages=MSG, max_tokens=1)
    with pytest.raises(openai.RateLimitError) as e:
        c.chat.completions.create(model=CHAT, messages=MSG, max_tokens=1)
    assert e.value.body["code"] == "rate_limit_exceeded"
    assert int(e.value.response.headers["retry-after"]) >= 1
    # Another student's key has its own budget.
    assert _keyed(keyed_server, "sk-rate-two-0004").chat.completions.create(model=CHAT, messages=MSG, max_tokens=1).choices


def test_non_loopback_without_key_is_refused():
    p = subprocess.run([sys.executable, "-m", "helpers.local", "serve", "--host", "0.0.0.0", "--port", "1"],
                       cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert p.returncode == 2
    assert "--api-key" in p.stderr and "拒绝" in p.stderr
