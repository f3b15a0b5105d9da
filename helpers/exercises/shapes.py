"""Friendly feedback for answers of the wrong shape (lessons 00-04).

Why: a learner who passes a string where a list of messages belongs, or a function
that raises, should read what to change, in both languages, not a Python error or
the generic "unexpected shape" fallback of `check()`.
"""

from __future__ import annotations

from typing import Any

from . import Feedback, failed


class WrongShape(Exception):
    """Raised inside a check; `shaped` turns it into its bilingual feedback."""

    def __init__(self, feedback: Feedback):
        super().__init__(feedback.en)
        self.feedback = feedback


def shaped(check):
    """Decorator (under @exercise): a WrongShape raised in the check becomes its feedback."""

    def run(answer):
        try:
            return check(answer)
        except WrongShape as e:
            return e.feedback

    run.__doc__ = check.__doc__
    return run


def need_text(answer: Any, what_en: str, what_zh: str) -> str:
    """The answer as a non-empty string, or WrongShape naming what was expected."""
    if not isinstance(answer, str) or not answer.strip():
        raise WrongShape(
            failed(
                f'Give {what_en} as a non-empty string in quotes, e.g. "..." (you gave {_kind(answer)}).',
                f'请用带引号的非空字符串写出{what_zh}，例如 "..."（你给的是{_kind_zh(answer)}）。',
            )
        )
    return answer.strip()


def need_messages(answer: Any) -> list[dict[str, str]]:
    """A chat `messages` list: dicts with a known role and non-empty text content."""
    if isinstance(answer, dict) or not isinstance(answer, (list, tuple)):
        raise WrongShape(
            failed(
                f'Give a list of messages, e.g. [{{"role": "developer", "content": "..."}}, ...] (you gave {_kind(answer)}).',
                f'请给出一个消息列表，例如 [{{"role": "developer", "content": "..."}}, ...]（你给的是{_kind_zh(answer)}）。',
            )
        )
    for i, m in enumerate(answer):
        if not isinstance(m, dict) or not isinstance(m.get("role"), str) or "content" not in m:
            raise WrongShape(
                failed(f'Message {i} should be a dict with the keys "role" and "content".', f'第 {i} 条消息应该是带 "role" 和 "content" 两个键的字典。')
            )
        if m["role"] not in ("developer", "system", "user", "assistant"):
            raise WrongShape(
                failed(
                    f"Message {i} has the role {m['role']!r}; use developer (or system), user or assistant.",
                    f"第 {i} 条消息的角色是 {m['role']!r}；请用 developer（或 system）、user 或 assistant。",
                )
            )
        if not isinstance(m["content"], str) or not m["content"].strip():
            raise WrongShape(failed(f'Message {i} needs non-empty text in "content".', f'第 {i} 条消息的 "content" 需要非空文本。'))
    return [dict(m) for m in answer]


def need_function(answer: Any, name: str) -> None:
    if not callable(answer) or isinstance(answer, type):
        raise WrongShape(
            failed(
                f"Give the function itself, without calling it: answer = {name} (you gave {_kind(answer)}).",
                f"请给出函数本身，不要调用它：answer = {name}（你给的是{_kind_zh(answer)}）。",
            )
        )


def call(fn, *args: Any) -> Any:
    """Call the learner's function; an exception in it becomes feedback that names it."""
    try:
        return fn(*args)
    except Exception as e:  # the learner's code may raise anything: that is feedback, not a crash
        raise WrongShape(
            failed(
                f"Your function raised {type(e).__name__}: {e}. Try it on a small example in the notebook first.",
                f"你的函数抛出了 {type(e).__name__}：{e}。请先在笔记本里用一个小例子试一试。",
            )
        ) from e


def _kind(value: Any) -> str:
    return f"{type(value).__name__} {value!r}"[:80]


def _kind_zh(value: Any) -> str:
    return f" {type(value).__name__} {value!r}"[:80]
