"""Exercise attempts reported by students' notebooks, in SQLite beside the stored completions.

One row per attempt (who, which exercise, passed or not, the notebook's attempt
number, when; the answer text only when the teacher collects answers). The
dashboard's grid is a GROUP BY over these rows, so a restart loses nothing.
Rows follow the stored completions' retention: older ones are purged when the
store opens and then at most hourly, whenever it is written or read, and
`python -m helpers.local purge` deletes them all.
"""
from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS exercise_attempts (
    id INTEGER PRIMARY KEY,
    owner TEXT NOT NULL,
    exercise TEXT NOT NULL,
    passed INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    created REAL NOT NULL,
    answer TEXT
);
CREATE INDEX IF NOT EXISTS attempts_by_owner ON exercise_attempts (owner, exercise, created);
CREATE INDEX IF NOT EXISTS attempts_by_time ON exercise_attempts (created);
"""
PURGE_EVERY_S = 3600


@dataclass(frozen=True)
class Cell:
    """One student's state on one exercise."""

    attempts: int
    passed: bool
    last_attempt: float
    answer: str | None = None

    @property
    def status(self) -> str:
        return "passed" if self.passed else "tried"


class ProgressStore:
    def __init__(self, path: str | Path, retention_days: float = 30.0):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.retention_s = retention_days * 86400
        self._lock = threading.Lock()
        # WAL + synchronous=NORMAL: a committed attempt survives a crash of the server
        # (only a power cut may lose the last ones), at a fraction of FULL's cost per report.
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self._next_purge = 0.0
        self.purge_expired()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def record(self, owner: str, exercise: str, passed: bool, attempt: int, answer: str | None = None,
               now: float | None = None) -> int:
        """Store one attempt; return how many attempts this student has made at this exercise."""
        now = now or time.time()
        self._purge_if_due()
        with self._lock:
            self._db.execute("INSERT INTO exercise_attempts (owner, exercise, passed, attempt, created, answer) VALUES (?,?,?,?,?,?)",
                             (owner, exercise, int(passed), attempt, now, answer))
            return self._db.execute("SELECT COUNT(*) FROM exercise_attempts WHERE owner=? AND exercise=?",
                                    (owner, exercise)).fetchone()[0]

    def cells(self) -> dict[tuple[str, str], Cell]:
        """{(owner, exercise): Cell} for every pair with at least one attempt."""
        self._purge_if_due()
        with self._lock:
            rows = self._db.execute("SELECT owner, exercise, COUNT(*), MAX(passed), MAX(created) FROM exercise_attempts "
                                    "GROUP BY owner, exercise").fetchall()
            answers = {(o, e): a for o, e, a in self._db.execute(
                "SELECT owner, exercise, answer FROM exercise_attempts WHERE answer IS NOT NULL ORDER BY created")}
        return {(o, e): Cell(n, bool(p), last, answers.get((o, e))) for o, e, n, p, last in rows}

    def _purge_if_due(self) -> None:
        if time.monotonic() >= self._next_purge:
            self.purge_expired()

    def purge_expired(self, now: float | None = None) -> int:
        cutoff = (now or time.time()) - self.retention_s
        self._next_purge = time.monotonic() + PURGE_EVERY_S
        with self._lock:
            return self._db.execute("DELETE FROM exercise_attempts WHERE created < ?", (cutoff,)).rowcount

    def purge_all(self) -> int:
        with self._lock:
            return self._db.execute("DELETE FROM exercise_attempts").rowcount

    def count(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM exercise_attempts").fetchone()[0]
