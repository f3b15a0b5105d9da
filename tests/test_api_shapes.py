"""The API's exact shapes, each driven through the real openai SDK against the real server."""

from __future__ import annotations

import base64
import time
import typing

import numpy as np
import openai
import pytest

from conftest import CHAT, EMBED

HI = [{"role": "user", "content": "Say hi."}]


def test_logprobs_without_top_logprobs(client):
    r = client.chat.completions.create(model=CHAT, messages=HI, max_tokens=3, logprobs=True, temperature=0)
    entries = r.choices[0].logprobs.content
    assert len(entries) == r.usage.completion_tokens
    assert all(e.top_logprobs == [] and e.logprob <= 0 and e.token for e in entries)
    assert "".join(e.token for e in entries) == r.choices[0].message.content


def test_logprobs_entries_carry_only_api_fields(client):
    raw = client.chat.completions.with_raw_response.create(model=CHAT, messages=HI, max_tokens=2, logprobs=True, top_logprobs=2)
    entry = raw.http_response.json()["choices"][0]["logprobs"]["content"][0]
    assert set(entry) == {"token", "logprob", "bytes", "top_logprobs"}
    assert len(entry["top_logprobs"]) == 2 and set(entry["top_logprobs"][0]) == {"token", "logprob", "bytes"}


def _ids(n: int) -> list[int]:
    import tiktoken

    import helpers  # noqa: F401  (tiktoken offline)

    ids = tiktoken.get_encoding("cl100k_base").encode("The river runs to the sea. ")
    return (ids * (n // len(ids) + 1))[:n]


def test_embeddings_token_id_inputs(client):
    one = client.embeddings.create(model=EMBED, input=_ids(8191))
    assert len(one.data) == 1 and one.usage.prompt_tokens == 8191
    many = client.embeddings.create(model=EMBED, input=[_ids(5), _ids(7)])
    assert [d.index for d in many.data] == [0, 1] and many.usage.prompt_tokens == 12
    with pytest.raises(openai.BadRequestError) as e:
        client.embeddings.create(model=EMBED, input=_ids(8192))
    assert e.value.code == "context_length_exceeded" and e.value.param == "input"


def test_embeddings_dimensions_and_base64(client):
    full = np.array(client.embeddings.create(model=EMBED, input="hello", encoding_format="float").data[0].embedding)
    short = np.array(client.embeddings.create(model="text-embedding-3-large", input="hello", dimensions=512).data[0].embedding)
    assert np.allclose(full, short, atol=1e-6)
    tiny = np.array(client.embeddings.create(model=EMBED, input="hello", dimensions=8).data[0].embedding)
    assert np.allclose(tiny, full[:8] / np.linalg.norm(full[:8]), atol=1e-6)
    for model, dims in ((EMBED, 513), ("text-embedding-ada-002", 8)):
        with pytest.raises(openai.BadRequestError) as e:
            client.embeddings.create(model=model, input="hello", dimensions=dims)
        assert e.value.param == "dimensions"
    b64 = client.embeddings.create(model=EMBED, input="hello", encoding_format="base64").data[0].embedding
    assert isinstance(b64, str) and np.allclose(np.frombuffer(base64.b64decode(b64), dtype=np.float32), full, atol=1e-6)


def test_every_sdk_chat_model_name_and_its_snapshots(client):
    from openai.types.shared.chat_model import ChatModel

    names = [n for n in typing.get_args(ChatModel) if "audio" not in n]
    assert len(names) > 50
    for name in names:
        assert client.models.retrieve(name).id == name
    for snapshot in ("gpt-4-1106-preview", "gpt-4-0125-preview", "gpt-5.5-2027-01-15", names[0] + "-2027-01-15"):
        assert client.chat.completions.create(model=snapshot, messages=HI, max_tokens=1).choices


def test_model_and_system_fingerprint_name_the_local_model(client, server):
    health = server.wait_healthy()
    r = client.chat.completions.create(model="gpt-5.4-mini", messages=HI, max_tokens=1)
    assert r.model == health["chat_model"]
    assert r.system_fingerprint == "fp_llamacpp_" + health["chat_model_file"].lower().removesuffix(".gguf").replace("_", "-")


def test_responses_ids_and_echo(client):
    tools = [
        {
            "type": "function",
            "name": "get_weather",
            "description": "Weather of a city.",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        }
    ]
    r = client.responses.create(
        model=CHAT,
        input="Say hi.",
        instructions="Be brief.",
        max_output_tokens=16,
        temperature=0.5,
        top_p=0.9,
        metadata={"lesson": "09"},
        tools=tools,
        tool_choice="none",
        user="student-1",
    )
    assert r.id.startswith("resp_") and r.output[0].id.startswith("msg_")
    assert (r.instructions, r.max_output_tokens, r.temperature, r.top_p, r.metadata, r.tool_choice, r.user) == (
        "Be brief.",
        16,
        0.5,
        0.9,
        {"lesson": "09"},
        "none",
        "student-1",
    )
    assert r.tools[0].name == "get_weather" and r.tools[0].strict is True


def test_request_id_on_answers_errors_and_in_the_log(client, server):
    raw = client.chat.completions.with_raw_response.create(model=CHAT, messages=HI, max_tokens=1)
    assert raw.request_id.startswith("req_") and raw.parse()._request_id == raw.request_id
    with pytest.raises(openai.BadRequestError) as e:
        client.chat.completions.create(model=CHAT, messages=[])
    rid = e.value.request_id
    assert rid.startswith("req_") and rid != raw.request_id
    # The server logs a request once its response has gone out: give the line a moment.
    deadline = time.monotonic() + 5
    while rid not in server.log_path.read_text(errors="replace") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert rid in server.log_path.read_text(errors="replace")
