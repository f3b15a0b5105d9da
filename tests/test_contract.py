"""Every object the offline server emits, checked against the openai SDK's own types.

The cases come from real calls to the real server (raw JSON, before the SDK
parses it), and each is validated strictly (tests/contract.py): no missing
required field, no field the type does not have.
"""
from __future__ import annotations

import base64
import json

import httpx
import pytest
from contract import assert_exact
from openai.types import Completion, CreateEmbeddingResponse, Model
from openai.types.chat import ChatCompletion, ChatCompletionChunk, ChatCompletionDeleted, ChatCompletionStoreMessage
from openai.types.responses import Response, ResponseStreamEvent
from openai.types.shared import ErrorObject

from conftest import CHAT, EMBED

HI = [{"role": "user", "content": "Say hi."}]


def post(server, path: str, body: dict) -> httpx.Response:
    return httpx.post(server.base_url + path, json=body, headers={"Authorization": "Bearer x"}, timeout=120)


def events(server, path: str, body: dict) -> list[dict]:
    """The JSON of every server-sent event of a real stream ([DONE] left out)."""
    with httpx.stream("POST", server.base_url + path, json=body, headers={"Authorization": "Bearer x"}, timeout=120) as r:
        assert r.status_code == 200, r.read()
        lines = [line[6:] for line in r.iter_lines() if line.startswith("data: ")]
    assert lines
    return [json.loads(x) for x in lines if x != "[DONE]"]


@pytest.mark.parametrize("extra", [{}, {"logprobs": True}, {"logprobs": True, "top_logprobs": 2}, {"n": 2},
                                   {"response_format": {"type": "json_object"}, "messages": [{"role": "user", "content": "Reply in JSON."}]}])
def test_chat_completion(server, extra):
    r = post(server, "/chat/completions", {"model": CHAT, "messages": HI, "max_tokens": 4, **extra})
    assert r.status_code == 200, r.text
    assert_exact(ChatCompletion, r.json())


@pytest.mark.parametrize("extra", [{}, {"stream_options": {"include_usage": True}}, {"logprobs": True, "top_logprobs": 1}])
def test_chat_completion_chunks(server, extra):
    chunks = events(server, "/chat/completions", {"model": CHAT, "messages": HI, "max_tokens": 4, "stream": True, **extra})
    for i, chunk in enumerate(chunks):
        assert_exact(ChatCompletionChunk, chunk, f"chunk[{i}]")


def test_completion_and_its_chunks(server):
    body = {"model": "gpt-3.5-turbo-instruct", "prompt": "Once upon a time", "max_tokens": 4}
    assert_exact(Completion, post(server, "/completions", body).json())
    chunks = events(server, "/completions", {**body, "stream": True})
    for i, chunk in enumerate(chunks):
        # The API streams `finish_reason: null` until the last chunk, but the SDK reuses its
        # `Completion` type (finish_reason required) for chunks: only there is null allowed.
        if i < len(chunks) - 1 and chunk["choices"][0]["finish_reason"] is None:
            chunk["choices"][0]["finish_reason"] = "stop"
        assert_exact(Completion, chunk, f"chunk[{i}]")


@pytest.mark.parametrize("max_output_tokens", [16, 200])  # incomplete and (usually) completed
def test_response_and_every_stream_event(server, max_output_tokens):
    body = {"model": CHAT, "input": "Say hi.", "max_output_tokens": max_output_tokens, "instructions": "Be brief."}
    assert_exact(Response, post(server, "/responses", body).json())
    evs = events(server, "/responses", {**body, "stream": True})
    for i, ev in enumerate(evs):
        assert_exact(ResponseStreamEvent, ev, f"event[{i}]:{ev.get('type')}")


def test_embeddings_float_and_base64(server):
    body = {"model": EMBED, "input": ["one", "two"]}
    assert_exact(CreateEmbeddingResponse, post(server, "/embeddings", body).json())
    raw = post(server, "/embeddings", {**body, "encoding_format": "base64"}).json()
    for item in raw["data"]:  # the SDK decodes base64 before its type sees it; so do we
        assert isinstance(item["embedding"], str)
        item["embedding"] = list(memoryview(base64.b64decode(item["embedding"])).cast("f"))
    assert_exact(CreateEmbeddingResponse, raw)


def test_models_list_and_each_model(server):
    listing = httpx.get(server.base_url + "/models", timeout=30).json()
    assert set(listing) == {"object", "data"} and listing["object"] == "list"
    for m in listing["data"]:
        assert_exact(Model, m, m["id"])
    assert_exact(Model, httpx.get(server.base_url + "/models/gpt-4o-mini", timeout=30).json())


def test_stored_completion_objects(server):
    created = post(server, "/chat/completions", {"model": CHAT, "messages": HI, "max_tokens": 2, "store": True,
                                                  "metadata": {"case": "contract"}}).json()
    cid = created["id"]
    assert_exact(ChatCompletion, httpx.get(f"{server.base_url}/chat/completions/{cid}", timeout=30).json())
    page = httpx.get(f"{server.base_url}/chat/completions", params={"metadata[case]": "contract"}, timeout=30).json()
    assert set(page) == {"object", "data", "first_id", "last_id", "has_more"}
    for c in page["data"]:
        assert_exact(ChatCompletion, c)
    msgs = httpx.get(f"{server.base_url}/chat/completions/{cid}/messages", timeout=30).json()
    assert [m["role"] for m in msgs["data"]] == ["user"]
    for m in msgs["data"]:
        # The API lists the request's own messages (role "user" here), while the SDK's type
        # borrows ChatCompletionMessage's `role: "assistant"`: every other field must fit exactly.
        assert_exact(ChatCompletionStoreMessage, {**m, "role": "assistant"})
    assert_exact(ChatCompletion, post(server, f"/chat/completions/{cid}", {"metadata": {"case": "updated"}}).json())
    deleted = httpx.delete(f"{server.base_url}/chat/completions/{cid}", timeout=30).json()
    assert_exact(ChatCompletionDeleted, deleted)


@pytest.mark.parametrize("method, path, body, status", [
    ("POST", "/chat/completions", {"model": CHAT}, 400),
    ("POST", "/chat/completions", {"model": "no-such-model", "messages": HI}, 404),
    ("POST", "/responses", {"model": CHAT, "input": [{"role": "user", "content": 5}]}, 400),
    ("POST", "/embeddings", {"model": EMBED, "input": "x", "dimensions": 100000}, 400),
    ("GET", "/chat/completions/chatcmpl-missing", None, 404),
    ("POST", "/nowhere", {}, 404),
    ("POST", "/images/generations", {"prompt": "a cat"}, 404),
])
def test_error_bodies(server, method, path, body, status):
    r = httpx.request(method, server.base_url + path, json=body, timeout=60)
    assert r.status_code == status, r.text
    assert set(r.json()) == {"error"}
    assert_exact(ErrorObject, r.json()["error"])
