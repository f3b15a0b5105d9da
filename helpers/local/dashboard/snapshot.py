"""What the teacher sees, as plain data: one snapshot feeds the page, the JSON route
and the two CSV exports, so they always agree.

Students are the names of the key sheet (plus any key that was used but is no
longer on it, shown by the start of its hash); counters come from the usage
book, exercise cells from the progress store. Names and answers are data,
never markup: the page writes them with textContent, and the CSV cells that a
spreadsheet would run as a formula are quoted.
"""
from __future__ import annotations

import csv
import io
import time
from typing import Any

from ..gate import ANONYMOUS
from ..usage import RATE_BUCKET_S
from .progress_store import Cell

ADMIN = "admin"


def _iso(ts: float | None) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts)) if ts else ""


def student_ids(names: dict[str, str], used: set[str]) -> list[str]:
    """Everyone on the key sheet, then unknown keys that were used, sorted by name."""
    ids = set(names) | {who for who in used if who != ADMIN}
    if names:
        ids.discard(ANONYMOUS)
    return sorted(ids, key=lambda who: (who not in names, names.get(who, who).casefold()))


def _usage_row(usage: dict[str, Any] | None) -> dict[str, Any]:
    u = usage or {}
    errors = {int(k): v for k, v in (u.get("errors") or {}).items()}
    return {"requests": u.get("requests", 0), "prompt_tokens": u.get("prompt_tokens", 0),
            "completion_tokens": u.get("completion_tokens", 0),
            "errors": sum(n for s, n in errors.items() if s != 429), "rate_limited": errors.get(429, 0),
            "last_seen": u.get("last_seen") or 0}


def _cell_json(cell: Cell, with_answer: bool) -> dict[str, Any]:
    out = {"status": cell.status, "attempts": cell.attempts, "last": int(cell.last_attempt)}
    if with_answer and cell.answer is not None:
        out["answer"] = cell.answer
    return out


def build(state, cells: dict[tuple[str, str], Cell], exercises: list[str], collect_answers: bool) -> dict[str, Any]:
    """The whole class in one JSON-ready dict."""
    names = state.keys.names
    usage = state.usage.per_key()
    ids = student_ids(names, set(usage) | {owner for owner, _ in cells})
    by_owner: dict[str, dict[str, Cell]] = {}
    for (owner, ex), c in cells.items():
        by_owner.setdefault(owner, {})[ex] = c
    students = []
    for who in ids:
        mine = by_owner.get(who, {})
        row = _usage_row(usage.get(who))
        row["last_seen"] = int(max([row["last_seen"]] + [c.last_attempt for c in mine.values()]))
        students.append({"name": names.get(who, who[:8]), **row, "passed": sum(c.passed for c in mine.values()),
                         "progress": {ex: _cell_json(c, collect_answers) for ex, c in sorted(mine.items())}})
    rate = state.usage.completion_rate()
    done = [v for t, v in rate if t + RATE_BUCKET_S <= time.time()]
    return {"object": "course.dashboard", "now": int(time.time()), "exercises": exercises, "students": students,
            "collect_answers": collect_answers,
            "class": {**state.scheduler.snapshot(), "tokens_per_s": round(done[-1], 1) if done else 0.0,
                      "rate": [[t, round(v, 2)] for t, v in rate], "rate_bucket_s": RATE_BUCKET_S}}


def _safe(value: Any) -> Any:
    """Keep a spreadsheet from running a cell as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows([[_safe(v) for v in row] for row in rows])
    return "\ufeff" + buf.getvalue()  # the BOM lets Excel read the Chinese names as UTF-8


def progress_csv(snapshot: dict[str, Any]) -> str:
    """One row per student and exercise, not-yet ones included."""
    header = ["name", "exercise", "status", "attempts", "last_attempt"]
    if snapshot["collect_answers"]:
        header.append("last_answer")
    rows = []
    for s in snapshot["students"]:
        for ex in snapshot["exercises"]:
            c = s["progress"].get(ex)
            row = [s["name"], ex, c["status"] if c else "not_yet", c["attempts"] if c else 0, _iso(c["last"]) if c else ""]
            if snapshot["collect_answers"]:
                row.append((c or {}).get("answer", ""))
            rows.append(row)
    return _csv(header, rows)


def usage_csv(snapshot: dict[str, Any]) -> str:
    header = ["name", "requests", "prompt_tokens", "completion_tokens", "errors", "rate_limited", "exercises_passed", "last_seen"]
    rows = [[s["name"], s["requests"], s["prompt_tokens"], s["completion_tokens"], s["errors"], s["rate_limited"], s["passed"],
             _iso(s["last_seen"])] for s in snapshot["students"]]
    return _csv(header, rows)
