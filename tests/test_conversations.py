"""The Conversations API and `conversation` / `input_tokens` on responses, through the real SDK."""
from __future__ import annotations

import openai
import pytest
from contract import assert_exact
from openai.types.conversations import Conversation, ConversationDeletedResource, ConversationItemList
from openai.types.responses import InputTokenCountResponse, Response

from conftest import CHAT


def raw_json(call, *args, **kwargs):
    return call(*args, **kwargs).http_response.json()


def test_create_retrieve_update_delete(client):
    conv = client.conversations.create(metadata={"topic": "demo"}, items=[{"role": "user", "content": "Hello!"}])
    assert conv.id.startswith("conv_") and conv.metadata == {"topic": "demo"}
    assert_exact(Conversation, raw_json(client.conversations.with_raw_response.retrieve, conv.id))
    assert client.conversations.update(conv.id, metadata={"topic": "changed"}).metadata == {"topic": "changed"}
    deleted = raw_json(client.conversations.with_raw_response.delete, conv.id)
    assert_exact(ConversationDeletedResource, deleted)
    assert deleted["deleted"] is True
    with pytest.raises(openai.NotFoundError):
        client.conversations.retrieve(conv.id)


def test_items_list_add_retrieve_delete(client):
    conv = client.conversations.create(items=[{"role": "user", "content": "one"}])
    added = client.conversations.items.create(conv.id, items=[{"role": "assistant", "content": "two"},
                                                              {"role": "user", "content": [{"type": "input_text", "text": "three"}]}])
    assert [i.role for i in added.data] == ["assistant", "user"]
    listing = raw_json(client.conversations.items.with_raw_response.list, conv.id, order="asc")
    assert_exact(ConversationItemList, listing)
    assert [i["content"][0]["text"] for i in listing["data"]] == ["one", "two", "three"]
    first = listing["data"][0]["id"]
    assert client.conversations.items.retrieve(first, conversation_id=conv.id).id == first
    client.conversations.items.delete(first, conversation_id=conv.id)
    assert [i.content[0].text for i in client.conversations.items.list(conv.id, order="asc").data] == ["two", "three"]
    with pytest.raises(openai.NotFoundError):
        client.conversations.items.retrieve(first, conversation_id=conv.id)


def test_responses_in_a_conversation(client):
    conv = client.conversations.create(items=[{"role": "user", "content": "My name is Lin."}])
    r = client.responses.create(model=CHAT, conversation=conv.id, input="What is my name? One word.", max_output_tokens=16)
    assert r.conversation.id == conv.id
    assert_exact(Response, raw_json(client.responses.with_raw_response.retrieve, r.id))
    items = client.conversations.items.list(conv.id, order="asc").data
    assert [i.role for i in items] == ["user", "user", "assistant"] and items[-1].id == r.output[0].id
    with pytest.raises(openai.BadRequestError):
        client.responses.create(model=CHAT, conversation=conv.id, previous_response_id=r.id, input="Hi.")
    with pytest.raises(openai.NotFoundError):
        client.responses.create(model=CHAT, conversation="conv_missing", input="Hi.")


def test_input_tokens_counts_what_would_be_sent(client):
    short = raw_json(client.responses.input_tokens.with_raw_response.count, model=CHAT, input="Hi.")
    assert_exact(InputTokenCountResponse, short)
    longer = client.responses.input_tokens.count(model=CHAT, input="Hi. Tell me about the sea and the rivers that run into it.")
    assert longer.input_tokens > short["input_tokens"] > 0
    r = client.responses.create(model=CHAT, input="Hi.", max_output_tokens=16)
    assert r.usage.input_tokens == short["input_tokens"]


def test_each_key_sees_only_its_own_conversations(keyed_server):
    one = openai.OpenAI(base_url=keyed_server.base_url, api_key="sk-student-one-0001", max_retries=0)
    two = openai.OpenAI(base_url=keyed_server.base_url, api_key="sk-student-two-0002", max_retries=0)
    conv = one.conversations.create(items=[{"role": "user", "content": "secret"}])
    for call in (lambda: two.conversations.retrieve(conv.id), lambda: two.conversations.items.list(conv.id),
                 lambda: two.conversations.delete(conv.id)):
        with pytest.raises(openai.NotFoundError):
            call()
    assert one.conversations.retrieve(conv.id).id == conv.id
