"""Responses state through the real SDK: stored by default, retrieved, continued, deleted, per key."""

from __future__ import annotations

import openai
import pytest
from contract import assert_exact
from openai.types.responses import Response, ResponseItemList

from conftest import CHAT


def test_store_default_get_input_items_delete(client):
    r = client.responses.create(model=CHAT, input="Name a colour.", instructions="One word.", max_output_tokens=16)
    got = client.responses.retrieve(r.id)
    assert got.id == r.id and got.output_text == r.output_text
    raw = client.responses.with_raw_response.retrieve(r.id).http_response.json()
    assert_exact(Response, raw)
    items = client.responses.input_items.list(r.id)
    assert [(i.role, i.content[0].text) for i in items.data] == [("user", "Name a colour.")]
    assert_exact(ResponseItemList, client.responses.input_items.with_raw_response.list(r.id).http_response.json())
    client.responses.delete(r.id)
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(r.id)


def test_store_false_is_not_kept(client):
    r = client.responses.create(model=CHAT, input="Hi.", max_output_tokens=16, store=False)
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(r.id)


def test_previous_response_continues_without_its_instructions(client):
    first = client.responses.create(model=CHAT, input="My name is Lin. Reply with OK.", instructions="Answer in English.", max_output_tokens=16, temperature=0)
    second = client.responses.create(model=CHAT, previous_response_id=first.id, input="What is my name? One word.", max_output_tokens=16, temperature=0)
    assert second.previous_response_id == first.id and second.instructions is None
    # The whole conversation was sent: the prompt holds both turns and the first answer.
    alone = client.responses.create(model=CHAT, input="What is my name? One word.", max_output_tokens=16, temperature=0)
    assert second.usage.input_tokens > alone.usage.input_tokens + first.usage.output_tokens
    with pytest.raises(openai.BadRequestError) as e:
        client.responses.create(model=CHAT, previous_response_id="resp_missing", input="Hi.")
    assert e.value.code == "previous_response_not_found" and e.value.param == "previous_response_id"


def test_an_empty_input_with_nothing_before_it_is_a_400(client):
    for stream in (False, True):
        with pytest.raises(openai.BadRequestError) as e:
            client.responses.create(model=CHAT, input=[], stream=stream)
        assert e.value.code == "empty_array" and e.value.param == "input"
    first = client.responses.create(model=CHAT, input="Say hello.", max_output_tokens=16)
    after = client.responses.create(model=CHAT, input=[], previous_response_id=first.id, max_output_tokens=16)
    assert after.status == "completed"  # with a conversation before it, an empty input just continues


def test_streamed_response_is_stored(client):
    events = list(client.responses.create(model=CHAT, input="Say hi.", max_output_tokens=16, stream=True))
    final = events[-1].response
    assert client.responses.retrieve(final.id).output_text == final.output_text


def test_each_key_sees_only_its_own_responses(keyed_server):
    one = openai.OpenAI(base_url=keyed_server.base_url, api_key="sk-student-one-0001", max_retries=0)
    two = openai.OpenAI(base_url=keyed_server.base_url, api_key="sk-student-two-0002", max_retries=0)
    r = one.responses.create(model=CHAT, input="Hi.", max_output_tokens=16)
    with pytest.raises(openai.NotFoundError):
        two.responses.retrieve(r.id)
    with pytest.raises(openai.BadRequestError):
        two.responses.create(model=CHAT, previous_response_id=r.id, input="Hi again.", max_output_tokens=16)
    assert one.responses.retrieve(r.id).id == r.id
