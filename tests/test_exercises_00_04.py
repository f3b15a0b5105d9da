"""Exercise checks of lessons 00-04: every right answer and teacher solution passes, every wrong
answer fails with friendly feedback in both languages (never the generic "unexpected shape").

The prompt-and-judge checks (00.5, 01.1, 02.4, 03.6, 04.5) run the learner's prompt on the real
offline server of the test session (the configured model, temperature 0), as in a notebook."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import openai
import pytest
import tiktoken

import helpers  # noqa: F401  (offline tiktoken encodings)
from helpers.exercises import check, exercise_ids
from helpers.exercises.lesson01 import looks_french, words_per_token
from helpers.exercises.lesson03 import EXERCISE_MESSAGES, cookbook_count

CJK = re.compile(r"[\u4e00-\u9fff]")
ROOT = Path(__file__).resolve().parent.parent
PROMPT_AND_JUDGE = {"00.5", "01.1", "02.4", "03.6", "04.5"}


def cosine(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def classify(vector, centroids, names):
    c = np.asarray(centroids, float)
    sims = c @ np.asarray(vector, float) / (np.linalg.norm(c, axis=1) * np.linalg.norm(vector))
    return names[int(np.argmax(sims))]


def classify_by_dot(vector, centroids, names):  # wrong: a long centroid wins every dot product
    return names[int(np.argmax(np.asarray(centroids) @ np.asarray(vector)))]


def find_outlier(vectors):
    v = np.asarray(vectors, float)
    v = v / np.linalg.norm(v, axis=1, keepdims=True)
    s = v @ v.T
    return int(np.argmin((s.sum(axis=1) - 1) / (len(v) - 1)))


def raises(*_):
    raise ValueError("not written yet")


o200k = tiktoken.get_encoding("o200k_base")
HAIKU = "Write a haiku about recursion in programming."

RIGHT = {
    "00.1": "OPENAI_API_KEY",
    "00.2": ".env",
    "00.3": 'setx OPENAI_API_KEY "sk-..."',
    "00.4": {"a", "c"},
    "00.5": "Reply with exactly one word: ready",
    "00.6": {"OPENAI_API_KEY": "sk-...fake5678", "OPENAI_BASE_URL": "https://api.deepseek.com/v1", "COURSE_CHAT_MODEL": "deepseek-chat"},
    "01.1": [{"role": "developer", "content": "Always answer in French."}, {"role": "user", "content": "What is a Python list?"}],
    "01.2": lambda text: len(text.split()) / len(o200k.encode(text)),
    "01.3": len(o200k.encode("Hello world")),
    "02.1": lambda completion: completion.choices[0].message.content,
    "02.2": (404, openai.NotFoundError),
    "02.3": {"model": "text-embedding-3-small", "input": ["I like tea.", "我喜欢喝茶。"]},
    "02.4": [{"role": "system", "content": "You are a helpful assistant."}, {"role": "user", "content": HAIKU + " 用中文写。"}],
    "03.1": 2,
    "03.2": "o200k_base",
    "03.3": cookbook_count(EXERCISE_MESSAGES),
    "03.4": 292,
    "03.5": 0.27,
    "03.6": "Answer in one short sentence of at most 15 words.",
    "04.1": cosine([1, 2, 2], [2, 1, 2]),
    "04.2": classify,
    "04.3": find_outlier,
    "04.4": 1536,
    "04.5": "Rewrite the user's question as a short English search query of at most 6 words. Reply with the query only.",
}

WRONG = {
    "00.1": ["OPENAI_KEY", "openai_api_key", 42],
    "00.2": ["config.py", ".gitignore", None.__class__],
    "00.3": ['$env:OPENAI_API_KEY = "sk-..."', 'export OPENAI_API_KEY="sk-..."', 3, ""],
    "00.4": [{"a"}, {"a", "b", "c"}, ["d", "e"], "ac", 3, {"a", "c", "z"}],
    "00.5": ["Are you ready?", 42, ""],
    "00.6": [
        {"OPENAI_API_KEY": "sk-...fake5678", "OPENAI_BASE_URL": "https://api.deepseek.com/v1"},
        {"OPENAI_BASE_URL": "https://api.deepseek.com/v1", "COURSE_CHAT_MODEL": "deepseek-chat", "COURSE_BACKEND": "compatible"},
        {"OPENAI_API_KEY": "sk-...fake5678", "COURSE_CHAT_MODEL": "deepseek-chat"},
        "COURSE_CHAT_MODEL=deepseek-chat",
        {"OPENAI_API_KEY": 5678},
    ],
    "01.1": [
        [{"role": "user", "content": "hi"}],
        [{"role": "user", "content": "Answer in French."}, {"role": "developer", "content": "hi"}],
        [{"role": "developer", "content": "Answer in German."}, {"role": "user", "content": "What is a Python list?"}],
        [{"role": "developer", "content": ""}, {"role": "user", "content": "hi"}],
        "Always answer in French.",
        {"role": "developer", "content": "French"},
        [{"content": "no role"}],
        [{"role": "teacher", "content": "French"}, {"role": "user", "content": "hi"}],
    ],
    "01.2": [lambda text: len(text) / len(o200k.encode(text)), lambda text: 0.75, raises, 0.75],
    "01.3": [11, 3, "2"],
    "02.1": [lambda c: c.choices[0].message, lambda c: c, "content", raises, openai.OpenAI],
    "02.2": [(400, openai.NotFoundError), (404, openai.BadRequestError), (404, "APIError"), 404, "404", (404,), None.__class__],
    "02.3": [
        {"model": "text-embedding-3-small", "input": "I like tea."},
        {"model": "x", "input": ["a", "b"], "n": 2},
        ["I like tea.", "我喜欢喝茶。"],
        {"model": "", "input": ["a", "b"]},
        {1: "a", "input": []},
    ],
    "02.4": [
        [{"role": "system", "content": "You are a helpful assistant."}, {"role": "user", "content": HAIKU}],
        [{"role": "user", "content": "用中文写一首诗。"}],
        "用中文写俳句",
        [{"role": "user"}],
    ],
    "03.1": [1, 3, len(" tokenization")],
    "03.2": ["cl100k_base", "gpt-4o", "o200k"],
    "03.3": [cookbook_count(EXERCISE_MESSAGES) - 3, sum(len(o200k.encode(v)) for m in EXERCISE_MESSAGES for v in m.values()), 0],
    "03.4": [8192, 7900, 0],
    "03.5": [0.27 * 2000, 0.15, 1.5],
    "03.6": ["Be brief.", ["Be brief."], "   "],
    "04.1": [1.0, 8, 0.5],
    "04.2": [classify_by_dot, lambda v, c, n: n[0], raises, 3, lambda v, c, n: int(np.argmax(c @ v))],
    "04.3": [lambda v: 0, lambda v: int(np.argmax(np.linalg.norm(v, axis=1))), 4, raises],
    "04.4": [512, 3072, "1536"],
    "04.5": ["You are a helpful assistant.", 7],
}


@pytest.fixture(scope="module", autouse=True)
def _model_ready(server):
    """The prompt-and-judge checks ask the session's server: wait until it is healthy, so that
    get_client() finds it instead of starting a second server on the same port."""
    return server


OURS = sorted(i for i in exercise_ids() if i[:2] in {"00", "01", "02", "03", "04"})


def test_every_exercise_is_covered():
    assert OURS == sorted(RIGHT) == sorted(WRONG)
    for lesson in ("00", "01", "02", "03", "04"):
        assert sum(i.startswith(lesson) for i in OURS) >= 3, f"lesson {lesson} needs at least 3 exercises"
        assert any(i.startswith(lesson) for i in PROMPT_AND_JUDGE), f"lesson {lesson} needs a prompt-and-judge exercise"


@pytest.mark.parametrize("ex", sorted(RIGHT))
def test_right_answer_passes(ex):
    fb = check(ex, RIGHT[ex])
    assert fb.ok, str(fb)
    assert fb.en and CJK.search(fb.zh)


@pytest.mark.parametrize(
    "ex,answer", [(ex, a) for ex in sorted(WRONG) for a in WRONG[ex]], ids=[f"{ex}-{n}" for ex in sorted(WRONG) for n in range(len(WRONG[ex]))]
)
def test_wrong_answer_fails_with_friendly_feedback(ex, answer):
    fb = check(ex, answer)
    assert not fb.ok, f"{ex} accepted a wrong answer {answer!r}"
    assert re.search("[A-Za-z]{3}", fb.en), "the English feedback is missing"
    assert CJK.search(fb.zh), "the Chinese feedback is missing"
    assert "unexpected shape" not in fb.en, f"{ex} fell back to the generic message for {answer!r}: {fb.en}"


@pytest.mark.parametrize("ex", sorted(RIGHT))
def test_no_answer_yet(ex):
    fb = check(ex, ...)
    assert not fb.ok and "No answer yet" in fb.en and CJK.search(fb.zh)


SOLUTION = re.compile(r"\*\*(\d\d\.\d+)\*\*\s+```python\n(.*?)```", re.S)


@pytest.mark.parametrize("lesson", ["00", "01", "02", "03", "04"])
def test_teacher_solutions_pass(lesson):
    """The code in solutions/lessonNN.md, run as a learner would in the notebook, passes its check."""
    found = SOLUTION.findall((ROOT / "solutions" / f"lesson{lesson}.md").read_text(encoding="utf-8"))
    assert sorted(i for i, _ in found) == sorted(i for i in RIGHT if i.startswith(lesson))
    for exercise_id, src in found:
        ns = {
            "np": np,
            "tiktoken": tiktoken,
            "enc": o200k,
            "EMBEDDING_MODEL": "text-embedding-3-small",
            "CHAT_MODEL": "gpt-4o-mini",
            "exercise_messages": list(EXERCISE_MESSAGES),
            "num_tokens_from_messages": cookbook_count,
        }
        exec(src, ns)
        fb = check(exercise_id, ns["answer"])
        assert fb.ok, f"solution {exercise_id}: {fb}"


def test_right_answers_match_the_facts():
    # the keyed facts the checks rely on, computed independently
    assert [o200k.decode([t]) for t in o200k.encode(" tokenization")] == [" token", "ization"]
    assert tiktoken.encoding_for_model("gpt-4o-mini").name == "o200k_base"
    assert abs(RIGHT["04.1"] - 8 / 9) < 1e-9
    assert 0.6 < words_per_token("The quick brown fox jumps over the lazy dog.") <= 1.0
    assert words_per_token("antidisestablishmentarianism") < 0.5


def test_french_detector():
    assert looks_french("Une liste est un ensemble de données qui peut contenir des éléments de différents types.")
    assert not looks_french("A Python list is a collection of items that can be of different data types.")
    assert not looks_french("Eine Liste ist eine Sammlung von Elementen.")
