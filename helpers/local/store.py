"""Stored chat completions (`store: true`) in SQLite, with retention.

Only requests that ask for it are kept, and only for their own key: each row
records the owner's key hash. WAL mode with synchronous=FULL and one
transaction per completion: a completion acknowledged to the client is on
disk, and a crash leaves no half-written row. Rows older than the retention
period (30 days by default, as on the API) are purged automatically.
"""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS stored_completions (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    created INTEGER NOT NULL,
    model TEXT NOT NULL,
    metadata TEXT NOT NULL,
    request TEXT NOT NULL,
    response TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS stored_by_owner ON stored_completions (owner, created, id);
"""


class Database:
    """One SQLite file shared by every store of the server, one statement at a time."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")

    def script(self, sql: str) -> None:
        with self._lock:
            self._db.executescript(sql)

    def write(self, sql: str, args: tuple = ()) -> int:
        with self._lock:
            return self._db.execute(sql, args).rowcount

    def one(self, sql: str, args: tuple | list = ()) -> tuple | None:
        with self._lock:
            return self._db.execute(sql, args).fetchone()

    def all(self, sql: str, args: tuple | list = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def close(self) -> None:
        with self._lock:
            self._db.close()


class CompletionStore:
    def __init__(self, path: str | Path, retention_days: float = 30.0):
        self.db = Database(path)
        self.path = self.db.path
        self.retention_s = retention_days * 86400
        self.db.script(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def _write(self, sql: str, args: tuple) -> int:
        return self.db.write(sql, args)

    def put(self, owner: str, request: dict[str, Any], response: dict[str, Any], metadata: dict[str, str]) -> None:
        self._write("INSERT INTO stored_completions (id, owner, created, model, metadata, request, response) VALUES (?,?,?,?,?,?,?)",
                    (response["id"], owner, int(response["created"]), response["model"], json.dumps(metadata, ensure_ascii=False),
                     json.dumps(request, ensure_ascii=False), json.dumps(response, ensure_ascii=False)))

    def _row(self, owner: str, cid: str) -> tuple | None:
        return self.db.one("SELECT id, created, metadata, request, response FROM stored_completions WHERE owner=? AND id=?", (owner, cid))

    @staticmethod
    def _completion(row: tuple) -> dict[str, Any]:
        resp = json.loads(row[4])
        resp["metadata"] = json.loads(row[2])
        return resp

    def get(self, owner: str, cid: str) -> dict[str, Any] | None:
        row = self._row(owner, cid)
        return self._completion(row) if row else None

    def messages(self, owner: str, cid: str) -> list[dict[str, Any]] | None:
        row = self._row(owner, cid)
        if not row:
            return None
        msgs = json.loads(row[3]).get("messages", [])
        return [{"id": f"{cid}-{i}", "role": m.get("role"), "content": m.get("content"), "content_parts": None}
                for i, m in enumerate(msgs)]

    def list(self, owner: str, *, model: str | None, metadata: dict[str, str], after: str | None, limit: int, order: str) -> tuple[list[dict], bool]:
        sql = "SELECT id, created, metadata, request, response FROM stored_completions WHERE owner=?"
        args: list[Any] = [owner]
        if model:  # the local model that answered, or the name the request used (e.g. gpt-4o-mini)
            sql += " AND (model=? OR json_extract(request, '$.model')=?)"
            args += [model, model]
        for k, v in metadata.items():
            sql += " AND json_extract(metadata, ?) = ?"
            args += [f'$."{k}"', v]
        if after:
            anchor = self._row(owner, after)
            if anchor:
                op = ">" if order == "asc" else "<"
                sql += f" AND (created, id) {op} (?, ?)"
                args += [anchor[1], anchor[0]]
        direction = "ASC" if order == "asc" else "DESC"
        sql += f" ORDER BY created {direction}, id {direction} LIMIT ?"
        args.append(limit + 1)
        rows = self.db.all(sql, args)
        return [self._completion(r) for r in rows[:limit]], len(rows) > limit

    def update_metadata(self, owner: str, cid: str, metadata: dict[str, str]) -> dict[str, Any] | None:
        if not self._write("UPDATE stored_completions SET metadata=? WHERE owner=? AND id=?",
                           (json.dumps(metadata, ensure_ascii=False), owner, cid)):
            return None
        return self.get(owner, cid)

    def delete(self, owner: str, cid: str) -> bool:
        return self._write("DELETE FROM stored_completions WHERE owner=? AND id=?", (owner, cid)) > 0

    def purge_expired(self, now: float | None = None) -> int:
        cutoff = int((now or time.time()) - self.retention_s)
        return self._write("DELETE FROM stored_completions WHERE created < ?", (cutoff,))

    def purge_all(self) -> int:
        return self._write("DELETE FROM stored_completions", ())

    def count(self) -> int:
        return self.db.one("SELECT COUNT(*) FROM stored_completions")[0]
