"""The two assertions every exercise test makes: a right answer passes; a wrong one fails
with a friendly message in both languages (not the generic fallback for an unexpected shape)."""

from __future__ import annotations

import re

from helpers.exercises import check

CJK = re.compile(r"[\u4e00-\u9fff]")
GENERIC = "unexpected shape"


def ok(exercise_id, answer):
    fb = check(exercise_id, answer)
    assert fb.ok, f"{exercise_id} should pass: {fb}"
    return fb


def bad(exercise_id, answer, *words):
    """Fails, with English feedback free of Chinese, Chinese feedback, and each of `words` in the English."""
    fb = check(exercise_id, answer)
    assert not fb.ok, f"{exercise_id} should fail for {answer!r}"
    assert fb.en and not CJK.search(fb.en), fb.en
    assert CJK.search(fb.zh), fb.zh
    assert GENERIC not in fb.en, f"{exercise_id}: the generic fallback instead of a friendly message: {fb.en}"
    for word in words:
        assert word in fb.en, (word, fb.en)
    return fb
