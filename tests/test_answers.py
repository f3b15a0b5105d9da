"""The default offline model answers sensibly in Chinese and in English.

The course promises learners a local model that can answer them, not only one
that shows the API's mechanics. These are fixed questions at temperature 0 whose
answers must contain the expected content; if a change of model, template or
sampling settings breaks them, the lessons' committed outputs are likely wrong too.
"""
from __future__ import annotations

import pytest

from conftest import CHAT

CASES = [
    ("中国的首都是哪里？", ["北京"]),
    ("日本的首都是哪座城市？请用中文回答。", ["东京"]),
    ("一年有几个月？只回答数字。", ["12"]),
    ("把“谢谢”翻译成英文，只回答译文。", ["thank"]),
    ("What is the capital of France? Answer in one word.", ["paris"]),
    ("Translate 'good morning' into Chinese. Reply with the translation only.", ["早上好", "早安"]),
    ("What is 2 + 3? Answer with the number only.", ["5"]),
    ("Reply with exactly one word: the opposite of 'hot'.", ["cold"]),
]


@pytest.mark.parametrize(("question", "expected"), CASES, ids=[q[:24] for q, _ in CASES])
def test_the_default_model_answers(client, question, expected):
    r = client.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": question}], temperature=0,
                                       max_tokens=40)
    answer = r.choices[0].message.content.lower()
    assert any(e in answer for e in expected), answer


def test_temperature_zero_is_reproducible(client):
    ask = dict(model=CHAT, messages=[{"role": "user", "content": "用一句话介绍长城。"}], temperature=0, max_tokens=40)
    first = client.chat.completions.create(**ask).choices[0].message.content
    assert first and client.chat.completions.create(**ask).choices[0].message.content == first
