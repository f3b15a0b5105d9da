"""Stored responses (`store` defaults to true in the Responses API), each key seeing only its own.

A row keeps the Response object, its input items (what `GET .../input_items`
lists) and the conversation so far as chat messages, so that
`previous_response_id` can continue it. Instructions are not part of that
history: as in the API, they do not carry over to the next response.
Retention is the same as for stored completions.
"""

from __future__ import annotations

import json
import time
from typing import Any

from .store import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS stored_responses (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    created INTEGER NOT NULL,
    response TEXT NOT NULL,
    input_items TEXT NOT NULL,
    history TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS responses_by_owner ON stored_responses (owner, created, id);
"""


class ResponseStore:
    def __init__(self, db: Database, retention_days: float = 30.0):
        self.db = db
        self.retention_s = retention_days * 86400
        db.script(SCHEMA)

    def put(self, owner: str, response: dict[str, Any], input_items: list[dict[str, Any]], history: list[dict[str, Any]]) -> None:
        self.db.write(
            "INSERT OR REPLACE INTO stored_responses (id, owner, created, response, input_items, history) VALUES (?,?,?,?,?,?)",
            (
                response["id"],
                owner,
                int(response["created_at"]),
                json.dumps(response, ensure_ascii=False),
                json.dumps(input_items, ensure_ascii=False),
                json.dumps(history, ensure_ascii=False),
            ),
        )

    def _field(self, owner: str, rid: str, column: str) -> Any:
        row = self.db.one(f"SELECT {column} FROM stored_responses WHERE owner=? AND id=?", (owner, rid))
        return json.loads(row[0]) if row else None

    def get(self, owner: str, rid: str) -> dict[str, Any] | None:
        return self._field(owner, rid, "response")

    def input_items(self, owner: str, rid: str) -> list[dict[str, Any]] | None:
        return self._field(owner, rid, "input_items")

    def history(self, owner: str, rid: str) -> list[dict[str, Any]] | None:
        return self._field(owner, rid, "history")

    def delete(self, owner: str, rid: str) -> bool:
        return self.db.write("DELETE FROM stored_responses WHERE owner=? AND id=?", (owner, rid)) > 0

    def purge_expired(self, now: float | None = None) -> int:
        return self.db.write("DELETE FROM stored_responses WHERE created < ?", (int((now or time.time()) - self.retention_s),))

    def purge_all(self) -> int:
        return self.db.write("DELETE FROM stored_responses")

    def count(self) -> int:
        return self.db.one("SELECT COUNT(*) FROM stored_responses")[0]
