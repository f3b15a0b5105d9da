"""Exercise checks of notebooks 05-08: a right answer passes, wrong answers fail with feedback in both languages."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest

from helpers.exercises import check, exercise_ids
from helpers.exercises.lesson05 import HISTORY, REPLY

CJK = re.compile(r"[\u4e00-\u9fff]")


def ok(exercise_id, answer):
    fb = check(exercise_id, answer)
    assert fb.ok, f"{exercise_id} should pass: {fb}"


def bad(exercise_id, answer):
    fb = check(exercise_id, answer)
    assert not fb.ok, f"{exercise_id} should fail for {answer!r}"
    assert fb.en and not CJK.search(fb.en), fb.en
    assert CJK.search(fb.zh), fb.zh


# --- helpers that are right answers -------------------------------------------------


def cosine(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def chunk(text, max_chars=500):
    out = []
    for para in re.split(r"\n\s*\n", text):
        para = para.strip()
        while len(para) > max_chars:
            out.append(para[:max_chars])
            para = para[max_chars:]
        if para:
            out.append(para)
    return out


def top_k(scores, k):
    return list(np.argsort(scores)[::-1][:k])


def build_context(chunks):
    return "\n\n".join(f"[{i}] {c}" for i, c in enumerate(chunks, 1))


def mask(key):
    return "*" * (len(key) - 4) + key[-4:]


BOOK = {
    "type": "json_schema",
    "json_schema": {
        "name": "book",
        "strict": True,
        "schema": {
            "type": "object",
            "properties": {
                "title": {"type": "string", "maxLength": 80},
                "authors": {"type": "array", "maxItems": 3, "items": {"type": "string", "maxLength": 40}},
            },
            "required": ["title", "authors"],
            "additionalProperties": False,
        },
    },
}

RIGHT = {
    "05.1": [{"role": "developer", "content": "Talk like a pirate."}, {"role": "user", "content": "What is an API?"}],
    "05.2": "assistant",
    "05.3": HISTORY + [{"role": "assistant", "content": REPLY}, {"role": "user", "content": "And in Chinese?"}],
    "05.4": [
        {"role": "developer", "content": "Answer with one word."},
        {"role": "user", "content": "I love it"},
        {"role": "assistant", "content": "positive"},
        {"role": "user", "content": "Awful"},
        {"role": "assistant", "content": "negative"},
        {"role": "user", "content": "Great day"},
    ],
    "06.1": "length",
    "06.2": {"messages": [{"role": "user", "content": "Give a city as JSON."}], "response_format": {"type": "json_object"}},
    "06.3": BOOK,
    "06.4": "/v1/completions",
    "06.5": 16385,
    "07.1": 30,
    "07.2": "2023-03-01",
    "07.3": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}], "store": True, "metadata": {"lesson": "07"}},
    "07.4": {"/v1/audio/transcriptions", "/v1/audio/translations", "/v1/moderations"},
    "07.5": mask,
    "08.1": cosine,
    "08.2": chunk,
    "08.3": top_k,
    "08.4": build_context,
}


def _drop_additional(fmt):
    import copy

    f = copy.deepcopy(fmt)
    del f["json_schema"]["schema"]["additionalProperties"]
    return f


def _unbounded(fmt):
    import copy

    f = copy.deepcopy(fmt)
    del f["json_schema"]["schema"]["properties"]["authors"]["maxItems"]
    return f


WRONG = {
    "05.1": [
        [{"role": "user", "content": "What is an API?"}, {"role": "developer", "content": "Talk like a pirate."}],
        [{"role": "developer", "content": ""}, {"role": "user", "content": "Hi"}],
        [{"role": "boss", "content": "x"}, {"role": "user", "content": "Hi"}],
        "Talk like a pirate",
    ],
    "05.2": ["user", "system", 3],
    "05.3": [
        HISTORY + [{"role": "user", "content": "And in Chinese?"}],
        HISTORY + [{"role": "assistant", "content": "something else"}, {"role": "user", "content": "More?"}],
        [HISTORY[1], {"role": "assistant", "content": REPLY}, {"role": "user", "content": "More?"}],
    ],
    "05.4": [
        [{"role": "user", "content": "I love it"}, {"role": "assistant", "content": "positive"}, {"role": "user", "content": "Great day"}],
        [
            {"role": "user", "content": "a"},
            {"role": "assistant", "content": "It is positive!"},
            {"role": "user", "content": "b"},
            {"role": "assistant", "content": "negative"},
            {"role": "user", "content": "c"},
        ],
    ],
    "06.1": ["stop", "max_tokens", 1],
    "06.2": [
        {"messages": [{"role": "user", "content": "Give a city."}], "response_format": {"type": "json_object"}},
        {"messages": [{"role": "user", "content": "Give a city as JSON."}], "response_format": {"type": "json"}},
        {"type": "json_object"},
    ],
    "06.3": [{"type": "json_object"}, _drop_additional(BOOK), _unbounded(BOOK)],
    "06.4": ["/v1/chat/completions", "/v1/embeddings"],
    "06.5": [4096, 128000, "16385"],
    "07.1": [0, 90, "30 days", True],
    "07.2": ["2023-01-03", "2024-03-01"],
    "07.3": [
        {"model": "m", "messages": [{"role": "user", "content": "Hi"}], "store": "true", "metadata": {"a": "b"}},
        {"model": "m", "messages": [{"role": "user", "content": "Hi"}], "store": True, "metadata": {"lesson": 7}},
        {"model": "m", "messages": [{"role": "user", "content": "Hi"}], "store": True},
    ],
    "07.4": [{"/v1/audio/transcriptions", "/v1/audio/translations", "/v1/moderations", "/v1/audio/speech"}, {"/v1/embeddings"}, "/v1/moderations"],
    "07.5": [lambda k: k, lambda k: k[:8] + "..." + k[-4:], lambda k: "****", "sk-...1234"],
    "08.1": [lambda a, b: float(np.dot(a, b)), "cosine"],
    "08.2": [lambda t, n: [t], lambda t, n: [t[i : i + n] for i in range(0, len(t), n)][:2]],
    "08.3": [lambda s, k: sorted(range(len(s)), key=lambda i: s[i])[:k], lambda s, k: [1, 3, 5]],
    "08.4": [lambda cs: "\n".join(cs), lambda cs: "\n".join(f"[{i}] {c}" for i, c in enumerate(cs))],
}


def test_every_exercise_has_cases():
    ids = [i for i in exercise_ids() if i.split(".")[0] in ("05", "06", "07", "08")]
    assert sorted(ids) == sorted(RIGHT) == sorted(WRONG)
    for lesson in ("05", "06", "07", "08"):
        assert sum(i.startswith(lesson) for i in ids) >= 3


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_right_answer_passes(exercise_id):
    ok(exercise_id, RIGHT[exercise_id])


@pytest.mark.parametrize("exercise_id,i", [(k, i) for k, v in sorted(WRONG.items()) for i in range(len(v))])
def test_wrong_answer_fails_in_both_languages(exercise_id, i):
    bad(exercise_id, WRONG[exercise_id][i])


def test_no_answer_yet():
    for exercise_id in RIGHT:
        fb = check(exercise_id, ...)
        assert not fb.ok and "No answer yet" in fb.en


def test_accepted_variants():
    ok("07.2", dt.date(2023, 3, 1))
    ok("05.1", [{"role": "system", "content": "Be brief."}, {"role": "user", "content": [{"type": "text", "text": "Hi"}]}])
    ok("06.4", "v1/completions")


SOLUTION = re.compile(r"\*\*(\d\d\.\d+)\*\*\s+```python\n(.*?)```", re.S)


@pytest.mark.parametrize("lesson", ["05", "06", "07", "08"])
def test_teacher_solutions_pass(lesson):
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "solutions" / f"lesson{lesson}.md").read_text(encoding="utf-8")
    found = SOLUTION.findall(text)
    assert sorted(i for i, _ in found) == sorted(i for i in RIGHT if i.startswith(lesson))
    for exercise_id, src in found:
        ns = {"history": list(HISTORY), "reply": REPLY, "CHAT_MODEL": "gpt-4o-mini"}
        exec(src, ns)
        ok(exercise_id, ns["answer"])
