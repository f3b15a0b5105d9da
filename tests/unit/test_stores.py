"""The SQLite stores on their own: each key sees only its own rows; retention purges old ones."""

from __future__ import annotations

import time

import pytest

from helpers.local.conversation_store import ConversationStore
from helpers.local.response_store import ResponseStore
from helpers.local.store import CompletionStore

DAY = 86400


@pytest.fixture
def store(tmp_path):
    s = CompletionStore(tmp_path / "course.sqlite3", retention_days=30)
    yield s
    s.close()


def completion(cid: str, created: int) -> dict:
    return {"id": cid, "object": "chat.completion", "created": created, "model": "qwen", "choices": []}


def test_completions_are_kept_per_key_and_listed_in_order(store):
    now = int(time.time())
    for i in range(3):
        store.put("alice", {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"q{i}"}]}, completion(f"c{i}", now + i), {"n": str(i)})
    assert store.get("bob", "c0") is None and store.messages("bob", "c0") is None
    assert store.get("alice", "c1")["metadata"] == {"n": "1"}
    page, more = store.list("alice", model="gpt-4o-mini", metadata={}, after=None, limit=2, order="desc")
    assert [c["id"] for c in page] == ["c2", "c1"] and more
    page, more = store.list("alice", model=None, metadata={"n": "0"}, after=None, limit=10, order="asc")
    assert [c["id"] for c in page] == ["c0"] and not more
    assert store.messages("alice", "c2") == [{"id": "c2-0", "role": "user", "content": "q2", "content_parts": None}]
    assert store.update_metadata("bob", "c1", {"x": "y"}) is None and store.delete("bob", "c1") is False
    assert store.delete("alice", "c1") and store.count() == 2


def test_retention_purges_only_what_is_older(store):
    now = time.time()
    store.put("alice", {}, completion("old", int(now - 31 * DAY)), {})
    store.put("alice", {}, completion("new", int(now - 29 * DAY)), {})
    assert store.purge_expired(now) == 1
    assert store.get("alice", "old") is None and store.get("alice", "new") is not None


def test_responses_are_per_key_and_a_background_one_moves_on(store):
    responses = ResponseStore(store.db)
    queued = {"id": "resp_1", "created_at": int(time.time()), "status": "queued", "background": True}
    responses.put("alice", queued, [{"id": "msg_1", "type": "message"}], [])
    assert responses.get("bob", "resp_1") is None
    responses.update("alice", {**queued, "status": "in_progress"})
    responses.update("bob", {**queued, "status": "cancelled"})  # another key cannot touch it
    assert responses.get("alice", "resp_1")["status"] == "in_progress"
    assert responses.input_items("alice", "resp_1") == [{"id": "msg_1", "type": "message"}] and responses.history("alice", "resp_1") == []
    assert not responses.delete("bob", "resp_1") and responses.delete("alice", "resp_1")
    assert responses.get("alice", "resp_1") is None


def test_conversations_keep_their_items_in_order_per_key(store):
    conversations = ConversationStore(store.db, retention_days=30)
    conv = conversations.create("alice", {"topic": "t"}, [{"id": "msg_a", "type": "message"}])
    assert conv["object"] == "conversation" and conv["metadata"] == {"topic": "t"}
    assert conversations.add_items("bob", conv["id"], [{"id": "msg_x"}]) is None
    conversations.add_items("alice", conv["id"], [{"id": "msg_b", "type": "message"}])
    assert [i["id"] for i in conversations.items("alice", conv["id"])] == ["msg_a", "msg_b"]
    assert conversations.items("bob", conv["id"]) is None
    assert conversations.delete_item("alice", conv["id"], "msg_a")
    assert conversations.update("alice", conv["id"], {"topic": "u"})["metadata"] == {"topic": "u"}
    assert conversations.purge_expired(time.time() + 31 * DAY) == 1 and conversations.count() == 0
