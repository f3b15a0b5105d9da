"""Exercise checks of notebooks 05-09: a right answer passes, wrong answers fail with feedback in both languages.

Prompt-and-judge checks (05.1, 05.4, 06.3, 07.1, 08.5, 09.5) ask the model: their right and
weak answers run against the session's real offline server (qwen0.5b, temperature 0).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pytest
from exercise_support import bad, ok

from helpers.exercises import check, exercise_ids
from helpers.exercises.lesson05 import HISTORY, REPLY

JUDGED = {"05.1", "05.4", "06.3", "07.1", "08.5", "09.5"}


@pytest.fixture
def offline_model(server, monkeypatch):
    """get_client() inside the judge talks to the session's offline server; the env is restored afterwards."""
    monkeypatch.setenv("COURSE_BACKEND", "offline")
    monkeypatch.setenv("COURSE_LOCAL_PORT", str(server.port))
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)  # get_client sets it; monkeypatch puts the old value back
    monkeypatch.setenv("COURSE_PROGRESS_REPORTING", "off")


# --- right answers --------------------------------------------------------------------


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


def build_context(texts):
    return "\n\n".join(f'<source id="{i}">\n{t.replace("<", "&lt;")}\n</source>' for i, t in enumerate(texts, 1))


def mask(key):
    return "*" * (len(key) - 4) + key[-4:]


def safe_json(response):
    import json

    choice = response.choices[0]
    if choice.finish_reason == "length":
        return None
    try:
        return json.loads(choice.message.content)
    except json.JSONDecodeError:
        return None


def collect_stream(stream):
    parts = []
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            parts.append(chunk.choices[0].delta.content)
    return "".join(parts)


BRIEF_RULES = "Answer in one short sentence."


def guide_messages(question, sources):
    blocks = "\n\n".join(f'<source id="{i}">\n{s}\n</source>' for i, s in enumerate(sources, 1))
    return [
        {
            "role": "developer",
            "content": "Answer the question using only the sources in the user message. "
            "If the sources do not contain the answer, reply exactly: NOT IN SOURCES",
        },
        {"role": "user", "content": f"{blocks}\n\nQuestion: {question}"},
    ]


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

PIRATE = [
    {"role": "developer", "content": "Your name is Captain Byte. You are the pirate tutor of a course about the OpenAI API."},
    {"role": "user", "content": "Who are you?"},
]
FEW_SHOT = [
    {"role": "developer", "content": "Label each product review as positive or negative. Answer with one word."},
    {"role": "user", "content": "The battery lasts all day. Love it!"},
    {"role": "assistant", "content": "positive"},
    {"role": "user", "content": "It broke after two days."},
    {"role": "assistant", "content": "negative"},
    {"role": "user", "content": "Fast delivery and great sound."},
]
POLICY_RULES = "Answer the question using only the policy text in the user message. If the policy does not answer the question, reply exactly: NOT IN POLICY"

RIGHT = {
    "05.1": PIRATE,
    "05.2": "assistant",
    "05.3": HISTORY + [{"role": "assistant", "content": REPLY}, {"role": "user", "content": "How many tokens is 'hello world'?"}],
    "05.4": FEW_SHOT,
    "06.1": "length",
    "06.2": collect_stream,
    "06.3": BRIEF_RULES,
    "07.1": {
        "messages": [{"role": "user", "content": "Describe a cat as a JSON object with exactly two keys: name (a string) and age (a number)."}],
        "response_format": {"type": "json_object"},
    },
    "07.2": BOOK,
    "07.3": "/v1/completions",
    "07.4": safe_json,
    "08.1": "2023-03-01",
    "08.2": {"/v1/audio/transcriptions", "/v1/audio/translations", "/v1/moderations"},
    "08.3": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}], "store": True, "metadata": {"lesson": "08"}},
    "08.4": mask,
    "08.5": POLICY_RULES,
    "09.1": cosine,
    "09.2": chunk,
    "09.3": top_k,
    "09.4": build_context,
    "09.5": guide_messages,
}


def _drop_additional(fmt):
    import copy

    f = copy.deepcopy(fmt)
    del f["json_schema"]["schema"]["additionalProperties"]
    return f


def _not_strict(fmt):
    import copy

    f = copy.deepcopy(fmt)
    del f["json_schema"]["strict"]
    return f


def _raises(*args):
    raise ValueError("boom")


# Wrong answers that never reach the model: shape and structure mistakes, for every exercise.
WRONG = {
    "05.1": [
        [{"role": "user", "content": "Who are you?"}, {"role": "developer", "content": "Your name is Captain Byte."}],
        [{"role": "developer", "content": ""}, {"role": "user", "content": "Hi"}],
        [{"role": "boss", "content": "x"}, {"role": "user", "content": "Hi"}],
        [{"role": "developer", "content": "Your name is Captain Byte."}, {"role": "user", "content": "What is an API?"}],
        "Talk like a pirate",
        42,
        [1, 2],
        None,
    ],
    "05.2": ["user", "system", 3, ["assistant"]],
    "05.3": [
        HISTORY + [{"role": "user", "content": "And in Chinese?"}],
        HISTORY + [{"role": "assistant", "content": "something else"}, {"role": "user", "content": "How many tokens?"}],
        [HISTORY[1], {"role": "assistant", "content": REPLY}, {"role": "user", "content": "More?"}],
        "history + reply",
        {"role": "user"},
    ],
    "05.4": [
        [{"role": "user", "content": "I love it"}, {"role": "assistant", "content": "positive"}, {"role": "user", "content": "Great day"}],
        [
            {"role": "user", "content": "a"},
            {"role": "assistant", "content": "positive"},
            {"role": "assistant", "content": "negative"},
            {"role": "user", "content": "b"},
            {"role": "user", "content": "c"},
        ],
        "positive",
        [{"role": "user", "content": "x"}, "y"],
    ],
    "06.1": ["stop", "max_tokens", 1],
    "06.2": [
        lambda s: "".join(c.choices[0].delta.content or "" for c in s),  # IndexError on the usage chunk
        lambda s: "".join(c.choices[0].delta.content for c in s if c.choices),  # TypeError on the last delta
        lambda s: [c.choices[0].delta.content for c in s if c.choices and c.choices[0].delta.content],
        lambda s: 1 / 0,
        "collect_stream",
    ],
    "06.3": ["", 30, ["Answer in one short sentence."]],
    "07.1": [
        {"messages": [{"role": "user", "content": "Give a cat."}], "response_format": {"type": "json_object"}},
        {"messages": [{"role": "user", "content": "Give a cat as JSON."}], "response_format": {"type": "json"}},
        {"messages": "Give a cat as JSON.", "response_format": {"type": "json_object"}},
        {"type": "json_object"},
        404,
    ],
    "07.2": [{"type": "json_object"}, _drop_additional(BOOK), _not_strict(BOOK), "book", 7],
    "07.3": ["/v1/chat/completions", "/v1/embeddings", 404],
    "07.4": [lambda r: __import__("json").loads(r.choices[0].message.content), lambda r: r.choices[0].message.content, _raises, "safe_json"],
    "08.1": ["2023-01-03", "2024-03-01", 20230301],
    "08.2": [{"/v1/audio/transcriptions", "/v1/audio/translations", "/v1/moderations", "/v1/audio/speech"}, {"/v1/embeddings"}, "/v1/moderations", 3],
    "08.3": [
        {"model": "m", "messages": [{"role": "user", "content": "Hi"}], "store": "true", "metadata": {"a": "b"}},
        {"model": "m", "messages": [{"role": "user", "content": "Hi"}], "store": True, "metadata": {"lesson": 8}},
        {"model": "m", "messages": [{"role": "user", "content": "Hi"}], "store": True},
        ["store"],
    ],
    "08.4": [lambda k: k, lambda k: k[:8] + "..." + k[-4:], lambda k: "****", "sk-...1234", _raises, lambda k: None],
    "08.5": ["", 42, ["NOT IN POLICY"]],
    "09.1": [lambda a, b: float(np.dot(a, b)), "cosine", _raises, lambda a, b: "1"],
    "09.2": [lambda t, n: [t], lambda t, n: [t[i : i + n] for i in range(0, len(t), n)][:2], _raises, lambda t, n: "x"],
    "09.3": [lambda s, k: sorted(range(len(s)), key=lambda i: s[i])[:k], lambda s, k: [1, 3, 5], _raises, lambda s, k: None],
    "09.4": [
        lambda cs: "\n".join(cs),
        lambda cs: "\n\n".join(f'<source id="{i}">\n{c}\n</source>' for i, c in enumerate(cs, 1)),  # the tag in a text breaks out
        lambda cs: "\n\n".join(f'<source id="{i}">\n{c if "<" not in c else ""}\n</source>' for i, c in enumerate(cs, 1)),
        _raises,
        "build_context",
    ],
    "09.5": [
        lambda q, s: [{"role": "developer", "content": "Use these sources:\n" + "\n".join(s)}, {"role": "user", "content": q}],
        lambda q, s: [{"role": "user", "content": q}],
        _raises,
        "messages",
        lambda q, s: "no list",
    ],
}

# Plausible weak prompts: the right shape, but the model's answer shows the prompt does not work.
WEAK = {
    "05.1": [{"role": "developer", "content": "Talk like a pirate."}, {"role": "user", "content": "Who are you?"}],
    "05.4": [
        {"role": "developer", "content": "Label each product review as positive or negative."},
        {"role": "user", "content": "The battery lasts all day. Love it!"},
        {"role": "assistant", "content": "This review is positive."},
        {"role": "user", "content": "It broke after two days."},
        {"role": "assistant", "content": "This review is negative."},
        {"role": "user", "content": "Great sound."},
    ],
    "06.3": "Be concise.",
    "07.1": {"messages": [{"role": "user", "content": "Describe a cat as JSON."}], "response_format": {"type": "json_object"}},
    "08.5": "Answer the user's question about the policy.",
    "09.5": lambda q, s: [{"role": "developer", "content": "You are a helpful assistant."}, {"role": "user", "content": "\n".join(s) + "\n\n" + q}],
}


def test_every_exercise_has_cases():
    ids = [i for i in exercise_ids() if i.split(".")[0] in ("05", "06", "07", "08", "09")]
    assert sorted(ids) == sorted(RIGHT) == sorted(WRONG)
    assert set(WEAK) == JUDGED
    for lesson in ("05", "06", "07", "08", "09"):
        assert sum(i.startswith(lesson) for i in ids) >= 3
        assert any(i.startswith(lesson) for i in JUDGED), f"lesson {lesson} has no prompt-and-judge exercise"


@pytest.mark.parametrize("exercise_id", sorted(set(RIGHT) - JUDGED))
def test_right_answer_passes(exercise_id):
    ok(exercise_id, RIGHT[exercise_id])


@pytest.mark.parametrize("exercise_id", sorted(JUDGED))
def test_judged_right_answer_passes_on_the_offline_model(exercise_id, offline_model):
    ok(exercise_id, RIGHT[exercise_id])


@pytest.mark.parametrize("exercise_id", sorted(JUDGED))
def test_judged_weak_prompt_fails_on_the_offline_model(exercise_id, offline_model):
    fb = bad(exercise_id, WEAK[exercise_id])
    assert "model" in fb.en, f"{exercise_id}: the feedback should say what the model answered: {fb.en}"


@pytest.mark.parametrize("exercise_id,i", [(k, i) for k, v in sorted(WRONG.items()) for i in range(len(v))])
def test_wrong_answer_fails_in_both_languages(exercise_id, i):
    bad(exercise_id, WRONG[exercise_id][i])


def test_judge_without_a_model_is_feedback(monkeypatch):
    """No server at the configured address: the judged check explains, in both languages, instead of a traceback."""
    monkeypatch.setenv("COURSE_BACKEND", "compatible")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens on the discard port
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-unreachable")
    monkeypatch.setenv("COURSE_PROGRESS_REPORTING", "off")
    import helpers.client

    monkeypatch.setattr(helpers.client, "_last_backend", None)
    fb = bad("08.5", POLICY_RULES)
    assert "reach" in fb.en


def test_no_answer_yet():
    for exercise_id in RIGHT:
        fb = check(exercise_id, ...)
        assert not fb.ok and "No answer yet" in fb.en


def test_accepted_variants():
    ok("08.1", dt.date(2023, 3, 1))
    ok(
        "05.3",
        HISTORY + [{"role": "assistant", "content": [{"type": "text", "text": REPLY}]}, {"role": "user", "content": "How many tokens is 'hello world'?"}],
    )
    ok("07.3", "v1/completions")
    import copy

    unbounded = copy.deepcopy(BOOK)  # the lesson says the real API may reject maxLength/maxItems: without them is right too
    for prop in unbounded["json_schema"]["schema"]["properties"].values():
        prop.pop("maxLength", None), prop.pop("maxItems", None)
        if "items" in prop:
            prop["items"].pop("maxLength", None)
    ok("07.2", unbounded)


SOLUTION = re.compile(r"\*\*(\d\d\.\d+)\*\*\s+```python\n(.*?)```", re.S)


@pytest.mark.parametrize("lesson", ["05", "06", "07", "08", "09"])
def test_teacher_solutions_pass(lesson, offline_model):
    text = (Path(__file__).resolve().parent.parent / "solutions" / f"lesson{lesson}.md").read_text(encoding="utf-8")
    found = SOLUTION.findall(text)
    assert sorted(i for i, _ in found) == sorted(i for i in RIGHT if i.startswith(lesson))
    for exercise_id, src in found:
        ns = {"history": list(HISTORY), "reply": REPLY, "CHAT_MODEL": "gpt-4o-mini"}
        exec(src, ns)
        ok(exercise_id, ns["answer"])
