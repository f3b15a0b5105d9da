"""Conversations (the Responses API's replacement for the Assistants API's threads) in SQLite.

A conversation holds items in order; `responses.create(conversation=...)` reads
them as the conversation so far and appends its input and output items. Each key
sees only its own conversations; retention applies as for stored completions.
"""

from __future__ import annotations

import json
import time
from typing import Any

from .planning import new_id
from .store import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    created INTEGER NOT NULL,
    metadata TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS conversation_items (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    item TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS items_by_conversation ON conversation_items (conversation_id, seq);
"""


def _conversation(row: tuple) -> dict[str, Any]:
    return {"id": row[0], "object": "conversation", "created_at": row[1], "metadata": json.loads(row[2])}


class ConversationStore:
    def __init__(self, db: Database, retention_days: float = 30.0):
        self.db = db
        self.retention_s = retention_days * 86400
        db.script(SCHEMA)

    def create(self, owner: str, metadata: dict[str, str], items: list[dict[str, Any]]) -> dict[str, Any]:
        cid = new_id("conv", "_")
        self.db.write(
            "INSERT INTO conversations (id, owner, created, metadata) VALUES (?,?,?,?)",
            (cid, owner, int(time.time()), json.dumps(metadata, ensure_ascii=False)),
        )
        self.add_items(owner, cid, items)
        return self.get(owner, cid)

    def get(self, owner: str, cid: str) -> dict[str, Any] | None:
        row = self.db.one("SELECT id, created, metadata FROM conversations WHERE owner=? AND id=?", (owner, cid))
        return _conversation(row) if row else None

    def update(self, owner: str, cid: str, metadata: dict[str, str]) -> dict[str, Any] | None:
        if not self.db.write("UPDATE conversations SET metadata=? WHERE owner=? AND id=?", (json.dumps(metadata, ensure_ascii=False), owner, cid)):
            return None
        return self.get(owner, cid)

    def delete(self, owner: str, cid: str) -> bool:
        if not self.db.write("DELETE FROM conversations WHERE owner=? AND id=?", (owner, cid)):
            return False
        self.db.write("DELETE FROM conversation_items WHERE conversation_id=?", (cid,))
        return True

    def add_items(self, owner: str, cid: str, items: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
        if self.get(owner, cid) is None:
            return None
        for item in items:
            self.db.write("INSERT INTO conversation_items (id, conversation_id, item) VALUES (?,?,?)", (item["id"], cid, json.dumps(item, ensure_ascii=False)))
        return items

    def items(self, owner: str, cid: str) -> list[dict[str, Any]] | None:
        """Every item, oldest first; None when the key has no such conversation."""
        if self.get(owner, cid) is None:
            return None
        return [json.loads(r[0]) for r in self.db.all("SELECT item FROM conversation_items WHERE conversation_id=? ORDER BY seq", (cid,))]

    def delete_item(self, owner: str, cid: str, item_id: str) -> bool:
        if self.get(owner, cid) is None:
            return False
        return self.db.write("DELETE FROM conversation_items WHERE conversation_id=? AND id=?", (cid, item_id)) > 0

    def purge_expired(self, now: float | None = None) -> int:
        cutoff = int((now or time.time()) - self.retention_s)
        old = [r[0] for r in self.db.all("SELECT id FROM conversations WHERE created < ?", (cutoff,))]
        for cid in old:
            self.db.write("DELETE FROM conversation_items WHERE conversation_id=?", (cid,))
            self.db.write("DELETE FROM conversations WHERE id=?", (cid,))
        return len(old)

    def purge_all(self) -> int:
        self.db.write("DELETE FROM conversation_items")
        return self.db.write("DELETE FROM conversations")

    def count(self) -> int:
        return self.db.one("SELECT COUNT(*) FROM conversations")[0]
