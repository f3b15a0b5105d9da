"""Exercise checks: `check("03.2", answer)` gives feedback in both languages.

Checks test structure and facts (a token count, a JSON shape, a messages list,
a retention period), never a model's wording, so they pass offline and online
alike. Each lesson registers its checks in its own module (lesson03.py, ...);
solutions for teachers live in one place: solutions/README.md at the repo root.
"""
from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_CHECKS: dict[str, Callable[[Any], Feedback]] = {}


SHARED_EN = "📤 Your answer text was sent to your teacher: the class server collects answers (COURSE_PROGRESS_REPORTING=off stops it)."
SHARED_ZH = "📤 你的答案原文已发送给老师：课堂服务器在收集答案（设置 COURSE_PROGRESS_REPORTING=off 可停止）。"


@dataclass
class Feedback:
    ok: bool
    en: str
    zh: str
    shared: bool = False  # the answer text went to the class server; then the feedback says so

    def __str__(self) -> str:
        mark = "✅" if self.ok else "❌"
        note = f"\n{SHARED_EN}\n   {SHARED_ZH}" if self.shared else ""
        return f"{mark} {self.en}\n   {self.zh}{note}"

    def _repr_markdown_(self) -> str:
        mark = "✅" if self.ok else "❌"
        note = f"<br>{SHARED_EN}<br>{SHARED_ZH}" if self.shared else ""
        return f"{mark} {self.en}<br>{self.zh}{note}"

    def __repr__(self) -> str:
        return str(self)


def passed(en: str = "Correct!", zh: str = "正确！") -> Feedback:
    return Feedback(True, en, zh)


def failed(en: str, zh: str) -> Feedback:
    return Feedback(False, en, zh)


def exercise(exercise_id: str):
    """Register a check function for one exercise id such as "03.2"."""

    def register(fn: Callable[[Any], Feedback]) -> Callable[[Any], Feedback]:
        _CHECKS[exercise_id] = fn
        return fn

    return register


def _load_all() -> None:
    for mod in pkgutil.iter_modules(__path__):
        if mod.name.startswith("lesson"):
            importlib.import_module(f"{__name__}.{mod.name}")


def check(exercise_id: str, answer: Any) -> Feedback:
    """Check a student's answer; print-friendly feedback in English and Chinese.

    The attempt is then kept for `helpers.progress()` and, in class, reported to the
    teacher's dashboard (see reporting.py); neither can fail or slow the check."""
    _load_all()
    fn = _CHECKS.get(exercise_id)
    if fn is None:
        return failed(f"There is no exercise {exercise_id!r}. Check the number.", f"没有编号为 {exercise_id!r} 的练习，请检查编号。")
    if answer is None or answer is Ellipsis:
        return failed("No answer yet: replace the ... with your answer and run the cell again.",
                      "还没有答案：请把 ... 换成你的答案，再运行这个单元格。")
    try:
        feedback = fn(answer)
    except Exception as e:  # a wrong-shaped answer is feedback, not a crash
        feedback = failed(f"Your answer has an unexpected shape ({type(e).__name__}: {e}).", f"答案的结构不符合要求（{type(e).__name__}: {e}）。")
    try:
        from .reporting import after_check

        return after_check(exercise_id, answer, feedback)
    except Exception:  # noqa: BLE001 - progress keeping is a side job: the check's answer always comes back
        return feedback


def exercise_ids() -> list[str]:
    _load_all()
    return sorted(_CHECKS)
