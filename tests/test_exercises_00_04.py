"""Exercise checks of lessons 00-04: a right answer passes, wrong ones fail in both languages."""

from __future__ import annotations

import re

import numpy as np
import openai
import pytest
import tiktoken

import helpers  # noqa: F401  (offline tiktoken encodings)
from helpers.exercises import check, exercise_ids
from helpers.exercises.lesson03 import EXERCISE_MESSAGES, cookbook_count

CJK = re.compile(r"[\u4e00-\u9fff]")


def cosine(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def top_k(query, docs, k):
    docs = np.asarray(docs, float)
    sims = docs @ np.asarray(query, float) / (np.linalg.norm(docs, axis=1) * np.linalg.norm(query))
    return list(np.argsort(-sims)[:k])


def top_k_dot(query, docs, k):  # ranks by dot product: wrong for vectors of different lengths
    return list(np.argsort(-(np.asarray(docs) @ np.asarray(query)))[:k])


def find_outlier(vectors):
    v = np.asarray(vectors, float)
    v = v / np.linalg.norm(v, axis=1, keepdims=True)
    s = v @ v.T
    return int(np.argmin((s.sum(axis=1) - 1) / (len(v) - 1)))


o200k = tiktoken.get_encoding("o200k_base")

RIGHT = {
    "00.1": "OPENAI_API_KEY",
    "00.2": ".env",
    "00.3": 'setx OPENAI_API_KEY "sk-..."',
    "00.4": {"a", "c"},
    "01.1": [{"role": "developer", "content": "Always answer in French."}, {"role": "user", "content": "What is a list?"}],
    "01.2": cosine,
    "01.3": len(o200k.encode("Hello world")),
    "01.4": 75,
    "02.1": lambda completion: completion.choices[0].message.content,
    "02.2": (404, openai.NotFoundError),
    "02.3": {"model": "text-embedding-3-small", "input": ["I like tea.", "我喜欢喝茶。"]},
    "02.4": "output_text",
    "03.1": 2,
    "03.2": "o200k_base",
    "03.3": cookbook_count(EXERCISE_MESSAGES),
    "03.4": 292,
    "03.5": 0.27,
    "04.1": cosine([1, 2, 2], [2, 1, 2]),
    "04.2": top_k,
    "04.3": find_outlier,
    "04.4": 1536,
}

WRONG = {
    "00.1": ["OPENAI_KEY", "openai_api_key", 42],
    "00.2": ["config.py", ".gitignore"],
    "00.3": ['$env:OPENAI_API_KEY = "sk-..."', 'export OPENAI_API_KEY="sk-..."', 3],
    "00.4": [{"a"}, {"a", "b", "c"}, ["d", "e"]],
    "01.1": [
        [{"role": "user", "content": "hi"}],
        [{"role": "user", "content": "Answer in French."}, {"role": "developer", "content": "hi"}],
        [{"role": "developer", "content": "Answer in German."}, {"role": "user", "content": "hi"}],
        [{"role": "developer", "content": ""}, {"role": "user", "content": "hi"}],
    ],
    "01.2": [lambda a, b: float(np.dot(a, b)), 0.5],
    "01.3": [11, 3, "2"],
    "01.4": [100, 133, "75"],
    "02.1": [lambda c: c.choices[0].message, lambda c: c, "content"],
    "02.2": [(400, openai.NotFoundError), (404, openai.BadRequestError), (404, "APIError"), 404],
    "02.3": [
        {"model": "text-embedding-3-small", "input": "I like tea."},
        {"model": "x", "input": ["a", "b"], "n": 2},
        ["I like tea.", "我喜欢喝茶。"],
        {"model": "", "input": ["a", "b"]},
    ],
    "02.4": ["text", "choices[0].message.content", "output"],
    "03.1": [1, 3, len(" tokenization")],
    "03.2": ["cl100k_base", "gpt-4o", "o200k"],
    "03.3": [cookbook_count(EXERCISE_MESSAGES) - 3, sum(len(o200k.encode(v)) for m in EXERCISE_MESSAGES for v in m.values()), 0],
    "03.4": [8192, 7900, 0],
    "03.5": [0.27 * 2000, 0.15, 1.5],
    "04.1": [1.0, 8, 0.5],
    "04.2": [top_k_dot, lambda q, d, k: list(range(k)), 3],
    "04.3": [lambda v: 0, lambda v: int(np.argmax(np.linalg.norm(v, axis=1))), 4],
    "04.4": [512, 3072, "1536"],
}

OURS = sorted(i for i in exercise_ids() if i[:2] in {"00", "01", "02", "03", "04"})


def test_every_exercise_is_covered():
    assert OURS == sorted(RIGHT) == sorted(WRONG)
    for lesson in ("00", "01", "02", "03", "04"):
        assert sum(i.startswith(lesson) for i in OURS) >= 3, f"lesson {lesson} needs at least 3 exercises"


@pytest.mark.parametrize("ex", sorted(RIGHT))
def test_right_answer_passes(ex):
    fb = check(ex, RIGHT[ex])
    assert fb.ok, str(fb)
    assert fb.en and CJK.search(fb.zh)


@pytest.mark.parametrize(
    "ex,answer", [(ex, a) for ex in sorted(WRONG) for a in WRONG[ex]], ids=[f"{ex}-{n}" for ex in sorted(WRONG) for n in range(len(WRONG[ex]))]
)
def test_wrong_answer_fails_in_both_languages(ex, answer):
    fb = check(ex, answer)
    assert not fb.ok, f"{ex} accepted a wrong answer {answer!r}"
    assert fb.en.strip(), "the English feedback is missing"
    assert CJK.search(fb.zh), "the Chinese feedback is missing"


@pytest.mark.parametrize("ex", sorted(RIGHT))
def test_no_answer_yet(ex):
    fb = check(ex, ...)
    assert not fb.ok and "No answer yet" in fb.en and CJK.search(fb.zh)


def test_right_answers_match_the_facts():
    # the keyed facts the checks rely on, computed independently
    assert [o200k.decode([t]) for t in o200k.encode(" tokenization")] == [" token", "ization"]
    assert tiktoken.encoding_for_model("gpt-4o-mini").name == "o200k_base"
    assert abs(RIGHT["04.1"] - 8 / 9) < 1e-9
