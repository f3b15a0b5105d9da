"""Responses, embeddings and models endpoints through the real SDK."""
from __future__ import annotations

import base64

import numpy as np

from conftest import CHAT, EMBED


def test_responses_output_text(client):
    r = client.responses.create(model=CHAT, input="Write one sentence about the sea.", max_output_tokens=30)
    assert r.object == "response" and r.id.startswith("resp")
    assert isinstance(r.output_text, str) and r.output_text.strip()
    assert r.usage.input_tokens > 0 and r.usage.output_tokens > 0


def test_responses_instructions_messages_and_incomplete(client):
    r = client.responses.create(model=CHAT, instructions="Answer in one word.", max_output_tokens=16,
                                input=[{"role": "user", "content": "Capital of France?"},
                                       {"role": "assistant", "content": "Paris"},
                                       {"role": "user", "content": [{"type": "input_text", "text": "And of Italy?"}]}])
    assert r.output_text is not None
    long = client.responses.create(model=CHAT, input="Write a long essay about rivers.", max_output_tokens=16)
    assert long.status == "incomplete" and long.incomplete_details.reason == "max_output_tokens"
    assert long.usage.output_tokens == 16


def test_responses_stream_events(client):
    events = list(client.responses.create(model=CHAT, input="Say hi.", max_output_tokens=16, stream=True))
    types = [e.type for e in events]
    assert types[0] == "response.created" and types[-1] in ("response.completed", "response.incomplete")
    deltas = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    done = [e for e in events if e.type == "response.output_text.done"][0]
    assert deltas == done.text and deltas
    assert [e.sequence_number for e in events] == list(range(len(events)))


def test_embeddings_float_and_base64(client):
    f = client.embeddings.create(model=EMBED, input="The food was delicious.")
    vec = np.array(f.data[0].embedding)
    assert vec.shape == (512,) and abs(np.linalg.norm(vec) - 1) < 1e-3
    assert f.usage.prompt_tokens > 0 and f.usage.total_tokens == f.usage.prompt_tokens
    assert f.model == "universal-sentence-encoder-multilingual-3"
    import httpx

    raw = httpx.post(str(client.base_url) + "embeddings", json={"model": EMBED, "input": "The food was delicious.", "encoding_format": "base64"},
                     headers={"Authorization": "Bearer x"}).json()
    decoded = np.frombuffer(base64.b64decode(raw["data"][0]["embedding"]), dtype=np.float32)
    assert np.allclose(decoded, vec, atol=1e-6)


def test_embeddings_list_dimensions_and_token_ids(client):
    r = client.embeddings.create(model="text-embedding-ada-002", input=["one", "two", "three"])
    assert [d.index for d in r.data] == [0, 1, 2]
    short = client.embeddings.create(model=EMBED, input="hello", dimensions=64)
    assert len(short.data[0].embedding) == 64 and abs(np.linalg.norm(short.data[0].embedding) - 1) < 1e-3
    import tiktoken

    import helpers  # noqa: F401  (tiktoken offline)

    ids = tiktoken.get_encoding("cl100k_base").encode("hello world")
    by_ids = client.embeddings.create(model=EMBED, input=[ids]).data[0].embedding
    by_text = client.embeddings.create(model=EMBED, input="hello world").data[0].embedding
    assert np.allclose(by_ids, by_text, atol=1e-5)


def test_chinese_and_english_share_one_space(client):
    texts = ["我喜欢在公园里散步。", "I like walking in the park.", "The stock market fell sharply today."]
    v = np.array([d.embedding for d in client.embeddings.create(model=EMBED, input=texts).data])
    translation = v[0] @ v[1]
    unrelated = v[1] @ v[2]
    assert translation > unrelated + 0.2


def test_models_list_and_retrieve(client, server):
    ids = [m.id for m in client.models.list().data]
    health = server.wait_healthy()
    assert health["chat_model"] in ids and health["embedding_model"] in ids
    for alias in ("gpt-4o-mini", "gpt-4o", "gpt-3.5-turbo", "gpt-4", "o3-mini", "text-embedding-3-small", "text-embedding-ada-002"):
        assert alias in ids
    m = client.models.retrieve("gpt-4o-mini")
    assert m.id == "gpt-4o-mini" and m.object == "model"
    snap = client.chat.completions.create(model="gpt-4o-mini-2024-07-18", messages=[{"role": "user", "content": "hi"}], max_tokens=2)
    assert snap.choices


def test_health_is_open(server):
    import httpx

    h = httpx.get(server.base_url[:-3] + "/health").json()
    assert h["status"] == "ok" and h["service"] == "openai-course-offline"
