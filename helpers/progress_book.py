"""The learner's own exercise progress, kept on their machine: `helpers.progress()`.

Every `check(...)` records its attempt here (exercise id, passed or not, when;
never the answer), in a small SQLite file in the course cache, so the table
survives kernel restarts and is shared by all notebooks. `COURSE_PROGRESS_DB`
moves the file (the tests use it to keep a learner's real progress untouched).
"""
from __future__ import annotations

import html
import locale
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from .paths import cache_dir

SCHEMA = """CREATE TABLE IF NOT EXISTS attempts (exercise TEXT NOT NULL, passed INTEGER NOT NULL, created REAL NOT NULL);
CREATE INDEX IF NOT EXISTS attempts_by_exercise ON attempts (exercise);"""
WORDS = {
    "en": {"lesson": "Lesson", "passed": "Passed", "tried": "Tried, not passed yet", "not_yet": "Not yet",
           "title": "Your exercises", "total": "{p} of {n} exercises passed", "name": "Lesson {n}", "none": "–"},
    "zh": {"lesson": "课", "passed": "已通过", "tried": "做过，还没通过", "not_yet": "还没做",
           "title": "你的练习", "total": "{n} 道练习里通过了 {p} 道", "name": "第 {n} 课", "none": "–"},
}


def db_path() -> Path:
    return Path(os.environ.get("COURSE_PROGRESS_DB") or cache_dir() / "progress.sqlite3")


def _connect() -> sqlite3.Connection:
    path = db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=5, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.executescript(SCHEMA)
    return db


def record(exercise_id: str, passed: bool) -> int:
    """Keep one attempt; return this learner's attempt number for the exercise."""
    db = _connect()
    try:
        db.execute("INSERT INTO attempts (exercise, passed, created) VALUES (?,?,?)", (exercise_id, int(passed), time.time()))
        return db.execute("SELECT COUNT(*) FROM attempts WHERE exercise=?", (exercise_id,)).fetchone()[0]
    finally:
        db.close()


def attempts() -> dict[str, tuple[int, bool]]:
    """{exercise id: (attempts, passed at least once)}."""
    if not db_path().exists():
        return {}
    db = _connect()
    try:
        return {ex: (n, bool(p)) for ex, n, p in db.execute("SELECT exercise, COUNT(*), MAX(passed) FROM attempts GROUP BY exercise")}
    finally:
        db.close()


def learner_lang() -> str:
    """COURSE_LANG if set (zh or en), else the system's language."""
    wanted = os.environ.get("COURSE_LANG") or os.environ.get("LC_ALL") or os.environ.get("LANG") or (locale.getlocale()[0] or "")
    return "zh" if wanted.lower().startswith("zh") else "en"


@dataclass
class ProgressTable:
    """One row per lesson: which exercises are passed, tried, not yet. Shows as a table in
    Jupyter and as text in a terminal."""

    rows: list[tuple[str, list[str], list[str], list[str]]]
    lang: str

    @property
    def words(self) -> dict[str, str]:
        return WORDS[self.lang]

    def _cells(self) -> list[list[str]]:
        w = self.words
        return [[w["name"].format(n=lesson)] + [", ".join(ids) or w["none"] for ids in groups] for lesson, *groups in self.rows]

    def _summary(self) -> str:
        passed = sum(len(r[1]) for r in self.rows)
        total = sum(len(r[1]) + len(r[2]) + len(r[3]) for r in self.rows)
        return self.words["total"].format(p=passed, n=total)

    def __str__(self) -> str:
        w = self.words
        head = [w["lesson"], "✅ " + w["passed"], "🔁 " + w["tried"], "· " + w["not_yet"]]
        lines = [w["title"], " | ".join(head)] + [" | ".join(c) for c in self._cells()] + [self._summary()]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        w = self.words
        head = "".join(f"<th>{html.escape(h)}</th>" for h in (w["lesson"], "✅ " + w["passed"], "🔁 " + w["tried"], "· " + w["not_yet"]))
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in self._cells())
        return (f"<p><b>{html.escape(w['title'])}</b></p><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
                f"<p>{html.escape(self._summary())}</p>")


def progress(lang: str | None = None) -> ProgressTable:
    """Your own table of passed, tried and not-yet exercises per lesson (lang: "zh" or "en")."""
    from .exercises import exercise_ids

    lang = lang if lang in WORDS else learner_lang()
    seen = attempts()
    lessons: dict[str, tuple[list[str], list[str], list[str]]] = {}
    for ex in exercise_ids():
        n, ok = seen.get(ex, (0, False))
        groups = lessons.setdefault(ex.split(".")[0], ([], [], []))
        if ok:
            groups[0].append(ex)
        else:
            (groups[1] if n else groups[2]).append(f"{ex} ×{n}" if n else ex)
    return ProgressTable([(lesson, *groups) for lesson, groups in sorted(lessons.items())], lang)
