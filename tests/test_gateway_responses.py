"""Responses state in gateway mode, through the real SDK: stored responses, input items,
deletion, `previous_response_id` and `conversation` are the class server's, per student
key; the two real upstreams (this project's own server, each demanding the teacher's
key) are asked statelessly and keep nothing."""

from __future__ import annotations

import httpx
import openai
import pytest
from contract import assert_exact
from gateway_support import UPSTREAM_KEY, running_upstreams, start_gateway
from openai.types.responses import InputTokenCountResponse, Response, ResponseItemList
from server_proc import ServerProcess

CHAT = "gpt-4o-mini"
STUDENTS = {"ada": "sk-student-ada-0101", "bo": "sk-student-bo-0202"}
ADMIN = "admin-gateway-responses-7"
SHORT = {"model": CHAT, "max_output_tokens": 16, "temperature": 0}


@pytest.fixture(scope="module")
def upstreams(tmp_path_factory):
    with running_upstreams(tmp_path_factory.mktemp("upstreams")) as started:
        yield started


@pytest.fixture(scope="module")
def gateway(upstreams, tmp_path_factory):
    upstream_model = httpx.get(upstreams[0].base_url[:-3] + "/health").json()["chat_model"]
    keys = [flag for key in STUDENTS.values() for flag in ("--api-key", key)]
    srv = start_gateway(upstreams, *keys, "--admin-key", ADMIN, "--model-map", f"{CHAT}={upstream_model}", tmp=tmp_path_factory.mktemp("gateway"))
    yield srv
    srv.stop()


def student(srv: ServerProcess, name: str = "ada") -> openai.OpenAI:
    return openai.OpenAI(base_url=srv.base_url, api_key=STUDENTS[name], max_retries=0, timeout=120)


def served_by_each(gateway: ServerProcess) -> dict[str, int]:
    report = httpx.get(gateway.base_url + "/admin/usage", headers={"Authorization": f"Bearer {ADMIN}"}).json()
    return {u["upstream"]: u["requests"] for u in report["upstreams"]["chat"]}


def which_upstream(gateway: ServerProcess, call):
    """The result of `call` and the label of the one upstream that served it."""
    before = served_by_each(gateway)
    result = call()
    after = served_by_each(gateway)
    (label,) = [u for u in after if after[u] != before.get(u)]
    return result, label


def test_a_stored_response_is_the_class_servers_and_the_students_own(gateway, upstreams):
    ada = student(gateway)
    r = ada.responses.create(input="Name a colour.", instructions="One word.", metadata={"lesson": "09"}, **SHORT)
    assert_exact(Response, ada.responses.with_raw_response.retrieve(r.id).http_response.json())
    got = ada.responses.retrieve(r.id)
    assert got.id == r.id and got.output_text == r.output_text and got.metadata == {"lesson": "09"}
    assert got.previous_response_id is None and got.conversation is None
    items = ada.responses.input_items.with_raw_response.list(r.id).http_response.json()
    assert_exact(ResponseItemList, items)
    assert [(i["role"], i["content"][0]["text"]) for i in items["data"]] == [("user", "Name a colour.")]
    with pytest.raises(openai.NotFoundError):  # another student's key
        student(gateway, "bo").responses.retrieve(r.id)
    for u in upstreams:  # asked with store: false, the engines kept nothing of it
        with pytest.raises(openai.NotFoundError):
            openai.OpenAI(base_url=u.base_url, api_key=UPSTREAM_KEY, max_retries=0).responses.retrieve(r.id)
    assert ada.responses.delete(r.id) is None
    with pytest.raises(openai.NotFoundError):
        ada.responses.retrieve(r.id)
    unstored = ada.responses.create(input="Hi.", store=False, **SHORT)
    with pytest.raises(openai.NotFoundError):
        ada.responses.retrieve(unstored.id)


def test_previous_response_id_continues_on_whichever_upstream_is_free(gateway):
    ada = student(gateway)
    first, one = which_upstream(gateway, lambda: ada.responses.create(input="My name is Lin. Reply with OK.", **SHORT))
    second, other = which_upstream(gateway, lambda: ada.responses.create(previous_response_id=first.id, input="What is my name? One word.", **SHORT))
    assert one != other  # the next turn went to the other engine, which never saw the first
    assert_exact(Response, ada.responses.with_raw_response.retrieve(second.id).http_response.json())
    assert second.previous_response_id == first.id and ada.responses.retrieve(second.id).previous_response_id == first.id
    alone = ada.responses.create(input="What is my name? One word.", **SHORT)
    # The engine read the whole conversation: both turns and the first answer.
    assert second.usage.input_tokens > alone.usage.input_tokens + first.usage.output_tokens
    assert [i.content[0].text for i in ada.responses.input_items.list(second.id).data] == ["What is my name? One word."]
    third = ada.responses.create(previous_response_id=second.id, input="And again?", **SHORT)
    assert third.usage.input_tokens > second.usage.input_tokens + second.usage.output_tokens  # a chain, not one turn back
    with pytest.raises(openai.BadRequestError) as e:  # another student cannot continue it
        student(gateway, "bo").responses.create(previous_response_id=first.id, input="Hi.", **SHORT)
    assert e.value.code == "previous_response_not_found" and e.value.param == "previous_response_id"


def test_a_streamed_response_is_stored_before_its_last_event(gateway):
    ada = student(gateway)
    first = ada.responses.create(input="Name a fruit.", **SHORT)
    events, stored = [], None
    for event in ada.responses.create(previous_response_id=first.id, input="Another one.", stream=True, **SHORT):
        events.append(event)
        if event.type in ("response.completed", "response.incomplete"):
            stored = ada.responses.retrieve(event.response.id)  # asked while the stream is still open
    final = events[-1].response
    assert events[0].type == "response.created" and events[0].response.previous_response_id == first.id
    assert final.previous_response_id == first.id and final.usage.input_tokens > 0
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert stored is not None and stored.id == final.id and stored.output_text == final.output_text == text
    for event in events:
        assert not event.model_extra


def test_a_conversation_grows_through_the_gateway(gateway):
    ada = student(gateway)
    conv = ada.conversations.create(items=[{"role": "user", "content": "My name is Lin."}])
    r = ada.responses.create(conversation=conv.id, input="What is my name? One word.", **SHORT)
    assert r.conversation.id == conv.id
    assert_exact(Response, ada.responses.with_raw_response.retrieve(r.id).http_response.json())
    items = ada.conversations.items.list(conv.id, order="asc").data
    assert [i.role for i in items] == ["user", "user", "assistant"] and items[-1].id == r.output[0].id
    alone = ada.responses.create(input="What is my name? One word.", **SHORT)
    assert r.usage.input_tokens > alone.usage.input_tokens  # the conversation's first item was read too
    streamed = list(ada.responses.create(conversation={"id": conv.id}, input="Thanks.", stream=True, **SHORT))
    assert streamed[-1].response.conversation.id == conv.id
    assert len(ada.conversations.items.list(conv.id).data) == 5
    with pytest.raises(openai.BadRequestError) as e:
        ada.responses.create(conversation=conv.id, previous_response_id=r.id, input="Hi.", **SHORT)
    assert e.value.code == "mutually_exclusive_parameters"
    with pytest.raises(openai.NotFoundError):  # another student's conversation does not exist for them
        student(gateway, "bo").responses.create(conversation=conv.id, input="Hi.", **SHORT)


def test_input_tokens_are_counted_by_the_engine_on_the_whole_conversation(gateway):
    ada = student(gateway)
    raw = ada.responses.input_tokens.with_raw_response.count(model=CHAT, input="Hi.").http_response.json()
    assert_exact(InputTokenCountResponse, raw)
    assert raw["input_tokens"] == ada.responses.create(input="Hi.", **SHORT).usage.input_tokens > 0
    first = ada.responses.create(input="My name is Lin. Reply with OK.", **SHORT)
    continued = ada.responses.input_tokens.count(model=CHAT, previous_response_id=first.id, input="Hi.")
    assert continued.input_tokens > raw["input_tokens"] + first.usage.output_tokens
