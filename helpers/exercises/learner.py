"""Shared pieces for checks: a learner's code or answer that goes wrong becomes feedback.

Why: a check that crashes on an odd answer shows a raw Python error, or the generic
"unexpected shape" note, where the learner needs to hear what to change. A check
raises `Wrong(feedback)` anywhere in its helpers, runs learner functions through
`call`, and is wrapped in `friendly`, which turns both `Wrong` and an unreachable
model (judge.ModelUnreachable) into bilingual feedback.
"""

from __future__ import annotations

import functools
from typing import Any

from . import Feedback, failed
from .judge import ModelUnreachable


class Wrong(Exception):
    """The answer is wrong in a way a helper found; carries the bilingual feedback."""

    def __init__(self, en: str, zh: str):
        super().__init__(en)
        self.feedback = failed(en, zh)


def friendly(check):
    """Decorator (under @exercise): Wrong and ModelUnreachable become the feedback to show."""

    @functools.wraps(check)
    def run(answer: Any) -> Feedback:
        try:
            return check(answer)
        except Wrong as e:
            return e.feedback
        except ModelUnreachable as e:
            return e.feedback

    return run


def call(fn, *args, name: str = "your function"):
    """Call a learner's function; an exception in it becomes feedback naming the call."""
    shown = ", ".join(_short(a) for a in args)
    try:
        return fn(*args)
    except Exception as e:  # noqa: BLE001 - any error in learner code is the learner's to see
        raise Wrong(
            f"{name}({shown}) raised {type(e).__name__}: {e}. Run it on this input yourself to find out why.",
            f"{name}({shown}) 抛出了 {type(e).__name__}：{e}。请自己用这个输入运行一下，找找原因。",
        ) from e


def need_callable(answer, signature: str) -> None:
    if not callable(answer):
        raise Wrong(
            f"Give the function itself, without calling it: def {signature}: ..., then answer = {signature.split('(')[0]}.",
            f"请给出函数本身，不要调用它：def {signature}: ...，然后 answer = {signature.split('(')[0]}。",
        )


def need_text(answer, what_en: str, what_zh: str) -> str:
    if not isinstance(answer, str) or not answer.strip():
        raise Wrong(f"Give {what_en} as a non-empty string in quotes.", f"请用引号写出{what_zh}（非空字符串）。")
    return answer


def content_text(content) -> str:
    """The text of a message's content: a string, or a list of {"type": "text", "text": ...} parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list) and all(isinstance(p, dict) for p in content):
        return "".join(p.get("text", "") for p in content if isinstance(p.get("text", ""), str))
    raise Wrong(
        "A message's content must be a string (or a list of {'type': 'text', 'text': ...} parts).",
        "消息的 content 必须是字符串（或由 {'type': 'text', 'text': ...} 组成的列表）。",
    )


def _short(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
